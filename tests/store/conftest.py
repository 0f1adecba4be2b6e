"""Store fixtures: every store test runs on SQLite and on PostgreSQL (a fresh database per test)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, make_url, text

from routesmith_mcp.store import TelemetryStore


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database: a SQLite file under tmp_path, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'db' / 'routesmith.db'}"
        return
    base = make_url(request.getfixturevalue("pg_url"))
    name = f"rs_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def open_store(db_url: str) -> Iterator[Callable[..., TelemetryStore]]:
    """Open (and later close) stores on the test's database."""
    opened: list[TelemetryStore] = []

    def _open(**kw: object) -> TelemetryStore:
        s = TelemetryStore.open(db_url, **kw)  # type: ignore[arg-type]
        opened.append(s)
        return s

    yield _open
    for s in opened:
        s.close()


@pytest.fixture
def store(open_store: Callable[..., TelemetryStore]) -> TelemetryStore:
    """A migrated, empty store."""
    return open_store()
