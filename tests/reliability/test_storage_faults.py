"""Storage faults (issue 6): routing keeps working from profiles, outcomes are spooled and written later, a corrupt
file is moved aside (never deleted or overwritten), and `doctor` names the problem and the fix.

Everything here runs as root in CI, and root ignores file permissions: the read-only cases use a path whose parent
is a regular FILE, or `chattr +i` (skipped with a reason where the filesystem does not support it).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from routesmith_mcp import cli
from routesmith_mcp.config import Settings
from routesmith_mcp.errors import RoutesmithError
from routesmith_mcp.router import Router, open_router
from routesmith_mcp.store import TelemetryStore

pytestmark = pytest.mark.anyio

PROMPT = "plan the feature, implement it and add tests"


def make_store(home: Path, **kw: Any) -> TelemetryStore:
    kw.setdefault("busy_timeout_s", 0.2)
    kw.setdefault("retry_s", 0.0)
    return TelemetryStore.open(None, home=home, **kw)


def db_count(path: Path) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute("select count(*) from outcomes").fetchone()[0])


def routes_from_profiles(router: Router) -> tuple[list[str], list[str]]:
    """plan + resolve still work; returns (plan advisories, resolve advisories)."""
    host = router.identify()
    plan = router.plan(PROMPT, host=host)
    assert [s.type for s in plan.steps] == ["planning", "coding", "testing"]
    resolution = router.resolve(host=host, plan_id=plan.plan_id)
    assert len(resolution.assignments) == 3 and all(a.lever for a in resolution.assignments)
    bare = router.resolve(host=host, capabilities=["fast", "coding"])
    assert len(bare.assignments) == 2
    return plan.advisories, resolution.advisories


def doctor(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], home: Path) -> tuple[int, dict[str, Any], str]:
    monkeypatch.setenv("ROUTESMITH_HOME", str(home))
    monkeypatch.delenv("ROUTESMITH_DB_URL", raising=False)
    capsys.readouterr()
    code = cli.main(["doctor", "--json"])
    report = json.loads(capsys.readouterr().out)
    code_text = cli.main(["doctor"])
    text = capsys.readouterr().out
    assert code_text == code, (report, text)
    return code, report, text


@contextmanager
def immutable(*paths: Path) -> Iterator[None]:
    if shutil.which("chattr") is None:
        pytest.skip("chattr is not installed: cannot make a path read-only for root")
    done: list[Path] = []
    try:
        for p in paths:
            r = subprocess.run(["chattr", "+i", str(p)], capture_output=True, text=True, check=False)
            if r.returncode != 0:
                pytest.skip(f"chattr +i is not supported here ({r.stderr.strip()}): root ignores permissions")
            done.append(p)
        yield
    finally:
        for p in done:
            subprocess.run(["chattr", "-i", str(p)], check=False)


# ---- the data dir cannot exist (read-only for root: its parent is a regular file) ----------------------------------

def test_unusable_data_dir(settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                           capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a regular file where the data dir's parent should be")
    settings.home = blocker / "home"
    settings.host_override = "claude-code"  # a host with models, so resolve would consult recorded outcomes
    router = open_router(settings, env={})
    try:
        plan_notes, resolve_notes = routes_from_profiles(router)
        assert any("degraded" in n and "doctor" in n for n in plan_notes), plan_notes
        assert any("host profile alone" in n for n in resolve_notes), resolve_notes
        with pytest.raises(RoutesmithError) as err:
            router.record_outcome(host=router.identify(), model="sonnet", success=True)
        assert "ROUTESMITH_HOME" in str(err.value) or "writable" in str(err.value), err.value
        with pytest.raises(RoutesmithError):
            router.stats()
    finally:
        if router.store is not None:
            router.store.close()
    code, report, text = doctor(monkeypatch, capsys, blocker / "home")
    assert code == 1 and report["database"]["healthy"] is False
    assert "problem" in text and ("writable" in text or "ROUTESMITH_HOME" in text), text


async def test_unusable_data_dir_through_the_tools(settings: Settings, tmp_path: Path) -> None:
    from mcp import Client

    from routesmith_mcp.server import create_server

    blocker = tmp_path / "file"
    blocker.write_text("x")
    settings.home = blocker / "home"
    router = open_router(settings, env={})
    async with Client(create_server(router=router)) as client:
        plan = await client.call_tool("plan_route", {"prompt": PROMPT})
        assert not plan.is_error and plan.structured_content is not None
        res = await client.call_tool("resolve_models", {"plan_id": plan.structured_content["plan_id"]})
        assert not res.is_error
        for tool, args in (("record_outcome", {"model": "m", "success": True}), ("get_stats", {})):
            result = await client.call_tool(tool, args)
            text = " ".join(getattr(c, "text", "") for c in result.content)
            assert result.is_error and text.strip() != f"Error executing tool {tool}", text
            assert "writable" in text or "doctor" in text or "ROUTESMITH_HOME" in text, text


# ---- the database file is read-only (chattr +i) -----------------------------------------------------------------

def test_read_only_database_file_spools_then_flushes(settings: Settings, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    store = make_store(settings.home)
    router = Router(settings, store, env={}, parent_cmdline=[])
    host = router.identify()
    assert router.record_outcome(host=host, model="before", success=True).outcome_id > 0
    store.close()
    db = settings.home / "routesmith.db"
    with immutable(db):
        store = make_store(settings.home)
        router = Router(settings, store, env={}, parent_cmdline=[])
        routes_from_profiles(router)
        spooled = [router.record_outcome(host=host, model=f"ro{n}", success=True) for n in range(5)]
        assert all(r.spooled for r in spooled), spooled
        code, _, text = doctor(monkeypatch, capsys, settings.home)
        assert code == 1 and "spool" in text and "cannot be written" in text and "fix:" in text, text
        store.close()
    store = make_store(settings.home)  # writable again: the spool is flushed on open
    try:
        assert store.stats().total_outcomes == 6
    finally:
        store.close()
    assert db_count(db) == 6 and not store.spool.path.exists()


def test_read_only_data_dir(settings: Settings, monkeypatch: pytest.MonkeyPatch,
                            capsys: pytest.CaptureFixture[str]) -> None:
    """The directory is immutable: no -wal/-shm, no spool. Routing goes on; recording says what to fix."""
    settings.host_override = "claude-code"
    seed = make_store(settings.home)
    seed.record_outcome(model="before", success=True, host="claude-code")
    seed.close()
    with immutable(settings.home):
        router = open_router(settings, env={})
        try:
            routes_from_profiles(router)
            try:
                recorded = router.record_outcome(host=router.identify(), model="m", success=True)
            except RoutesmithError as exc:  # neither the database nor the spool can take it: say so, with the fix
                assert "spool" in str(exc) and ("writable" in str(exc) or "ROUTESMITH_HOME" in str(exc)), exc
            else:
                assert recorded.outcome_id > 0 or recorded.spooled
        finally:
            assert router.store is not None
            router.store.close()
        code, _, text = doctor(monkeypatch, capsys, settings.home)
        assert code == 1 and "fix:" in text, text
    store = make_store(settings.home)
    try:
        assert store.stats().total_outcomes >= 1
    finally:
        store.close()


# ---- locked by another process for longer than the busy timeout -------------------------------------------------

LOCKER = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], timeout=10, isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
db.execute("INSERT INTO plans (plan_id, created_at, host, preference, prompt_sha256, prompt_chars, plan_json) "
           "VALUES ('locker', 0, 'h', 'balanced', '', 0, '{}')")
print("locked", flush=True)
sys.stdin.readline()
db.execute("ROLLBACK")
db.close()
"""


