"""Suite-wide fixtures: no test touches the real home; the PostgreSQL URL for tests that need a server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

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
