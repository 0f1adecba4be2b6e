from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from routesmith_mcp.config import load_settings
from routesmith_mcp.router import Router
from routesmith_mcp.store import TelemetryStore


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def router(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Router]:
    """A router over a fresh store (SQLite and PostgreSQL), blind to this machine's env and parent process."""
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    settings = load_settings(env={"ROUTESMITH_HOME": str(tmp_path / "home")}, cwd=tmp_path)
    store = TelemetryStore.open(db_url, home=settings.home)
    try:
        yield Router(settings, store, env={}, parent_cmdline=[])
    finally:
        store.close()
