"""Fixtures for the reliability suite (issue 6): routers over temp stores, with settings a test can adjust."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from routesmith_mcp.config import Settings, load_settings
from routesmith_mcp.router import Router
from routesmith_mcp.store import TelemetryStore


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings for a temp home, blind to this machine's env (HOME too, so no host settings file is read)."""
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    return load_settings(env={"ROUTESMITH_HOME": str(tmp_path / "home")}, cwd=tmp_path)


@pytest.fixture
def make_router(settings: Settings) -> Iterator[Callable[..., Router]]:
    """Build routers over a fresh store (or none); stores are closed at teardown."""
    stores: list[TelemetryStore] = []

    def make(*, store: bool = True, **overrides: Any) -> Router:
        for key, value in overrides.items():
            setattr(settings, key, value)
        opened = None
        if store:
            opened = TelemetryStore.open(settings.db_url, home=settings.home)
            stores.append(opened)
        return Router(settings, opened, env={}, parent_cmdline=[])

    yield make
    for s in stores:
        s.close()


@pytest.fixture
def router(make_router: Callable[..., Router]) -> Router:
    return make_router()
