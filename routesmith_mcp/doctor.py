"""`routesmith-mcp doctor`: what routesmith sees, and what to fix. Never prints a secret."""

from __future__ import annotations

import re
from pathlib import Path
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
    problem = _write_problem(store.path) if store.path is not None and store.path.exists() else None
    if problem:
        data["healthy"] = False
        data.setdefault("problems", []).append(f"the database file cannot be written: {problem}")
        data.setdefault("fixes", []).append(
            "if another process holds the lock, wait for it or stop it; otherwise make the file writable (check "
            "permissions, `lsattr` for the immutable flag, a read-only mount); outcomes are spooled meanwhile")
    if store.path is not None:  # files an earlier process moved aside: still reported, never touched
        moved = data.setdefault("moved_aside", [])
        for old in sorted(store.path.parent.glob(store.path.name + ".corrupt-*")):
            if old.name.endswith(("-wal", "-shm")) or any(str(old) in m for m in moved):
                continue
            moved.append(str(old))
            data.setdefault("problems", []).append(f"a corrupt database was moved aside earlier and kept: {old}")
            data.setdefault("fixes", []).append(f"nothing in the live database is affected; inspect {old.name} "
                                                "(e.g. with sqlite3 .recover), then delete it")
    return data


def _write_problem(path: Path) -> str | None:
    """Why a write to the SQLite file fails (a rolled-back probe insert), or None. Root ignores permissions, so
    only a real write shows an immutable file or a read-only mount."""
    import sqlite3

    try:
        conn = sqlite3.connect(str(path), timeout=2, isolation_level=None)
    except sqlite3.Error as exc:
        return str(exc)
    try:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO _migrations (name, applied_at) VALUES ('doctor-write-probe', 0)")
        return None
    except sqlite3.Error as exc:
        return str(exc)
    finally:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass
        conn.close()
