"""Store fixtures: every store test runs on SQLite and on PostgreSQL (`db_url` lives in tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from routesmith_mcp.store import TelemetryStore


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
