"""Suite-wide fixtures: no test touches the real home; the PostgreSQL URL for tests that need a server."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import URL, create_engine, make_url, text
from sqlalchemy.pool import NullPool

PG_ENV = "ROUTESMITH_TEST_PG_URL"


@pytest.fixture(autouse=True)
def _routesmith_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point ROUTESMITH_HOME at a per-test temp dir and drop any ROUTESMITH_DB_URL from the environment."""
    home = tmp_path / "routesmith-home"
    monkeypatch.setenv("ROUTESMITH_HOME", str(home))
    monkeypatch.delenv("ROUTESMITH_DB_URL", raising=False)
    yield home


@pytest.fixture(scope="session")
def pg_url() -> str:
    """ROUTESMITH_TEST_PG_URL; skips (visibly) when unset locally, fails when unset under CI=true."""
    url = os.environ.get(PG_ENV)
    if not url:
        reason = (f"{PG_ENV} is not set: no PostgreSQL server for this run "
                  "(start one with `source .ci/postgres.sh`)")
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason}; CI must run the PostgreSQL tests", pytrace=False)
        pytest.skip(reason)
    return url


@pytest.fixture(scope="session")
def pg_database(pg_url: str) -> Iterator[URL]:
    """One scratch PostgreSQL database for the session (tests get a schema each)."""
    base = make_url(pg_url)
    name = f"rs_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database: a SQLite file under tmp_path, or a fresh schema (search_path) in PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'db' / 'routesmith.db'}"
        return
    database: URL = request.getfixturevalue("pg_database")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(database, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = database.update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()