def test_locked_database_spools_and_flushes_after_release(settings: Settings, monkeypatch: pytest.MonkeyPatch,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    store = make_store(settings.home)
    router = Router(settings, store, env={}, parent_cmdline=[])
    host = router.identify()
    router.record_outcome(host=host, model="before", success=True)
    db = settings.home / "routesmith.db"
    locker = subprocess.Popen([sys.executable, "-c", LOCKER, str(db)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert locker.stdout is not None and locker.stdout.readline().strip() == "locked"
        routes_from_profiles(router)
        results = [router.record_outcome(host=host, model=f"locked{n}", success=n % 2 == 0) for n in range(5)]
        assert all(r.spooled for r in results), results
        assert store.spool.pending() == 5
        monkeypatch.setenv("ROUTESMITH_HOME", str(settings.home))
        capsys.readouterr()
        code = cli.main(["doctor"])  # once: while locked it waits out its own busy timeout (~5 s)
        text = capsys.readouterr().out
        assert code == 1 and "locked" in text and "5 outcome(s) are waiting" in text and "fix:" in text, text
    finally:
        assert locker.stdin is not None
        locker.stdin.write("\n")
        locker.stdin.flush()
        locker.wait(timeout=20)
    after = router.record_outcome(host=host, model="after", success=True)
    assert not after.spooled
    assert store.spool.pending() == 0
    assert store.stats().total_outcomes == 7
    store.close()
    assert db_count(db) == 7


# ---- corrupt files: moved aside, never deleted or overwritten -----------------------------------------------------

def _random_bytes(path: Path) -> bytes:
    data = os.urandom(16_384)
    path.write_bytes(data)
    return data


def _truncated(path: Path) -> bytes:
    store = TelemetryStore.open(None, home=path.parent)
    for n in range(300):
        store.record_outcome(model=f"m{n}", success=True, host="claude-code", error="e" * 500)
    store.close()
    data = path.read_bytes()[: path.stat().st_size // 2]
    path.write_bytes(data)
    return data


@pytest.mark.parametrize("damage", [_random_bytes, _truncated], ids=["random-bytes", "truncated"])
def test_corrupt_database_is_moved_aside_and_reported(settings: Settings, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str], damage: Any) -> None:
    settings.home.mkdir(parents=True, exist_ok=True)
    db = settings.home / "routesmith.db"
    original = damage(db)
    router = open_router(settings, env={})
    try:
        routes_from_profiles(router)
        assert router.record_outcome(host=router.identify(), model="fresh", success=True).outcome_id > 0
    finally:
        assert router.store is not None
        router.store.close()
    moved = sorted(settings.home.glob("routesmith.db.corrupt-*"))
    moved = [p for p in moved if not p.name.endswith(("-wal", "-shm"))]
    assert len(moved) == 1 and moved[0].read_bytes() == original, "the damaged file must be kept byte for byte"
    assert db_count(db) == 1
    # a later doctor run (a new process) still points at the moved-aside file
    _, report, text = doctor(monkeypatch, capsys, settings.home)
    assert moved[0].name in text and any(moved[0].name in m for m in report["database"]["moved_aside"]), text


def test_corrupt_database_under_the_real_server(tmp_path: Path) -> None:
    from .support import RawServer, base_env

    home = tmp_path / "rs"
    home.mkdir()
    original = _random_bytes(home / "routesmith.db")
    server = RawServer(tmp_path, base_env(tmp_path))
    try:
        server.initialize()
        plan = server.tool("plan_route", {"prompt": PROMPT})
        assert not plan.get("isError"), plan
        rec = server.tool("record_outcome", {"model": "sonnet", "success": True})
        assert not rec.get("isError") and rec["structuredContent"]["outcome_id"] > 0, rec
        server.close_stdin()
        assert server.wait() == 0
        server.assert_stdout_is_protocol()
    finally:
        server.kill()
    moved = [p for p in home.glob("routesmith.db.corrupt-*") if not p.name.endswith(("-wal", "-shm"))]
    assert len(moved) == 1 and moved[0].read_bytes() == original
    assert "moved" in server.stderr and "corrupt" in server.stderr


# ---- disk full (SQLite max_page_count) -----------------------------------------------------------------------------

def test_disk_full_spools_then_flushes_when_space_returns(settings: Settings) -> None:
    seed = make_store(settings.home)
    seed.close()
    db = settings.home / "routesmith.db"
    with sqlite3.connect(db) as conn:
        pages = int(conn.execute("PRAGMA page_count").fetchone()[0])
    store = make_store(settings.home, sqlite_pragmas={"max_page_count": pages + 3})
    router = Router(settings, store, env={}, parent_cmdline=[])
    host = router.identify()
    results = []
    for n in range(400):
        results.append(router.record_outcome(host=host, model=f"m{n % 5}", success=True, error="x" * 1500))
        if results[-1].spooled:
            break
    assert results[-1].spooled, "max_page_count never filled the database"
    results += [router.record_outcome(host=host, model="full", success=False, error="y" * 1500) for _ in range(5)]
    assert all(r.spooled for r in results[-6:])
    routes_from_profiles(router)
    written = sum(1 for r in results if not r.spooled)
    store.close()
    store = make_store(settings.home)  # space again: the spool is flushed on open
    try:
        assert store.stats().total_outcomes == len(results)
    finally:
        store.close()
    assert db_count(db) == len(results) and written < len(results)
    assert not store.spool.path.exists()
