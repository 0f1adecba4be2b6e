"""`routesmith-mcp doctor`: what routesmith sees, and what to fix. Never prints a secret."""

from __future__ import annotations

import re
from typing import Any

from routesmith_mcp.config import Settings
from routesmith_mcp.router import Router

_PASSWORD_IN_URL = re.compile(r"(?P<scheme>[a-z0-9+.\-]+://[^:/@\s]+):[^@\s]*@", re.IGNORECASE)


def redact_url(url: str) -> str:
    """Hide the password of a database URL."""
    return _PASSWORD_IN_URL.sub(r"\g<scheme>:***@", url)


def run_doctor(settings: Settings) -> dict[str, Any]:
    """Host verdict with evidence, database health with fixes, config files read, advisories."""
    from routesmith_mcp.hosts.detect import parent_cmdline

    host = Router(settings, parent_cmdline=parent_cmdline()).identify()
    return {
        "host": host.model_dump(mode="json"),
        "database": _database(settings),
        "config_files": settings.files_read,
        "advisories": settings.advisories,
    }


def _database(settings: Settings) -> dict[str, Any]:
    from routesmith_mcp.store import TelemetryStore, default_db_path

    target = settings.db_url or f"sqlite:///{default_db_path(settings.home)}"
    try:
        store = TelemetryStore.open(settings.db_url, home=settings.home)
    except Exception as exc:
        return {"url": redact_url(target), "healthy": False,
                "problems": [f"cannot open: {redact_url(str(exc))}"],
                "fix": "check that the directory exists and is writable, or set ROUTESMITH_HOME / ROUTESMITH_DB_URL"}
    try:
        health = store.health()
    finally:
        store.close()
    data = health.model_dump(mode="json") if hasattr(health, "model_dump") else dict(vars(health))
    data["url"] = redact_url(str(data.get("url", target)))
    data.setdefault("healthy", not data.get("problems"))
    return data
