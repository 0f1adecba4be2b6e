"""Engine creation: SQLite pragmas (busy_timeout before WAL), the PostgreSQL path, URL redaction, file checks."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.engine import URL
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

SQLITE_MAGIC = b"SQLite format 3\x00"


def redact_url(url: str | URL) -> str:
    """The URL with any password replaced by ***."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError, TypeError):  # an unparsable URL: show only the scheme
        text = str(url)
        return text.split("://", 1)[0] + "://***" if "://" in text else "***"


def backend_of(url: str | URL) -> str:
    """'sqlite', 'postgresql', or the dialect name."""
    return make_url(url).get_backend_name()


def sqlite_file_of(url: str | URL) -> Path | None:
    """The database file of a SQLite URL, or None for in-memory / non-SQLite URLs."""
    u = make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    db = u.database
    if db.startswith("file:"):
        db = db[5:].split("?", 1)[0]
    return Path(db)


def make_engine(url: str, *, busy_timeout_s: float = 5.0, sqlite_pragmas: Mapping[str, Any] | None = None,
                read_only: bool = False) -> Engine:
    """An engine for `url`; on SQLite each connection gets busy_timeout, WAL and synchronous=NORMAL."""
    u = make_url(url)
    if u.get_backend_name() != "sqlite":
        args = {"connect_timeout": max(1, int(busy_timeout_s))} if u.get_backend_name() == "postgresql" else {}
        return create_engine(u, pool_pre_ping=True, pool_size=5, max_overflow=5, connect_args=args)

    if read_only:  # immutable: no -shm needed (a read-only dir); sees the main file only, not an unmerged -wal
        path = sqlite_file_of(u)
        ro = f"sqlite:///file:{path}?mode=ro&immutable=1&uri=true"
        engine = create_engine(ro, poolclass=NullPool, connect_args={"check_same_thread": False})
        return engine

    engine = create_engine(u, connect_args={"timeout": busy_timeout_s, "check_same_thread": False})
    extra = dict(sqlite_pragmas or {})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Driver-level autocommit: SQLAlchemy's "begin" hook below emits BEGIN itself, so DDL is transactional
        # and write transactions can take the lock up front (BEGIN IMMEDIATE).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        try:
            # busy_timeout FIRST: without it the journal_mode pragma itself can fail with "database is locked".
            cur.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = NORMAL")
            cur.execute("PRAGMA journal_size_limit = 67108864")  # a big import must not leave a huge -wal behind
            for name, value in extra.items():
                cur.execute(f"PRAGMA {name} = {int(value)}")
        finally:
            cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = "IMMEDIATE" if conn.get_execution_options().get("write") else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine


def sqlite_header_problem(path: Path) -> str | None:
    """Why the file cannot be a healthy SQLite database (bad magic, truncated), or None if it looks fine."""
    try:
        size = path.stat().st_size
        if size == 0:
            return None
        with path.open("rb") as fh:
            head = fh.read(100)
    except OSError:
        return None  # unreadable is not corrupt: opening fails and the store degrades instead
    if len(head) < 100 or head[:16] != SQLITE_MAGIC:
        return "not a SQLite database (bad header)"
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    n_pages = int.from_bytes(head[28:32], "big")
    valid_for = int.from_bytes(head[92:96], "big")
    change_counter = int.from_bytes(head[24:28], "big")
    if n_pages and valid_for == change_counter and size < n_pages * page_size:
        return f"truncated: {size} bytes on disk, header says {n_pages * page_size}"
    return None


def move_aside(path: Path) -> Path:
    """Rename a broken database (and its -wal/-shm) to `<name>.corrupt-<UTC timestamp>`; never deletes it."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
        n += 1
    os.replace(path, target)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            os.replace(side, target.with_name(target.name + suffix))
    log.warning("moved a corrupt telemetry database aside: %s -> %s", path, target)
    return target
