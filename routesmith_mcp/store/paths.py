"""Where the telemetry database and its spool live, and creating them owner-only."""

from __future__ import annotations

import os
from pathlib import Path

DB_FILENAME = "routesmith.db"
HOME_ENV = "ROUTESMITH_HOME"


def default_home() -> Path:
    """`ROUTESMITH_HOME` if set, else the per-user data dir for routesmith-mcp."""
    env = os.environ.get(HOME_ENV)
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("routesmith-mcp", appauthor=False))


def default_db_path(home: Path | None = None) -> Path:
    """The default SQLite file: `<home>/routesmith.db` (home from the argument, `ROUTESMITH_HOME`, or platformdirs)."""
    return (Path(home).expanduser() if home is not None else default_home()) / DB_FILENAME


def spool_path_for(db_path: Path) -> Path:
    """The spool file that sits next to a database file."""
    return db_path.with_name(db_path.name + ".spool.jsonl")


def ensure_private_dir(path: Path) -> None:
    """Create `path` (and parents) with mode 0700 when missing; existing dirs are left as they are."""
    if not path.exists():
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            os.chmod(path, 0o700)
        except OSError:
            pass


def ensure_private_file(path: Path) -> None:
    """Create an empty file with mode 0600 if it does not exist (SQLite's -wal/-shm copy its mode)."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    os.close(fd)
