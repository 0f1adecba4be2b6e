"""Migrations: an old-schema database (written as release 1 wrote it) upgrades in place, every row kept."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import create_engine, inspect, text

from routesmith_mcp.store import TelemetryStore
from routesmith_mcp.store.migrations import MIGRATIONS, latest_version
from routesmith_mcp.store.tables import OUTCOMES, PLANS

V1_SQLITE = """
CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied_at REAL NOT NULL);
CREATE TABLE plans (plan_id TEXT PRIMARY KEY, created_at REAL NOT NULL, host TEXT NOT NULL,
    preference TEXT NOT NULL, prompt_sha256 TEXT NOT NULL, prompt_chars INTEGER NOT NULL, prompt_text TEXT,
    plan_json TEXT NOT NULL);
CREATE INDEX ix_plans_created_at ON plans (created_at);
CREATE TABLE outcomes (id INTEGER PRIMARY KEY, recorded_at REAL NOT NULL, day INTEGER NOT NULL, host TEXT NOT NULL,
    client_name TEXT, client_version TEXT, model TEXT NOT NULL, success BOOLEAN NOT NULL, plan_id TEXT,
    step_id TEXT, task_type TEXT, capability TEXT, duration_ms REAL, cost_usd REAL, error TEXT,
    source TEXT NOT NULL);
CREATE INDEX ix_outcomes_recorded_at ON outcomes (recorded_at);
CREATE INDEX ix_outcomes_plan_id ON outcomes (plan_id);
INSERT INTO _migrations VALUES ('m001_initial', 1700000000.0);
"""
V1_PG = V1_SQLITE.replace("INTEGER PRIMARY KEY,", "BIGSERIAL PRIMARY KEY,").replace(" REAL", " DOUBLE PRECISION")
PLAN_JSON = ('{"plan_id":"old-plan","host":{"id":"codex","confidence":1.0},"preference":"cost","steps":[],'
             '"rationale":"r","advisories":[]}')


def old_rows() -> list[tuple]:
    rows = []
    for i in range(1, 251):
        dur = None if i % 10 == 0 else float(i * 7)
        rows.append((i, 1_700_000_000.0 + i, 19675, "codex", "codex-cli", "0.1", f"m{i % 3}", i % 4 != 0, None, None,
                     "coding", "coding", dur, 0.001 * i, None if i % 5 else "err", "mcp"))
    return rows


def build_v1(url: str) -> None:
    insert = ("INSERT INTO outcomes (id, recorded_at, day, host, client_name, client_version, model, success, plan_id,"
              " step_id, task_type, capability, duration_ms, cost_usd, error, source) VALUES "
              "(:a0, :a1, :a2, :a3, :a4, :a5, :a6, :a7, :a8, :a9, :a10, :a11, :a12, :a13, :a14, :a15)")
    params = [{f"a{k}": v for k, v in enumerate(r)} for r in old_rows()]
    plan = {"p": "old-plan", "j": PLAN_JSON}
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(path)  # a plain rollback-journal file, as an older release might have left it
        con.executescript(V1_SQLITE)
        con.executemany(insert.replace(":a", ":a"), params)
        con.execute("INSERT INTO plans VALUES (:p, 1.0, 'codex', 'cost', 'abc', 3, NULL, :j)", plan)
        con.commit()
        con.close()
        return
    eng = create_engine(url)
    with eng.begin() as conn:
        for stmt in filter(str.strip, V1_PG.split(";")):
            conn.execute(text(stmt))
        conn.execute(text(insert), params)
        conn.execute(text("SELECT setval('outcomes_id_seq', 250)"))
        conn.execute(text("INSERT INTO plans VALUES (:p, 1.0, 'codex', 'cost', 'abc', 3, NULL, :j)"), plan)
    eng.dispose()


def test_v1_database_upgrades_in_place(db_url: str) -> None:
    build_v1(db_url)
    store = TelemetryStore.open(db_url)
    try:
        h = store.health()
        assert (h.schema_version, h.latest_schema_version) == (latest_version(), latest_version())
        assert (h.outcomes, h.plans) == (250, 1)
        insp = inspect(store.engine)
        assert {c["name"] for c in insp.get_columns("outcomes")} == {c.name for c in OUTCOMES.columns}
        assert {c["name"] for c in insp.get_columns("plans")} == {c.name for c in PLANS.columns}
        assert {i["name"] for i in insp.get_indexes("outcomes")} >= {i.name for i in OUTCOMES.indexes}
        with store.engine.connect() as conn:
            got = conn.execute(text(
                "SELECT id, recorded_at, day, host, client_name, client_version, model, success, plan_id, step_id, "
                "task_type, capability, duration_ms, cost_usd, error, source FROM outcomes ORDER BY id")).all()
            names = [r[0] for r in conn.execute(text("SELECT name FROM _migrations ORDER BY name"))]
            buckets = conn.execute(text("SELECT count(*) FROM outcomes WHERE dur_bucket IS NOT NULL")).scalar()
        assert [tuple(r[:7]) + (bool(r[7]),) + tuple(r[8:]) for r in got] == old_rows()
        assert names == [f.__name__ for f in MIGRATIONS]
        assert buckets == 225  # the histogram bucket was backfilled for every row with a duration
        assert store.load_plan("old-plan").preference == "cost"  # type: ignore[union-attr]
        new = store.record_outcome(model="m0", success=True, host="codex", input_tokens=5, duration_ms=7.0)
        assert new.outcome_id == 251
        stats = store.stats(group_by=["model"])
        assert stats.total_outcomes == 251 and stats.rows[0].p50_ms is not None
    finally:
        store.close()
    again = TelemetryStore.open(db_url)  # re-opening applies nothing twice
    try:
        assert again.health().schema_version == latest_version() and again.health().outcomes == 251
    finally:
        again.close()


def test_database_from_a_newer_release_is_reported(db_url: str) -> None:
    store = TelemetryStore.open(db_url)
    with store.engine.begin() as conn:
        conn.execute(text("INSERT INTO _migrations (name, applied_at) VALUES ('m999_from_the_future', 1.0)"))
    store.close()
    again = TelemetryStore.open(db_url)
    try:
        h = again.health()
        assert h.schema_version == latest_version() and not h.degraded
        assert any("upgrade routesmith-mcp" in p for p in h.problems)
        assert again.record_outcome(model="m", success=True, host="codex").outcome_id > 0
    finally:
        again.close()
