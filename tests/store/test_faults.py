"""Storage faults (issue 6): corrupt, truncated, locked, full, unwritable. Nothing is lost or overwritten."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from pathlib import Path

import pytest

from routesmith_mcp.models import HostIdentity, PlanResult
from routesmith_mcp.store import StoreError, TelemetryStore
from routesmith_mcp.store.spool import Spool


def url_of(path: Path) -> str:
    return f"sqlite:///{path}"


def record(store: TelemetryStore, n: int, **kw: object) -> list[bool]:
    return [store.record_outcome(model="m", success=True, host="codex", duration_ms=1.0, **kw).spooled  # type: ignore
            for _ in range(n)]


def count_rows(path: Path) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT count(*) FROM outcomes").fetchone()[0]
    finally:
        con.close()


@pytest.mark.parametrize("damage", ["random-bytes", "truncated", "bad-header"])
def test_corrupt_database_is_moved_aside_never_deleted(tmp_path: Path, damage: str) -> None:
    db = tmp_path / "routesmith.db"
    if damage == "random-bytes":
        original = os.urandom(8192)
    else:
        s = TelemetryStore.open(url_of(db))
        record(s, 1)
        with s.engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE filler (x TEXT)")
            conn.exec_driver_sql("INSERT INTO filler SELECT hex(randomblob(500)) FROM "
                                 "(WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM c WHERE i < 2000) "
                                 "SELECT i FROM c)")
        s.close()
        con = sqlite3.connect(db)
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.close()
        data = db.read_bytes()
        original = data[: len(data) // 2] if damage == "truncated" else b"NOT SQLITE AT ALL" + data[17:]
    db.write_bytes(original)
    for side in ("-wal", "-shm"):
        db.with_name(db.name + side).unlink(missing_ok=True)

    store = TelemetryStore.open(url_of(db))
    try:
        moved = [p for p in tmp_path.iterdir() if p.name.startswith("routesmith.db.corrupt-") and
                 not p.name.endswith(("-wal", "-shm"))]
        assert len(moved) == 1 and moved[0].read_bytes() == original
        h = store.health()
        assert h.moved_aside and any("moved aside" in p for p in h.problems) and h.fixes
        assert not h.degraded and h.outcomes == 0
        assert record(store, 3) == [False] * 3
    finally:
        store.close()


def test_locked_database_spools_then_flushes(tmp_path: Path) -> None:
    db = tmp_path / "routesmith.db"
    store = TelemetryStore.open(url_of(db), busy_timeout_s=0.1)
    try:
        assert record(store, 2) == [False, False]
        locker = sqlite3.connect(db, isolation_level=None, timeout=5)
        locker.execute("BEGIN IMMEDIATE")
        assert record(store, 3) == [True, True, True]
        h = store.health()
        assert h.spool_pending == 3 and any("spool" in p for p in h.problems)
        spool = Path(h.spool_path or "")
        assert (spool.stat().st_mode & 0o777) == 0o600
        locker.execute("ROLLBACK")
        locker.close()
        assert record(store, 1) == [False]  # the next good write flushes the spool
        assert count_rows(db) == 6 and store.health().spool_pending == 0 and not spool.exists()
    finally:
        store.close()


def test_locked_at_open_still_opens_then_recovers(tmp_path: Path) -> None:
    db = tmp_path / "routesmith.db"
    TelemetryStore.open(url_of(db)).close()
    locker = sqlite3.connect(db, isolation_level=None)
    locker.execute("PRAGMA journal_mode=WAL")
    locker.execute("CREATE TABLE IF NOT EXISTS x (a)")
    locker.execute("BEGIN IMMEDIATE")
    locker.execute("INSERT INTO x VALUES (1)")
    store = TelemetryStore.open(url_of(db), busy_timeout_s=0.1, retry_s=0.0)
    try:
        # the schema is current, so opening needs no write lock; writes spool until the lock is released
        assert not store.degraded and store.stats().total_outcomes == 0
        assert record(store, 2) == [True, True]
        locker.execute("COMMIT")
        locker.close()
        assert record(store, 1) == [False]
        assert count_rows(db) == 3
    finally:
        store.close()


def test_read_only_database_spools(tmp_path: Path) -> None:
    db = tmp_path / "routesmith.db"
    TelemetryStore.open(url_of(db)).close()
    ro = TelemetryStore.open(url_of(db), sqlite_pragmas={"query_only": 1})  # writes fail as on a read-only file
    try:
        assert record(ro, 2) == [True, True]
        h = ro.health()
        assert h.spool_pending == 2 and any("writable" in f for f in h.fixes)
    finally:
        ro.close()
    rw = TelemetryStore.open(url_of(db))
    try:
        assert rw.stats().total_outcomes == 2 and rw.health().problems == []
    finally:
        rw.close()


def test_disk_full_spools_and_later_flushes(tmp_path: Path) -> None:
    db = tmp_path / "routesmith.db"
    TelemetryStore.open(url_of(db)).close()
    con = sqlite3.connect(db)
    pages = con.execute("PRAGMA page_count").fetchone()[0]
    con.close()
    full = TelemetryStore.open(url_of(db), sqlite_pragmas={"max_page_count": pages + 2})
    try:
        results = [full.record_outcome(model="m", success=False, host="codex", error="x" * 3000).spooled
                   for _ in range(40)]
        assert any(results) and not all(results)
        assert full.health().spool_pending == results.count(True)
    finally:
        full.close()
    roomy = TelemetryStore.open(url_of(db))  # opening flushes the spool
    try:
        assert roomy.health().spool_pending == 0
        assert roomy.stats().total_outcomes == 40
    finally:
        roomy.close()


def test_unopenable_database_spools_and_keeps_plans_in_memory(tmp_path: Path) -> None:
    db = tmp_path / "routesmith.db"
    db.mkdir()  # a directory where the file should be: SQLite cannot open it, the spool dir is writable
    store = TelemetryStore.open(url_of(db), retry_s=3600)
    try:
        h = store.health()
        assert h.degraded and not h.writable and h.problems and h.fixes
        assert store.record_outcome(model="m", success=True, host="codex").spooled
        plan = PlanResult(plan_id="mem", host=HostIdentity(id="codex", confidence=1), preference="cost", steps=[],
                          rationale="r")
        store.save_plan(plan, "prompt")
        assert store.load_plan("mem") == plan
        with pytest.raises(StoreError, match="fix"):
            store.stats()
        line = json.loads((tmp_path / "routesmith.db.spool.jsonl").read_text())
        assert line["model"] == "m" and line["host"] == "codex"
    finally:
        store.close()


def test_nothing_writable_raises_with_the_fix(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a dir")
    store = TelemetryStore.open(home=blocker / "home")
    try:
        assert store.degraded
        with pytest.raises(StoreError, match="spool .* cannot be written.*fix: make"):
            store.record_outcome(model="m", success=True, host="codex")
    finally:
        store.close()


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0, reason="root ignores directory permissions")
def test_read_only_directory(tmp_path: Path) -> None:
    home = tmp_path / "ro"
    s = TelemetryStore.open(home=home)
    record(s, 2)
    s.close()
    os.chmod(home / "routesmith.db", 0o400)
    os.chmod(home, 0o500)
    try:
        store = TelemetryStore.open(home=home)
        try:
            with pytest.raises(StoreError, match="writable"):
                store.record_outcome(model="m", success=True, host="codex")
            assert store.stats().total_outcomes == 2  # read-only fallback still answers
            assert store.health().problems
        finally:
            store.close()
    finally:
        os.chmod(home, 0o700)


def test_postgres_down_spools(tmp_path: Path, _routesmith_home: Path) -> None:
    store = TelemetryStore.open("postgresql+psycopg://u:secret@127.0.0.1:1/none", retry_s=3600)
    try:
        assert store.degraded and "secret" not in store.health().model_dump_json()
        assert store.record_outcome(model="m", success=True, host="codex").spooled
        assert (_routesmith_home / "routesmith.db.spool.jsonl").exists()
    finally:
        store.close()


def test_spool_concurrent_appends_and_claims(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "s.jsonl")
    got: list[dict] = []

    def writer(k: int) -> None:
        for i in range(100):
            spool.append({"k": k, "i": i})

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        for claim in spool.claims():
            got.extend(spool.read(claim))
            claim.unlink()
    for t in threads:
        t.join()
    for claim in spool.claims():
        got.extend(spool.read(claim))
        claim.unlink()
    assert sorted((d["k"], d["i"]) for d in got) == [(k, i) for k in range(4) for i in range(100)]


def test_spool_keeps_unreadable_lines(tmp_path: Path) -> None:
    spool = Spool(tmp_path / "s.jsonl")
    spool.append({"a": 1})
    with spool.path.open("ab") as fh:
        fh.write(b"{half a line\n")
    (claim,) = spool.claims()
    assert spool.read(claim) == [{"a": 1}]
    assert spool.rejected_path.read_bytes() == b"{half a line\n"
