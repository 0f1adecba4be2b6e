"""The spool: a JSONL file (mode 0600) next to the database that keeps outcomes the database could not take.

Appends are one write() per line under an exclusive flock. A flusher claims the whole file by renaming it
(under the same lock) to `<spool>.flushing-<pid>-<ns>`, inserts its rows, then deletes it; a failed insert puts
the lines back. Claims left by a dead process are picked up again. Unparsable lines go to `<spool>.rejected`.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

try:
    import fcntl
except ImportError:  # Windows: no flock; appends are still single write() calls
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)


@contextmanager
def _locked(fd: int) -> Iterator[None]:
    if fcntl is not None:
        fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        yield
    finally:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


class Spool:
    """Append-only outcome spool at `path`."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def rejected_path(self) -> Path:
        return self.path.with_name(self.path.name + ".rejected")

    def writable(self) -> bool:
        """Whether a line could be appended now (the file or its directory is writable)."""
        if self.path.exists():
            return os.access(self.path, os.W_OK)
        return self.path.parent.is_dir() and os.access(self.path.parent, os.W_OK | os.X_OK)

    def _append_lines(self, data: bytes) -> None:
        for _ in range(20):
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                with _locked(fd):
                    try:
                        current = os.stat(self.path)
                    except FileNotFoundError:
                        continue
                    mine = os.fstat(fd)
                    if (mine.st_ino, mine.st_dev) != (current.st_ino, current.st_dev):
                        continue  # a flusher renamed it away while we waited: reopen the new one
                    os.write(fd, data)
                    os.fsync(fd)
                    return
            finally:
                os.close(fd)
        raise OSError(f"could not append to the spool {self.path}")

    def append(self, row: dict[str, Any]) -> None:
        """Add one validated outcome row (raises OSError when the spool cannot be written)."""
        self._append_lines((json.dumps(row, ensure_ascii=True, separators=(",", ":")) + "\n").encode())

    def claims(self) -> list[Path]:
        """Rename the live spool to a claim file, and collect claims orphaned by dead processes."""
        out: list[Path] = []
        prefix = self.path.name + ".flushing-"
        try:
            siblings = list(self.path.parent.glob(prefix + "*"))
        except OSError:
            siblings = []
        for p in siblings:
            try:
                pid = int(p.name[len(prefix):].split("-", 1)[0])
            except ValueError:
                continue
            if pid != os.getpid() and not _pid_alive(pid):
                mine = p.with_name(f"{prefix}{os.getpid()}-{time.time_ns()}")
                try:
                    os.replace(p, mine)
                    out.append(mine)
                except OSError:
                    pass
        if not self.path.exists():
            return out
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            return out
        try:
            with _locked(fd):
                claim = self.path.with_name(f"{prefix}{os.getpid()}-{time.time_ns()}")
                try:
                    os.replace(self.path, claim)
                    out.append(claim)
                except FileNotFoundError:
                    pass
        finally:
            os.close(fd)
        return out

    def read(self, claim: Path) -> list[dict[str, Any]]:
        """The rows of a claim file; unparsable lines are moved to the rejected file, never dropped."""
        rows: list[dict[str, Any]] = []
        bad: list[bytes] = []
        for line in claim.read_bytes().splitlines():
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError:
                obj = None
            if isinstance(obj, dict):
                rows.append(obj)
            else:
                bad.append(line)
        if bad:
            fd = os.open(self.rejected_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, b"\n".join(bad) + b"\n")
            finally:
                os.close(fd)
            log.warning("%d unreadable spool line(s) kept in %s", len(bad), self.rejected_path)
        return rows

    def give_back(self, claim: Path) -> None:
        """Return a claim's lines to the live spool (its insert failed)."""
        data = claim.read_bytes()
        if data:
            self._append_lines(data if data.endswith(b"\n") else data + b"\n")
        claim.unlink()

    def pending(self) -> int:
        """Lines waiting in the spool and in claim files."""
        n = 0
        try:
            files = [self.path, *self.path.parent.glob(self.path.name + ".flushing-*")]
        except OSError:
            return 0
        for p in files:
            try:
                with p.open("rb") as fh:
                    n += sum(1 for line in fh if line.strip())
            except OSError:
                continue
        return n
