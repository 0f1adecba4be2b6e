"""import_file (JSONL and the original RouteSmith's performance.json v1/v2) and prune."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from routesmith_mcp.store import StoreInputError, TelemetryStore


def test_jsonl_keeps_good_lines_and_reports_bad_ones(store: TelemetryStore, tmp_path: Path) -> None:
    lines = [
        json.dumps({"model": "sonnet", "success": True, "host": "claude-code", "duration_ms": 10,
                    "recorded_at": "2026-01-02T03:04:05Z", "capability": "coding", "extra": "ignored"}),
        "{not json",
        json.dumps({"model": "opus", "success": "maybe", "host": "claude-code"}),
        "",
        json.dumps({"model": "haiku", "success": False, "host_name": "gemini_cli", "timestamp": 1.7e9,
                    "capability_class": "fast", "cost_usd": 0.5, "input_tokens": 3}),
        json.dumps([1, 2]),
        json.dumps({"model": "x", "success": True, "duration_ms": -5}),
        '{"model": "y", "success": true, "duration_ms": NaN}',
    ]
    path = tmp_path / "outcomes.jsonl"
    path.write_text("\n".join(lines) + "\n")
    rep = store.import_file(path)
    assert rep.format == "jsonl" and rep.imported == 2 and rep.rejected == 5
    assert [e.line for e in rep.errors] == [2, 3, 6, 7, 8]
    assert "not valid JSON" in rep.errors[0].message and "success must be true or false" in rep.errors[1].message
    assert "duration_ms must be >= 0" in rep.errors[3].message and "finite" in rep.errors[4].message
    rows = {r.model: r for r in store.stats(group_by=["model", "host", "day"]).rows}
    assert rows["sonnet"].day == "2026-01-02" and rows["sonnet"].host == "claude-code"
    assert rows["haiku"].host == "gemini-cli" and rows["haiku"].cost_usd == 0.5


def perf_v1() -> dict:
    return {"version": 1, "records": [
        {"model": "claude-sonnet-4-6", "task_type": "coding", "capability_class": "coding", "success": True,
         "duration_ms": 120.0, "timestamp": 1.0},
        {"model": "claude-opus-4", "task_type": "planning", "capability_class": "deep_reasoning", "success": False,
         "duration_ms": 900.0, "timestamp": 2.0},
        {"model": "broken", "task_type": "coding"},
    ]}


def perf_v2() -> dict:
    return {"schema_version": 2, "updated": 5000.0, "store": {"max_records": 500, "max_age_seconds": None},
            "records": [
                {"model": "claude-sonnet-4-6", "task_type": "coding", "capability_class": "coding",
                 "host_name": "claude_code", "source": "runtime", "success": True, "duration_ms": 100.0,
                 "timestamp": 4000.0},
                {"model": "claude-haiku-4-5", "task_type": "coding", "capability_class": "coding",
                 "host_name": "unknown", "source": "synthetic", "success": True, "duration_ms": 80.0,
                 "timestamp": 5000.0},
            ]}


@pytest.mark.parametrize(("doc", "fmt", "imported", "hosts"), [
    (perf_v1(), "routesmith-performance-v1", 2, {"generic"}),
    (perf_v2(), "routesmith-performance-v2", 2, {"claude-code", "generic"}),
])
def test_original_performance_json(store: TelemetryStore, tmp_path: Path, doc: dict, fmt: str, imported: int,
                                   hosts: set[str]) -> None:
    path = tmp_path / ".routesmith" / "performance.json"
    path.parent.mkdir()
    path.write_text(json.dumps(doc, indent=2))
    rep = store.import_file(path)
    assert (rep.format, rep.imported) == (fmt, imported)
    assert rep.rejected == len(doc["records"]) - imported
    stats = store.stats(group_by=["host", "model", "task_type"])
    assert {r.host for r in stats.rows} == hosts
    assert all(r.day is None for r in stats.rows)
    assert store.stats(group_by=["day"]).rows[0].day == "1970-01-01"


def test_import_missing_file(store: TelemetryStore, tmp_path: Path) -> None:
    with pytest.raises(StoreInputError, match="is not a file"):
        store.import_file(tmp_path / "nope.jsonl")


def test_prune_older_than_and_keep(store: TelemetryStore) -> None:
    now = time.time()
    for i in range(30):
        store.record_outcome(model="m", success=True, host="codex", recorded_at=now - i * 86400 - 10)
    assert store.prune(older_than_days=20, batch=4) == 10
    assert store.stats().total_outcomes == 20
    assert store.prune(keep=5, batch=3) == 15
    stats = store.stats(since_days=5)
    assert stats.total_outcomes == 5
    assert store.prune(keep=5) == 0
    assert store.prune(keep=0) == 5
    with pytest.raises(StoreInputError):
        store.prune()
    with pytest.raises(StoreInputError):
        store.prune(keep=-1)


def test_large_import_path_keeps_indexes_and_rollup(store: TelemetryStore, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy import inspect

    from routesmith_mcp.store import telemetry

    monkeypatch.setattr(telemetry, "BULK_IMPORT_BYTES", 0)  # take the drop-and-rebuild-indexes path on SQLite
    store.record_outcome(model="m0", success=True, host="codex", duration_ms=5.0)
    path = tmp_path / "big.jsonl"
    with path.open("w") as fh:
        for i in range(2500):
            fh.write(json.dumps({"model": f"m{i % 4}", "success": i % 5 != 0, "host": "codex", "duration_ms": i % 90,
                                 "capability": "coding", "recorded_at": 1.7e9 + i}) + "\n")
        fh.write("garbage\n")
    before = {i["name"] for i in inspect(store.engine).get_indexes("outcomes")}
    rep = store.import_file(path, batch=1000)
    assert (rep.imported, rep.rejected, rep.errors[0].line) == (2500, 1, 2501)
    assert {i["name"] for i in inspect(store.engine).get_indexes("outcomes")} == before
    rolled = store.stats(group_by=["model"])
    raw = store.stats(group_by=["model"], since_days=100_000)
    assert rolled.total_outcomes == raw.total_outcomes == 2501
    assert [(r.model, r.n, r.successes, r.p50_ms) for r in rolled.rows] == \
        [(r.model, r.n, r.successes, r.p50_ms) for r in raw.rows]
