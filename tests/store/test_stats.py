"""get_stats: grouping, Wilson intervals, percentiles, filters, ordering; same answers on SQLite and PostgreSQL."""

from __future__ import annotations

import math
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from routesmith_mcp.store import StoreInputError, TelemetryStore
from routesmith_mcp.store.histogram import percentile
from routesmith_mcp.store.stats import wilson

DAY = 86400.0


def seed(store: TelemetryStore) -> None:
    now = time.time()
    rows = [
        # model, capability, task_type, host, success, duration, age_days, cost
        ("opus", "deep_reasoning", "planning", "claude-code", True, 3000.0, 0, 0.30),
        ("opus", "deep_reasoning", "planning", "claude-code", True, 5000.0, 1, 0.50),
        ("opus", "deep_reasoning", "review", "claude-code", False, 7000.0, 10, 0.70),
        ("sonnet", "coding", "coding", "claude-code", True, 1000.0, 0, 0.05),
        ("sonnet", "coding", "coding", "claude-code", True, 2000.0, 0, 0.05),
        ("sonnet", "coding", "testing", "codex", False, None, 3, None),
        ("sonnet", "coding", "coding", "codex", True, 3000.0, 20, 0.05),
        ("haiku", "fast", "formatting", "codex", True, 100.0, 0, 0.001),
    ]
    for model, cap, tt, host, ok, dur, age, cost in rows:
        store.record_outcome(model=model, capability=cap, task_type=tt, host=host, success=ok, duration_ms=dur,
                             cost_usd=cost, input_tokens=100, output_tokens=10, recorded_at=now - age * DAY - 60)


def test_default_grouping_and_order(store: TelemetryStore) -> None:
    seed(store)
    stats = store.stats()
    assert stats.total_outcomes == 8 and stats.group_by == ["model", "capability"]
    assert [(r.model, r.capability, r.n) for r in stats.rows] == [
        ("sonnet", "coding", 4), ("opus", "deep_reasoning", 3), ("haiku", "fast", 1)]
    sonnet = stats.rows[0]
    assert sonnet.successes == 3 and sonnet.success_rate == 0.75
    assert (sonnet.ci_low, sonnet.ci_high) == pytest.approx(wilson(3, 4))
    assert sonnet.p50_ms == 2000.0 and sonnet.p95_ms == 3000.0  # the null duration is not a sample
    assert sonnet.cost_usd == pytest.approx(0.15) and sonnet.input_tokens == 400
    assert stats.rows[1].p50_ms == 5000.0 and stats.rows[1].p95_ms == 7000.0


def test_filters_and_since_days(store: TelemetryStore) -> None:
    seed(store)
    assert store.stats(host="codex").total_outcomes == 3
    assert store.stats(model="opus", task_type="planning").total_outcomes == 2
    assert store.stats(capability="fast").rows[0].model == "haiku"
    assert store.stats(since_days=2).total_outcomes == 5
    assert store.stats(since_days=0.5, host="claude-code", group_by=[]).rows[0].n == 3
    assert store.stats(model="nobody").rows == []


def test_other_groupings_and_limit(store: TelemetryStore) -> None:
    seed(store)
    by_host = store.stats(group_by=["host"])
    assert [(r.host, r.n, r.model) for r in by_host.rows] == [("claude-code", 5, None), ("codex", 3, None)]
    by_day = store.stats(group_by=["day"], limit=1)
    assert len(by_day.rows) == 1 and by_day.total_outcomes == 8
    assert by_day.rows[0].day == time.strftime("%Y-%m-%d", time.gmtime(time.time() - 60))
    overall = store.stats(group_by=[])
    assert len(overall.rows) == 1 and overall.rows[0].n == 8
    tt = store.stats(group_by=["task_type", "model"])
    assert tt.rows[0].task_type == "coding" and tt.rows[0].n == 3


@pytest.mark.parametrize("kw", [{"group_by": ["colour"]}, {"group_by": ["model", "model"]}, {"limit": 0},
                                {"limit": 10**9}, {"since_days": -1}, {"since_days": math.nan}])
def test_bad_stats_arguments(store: TelemetryStore, kw: dict[str, object]) -> None:
    with pytest.raises(StoreInputError):
        store.stats(**kw)  # type: ignore[arg-type]


def test_wilson_known_values() -> None:
    lo, hi = wilson(8, 10)
    assert lo == pytest.approx(0.4902, abs=1e-4) and hi == pytest.approx(0.9433, abs=1e-4)
    assert wilson(0, 0) == (0.0, 1.0)
    lo, hi = wilson(0, 5)
    assert lo == 0.0 and 0.4 < hi < 0.45


def nearest_rank(values: list[float], p: int) -> float:
    s = sorted(values)
    return s[max(1, math.ceil(p * len(s) / 100)) - 1]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.floats(min_value=0, max_value=1e7, allow_nan=False), min_size=1, max_size=300),
       st.sampled_from([1, 50, 90, 95, 99, 100]))
def test_histogram_percentile_is_within_one_bucket(values: list[float], p: int) -> None:
    from routesmith_mcp.store.histogram import bucket_of

    buckets: dict[int, list[float]] = {}
    for v in values:
        buckets.setdefault(bucket_of(v), []).append(v)  # type: ignore[arg-type]
    hist = sorted((b, len(vs), min(vs), max(vs)) for b, vs in buckets.items())
    got = percentile(hist, p)
    want = nearest_rank(values, p)
    assert got is not None
    assert abs(got - want) <= 0.033 * (1 + max(want, got))  # one bucket: a factor e^(1/32) of 1 + v
    if len(set(values)) == len(values) and all(len(v) == 1 for v in buckets.values()):
        assert got == want


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), st.booleans(),
                          st.one_of(st.none(), st.floats(min_value=0, max_value=1e6, allow_nan=False))),
                min_size=1, max_size=40))
def test_sql_stats_match_a_python_model(store: TelemetryStore, rows: list[tuple[str, bool, float | None]]) -> None:
    store.prune(keep=0)  # through the store, so the rollup follows
    for model, ok, dur in rows:
        store.record_outcome(model=model, success=ok, host="generic", duration_ms=dur)
    stats = store.stats(group_by=["model"])
    assert stats.total_outcomes == len(rows)
    for r in stats.rows:
        mine = [x for x in rows if x[0] == r.model]
        assert r.n == len(mine) and r.successes == sum(x[1] for x in mine)
        durs = [x[2] for x in mine if x[2] is not None]
        if not durs:
            assert r.p50_ms is None
        else:
            want = nearest_rank(durs, 50)
            assert r.p50_ms == pytest.approx(want, abs=0.033 * (1 + want))
    keys = [(-r.n, r.model) for r in stats.rows]
    assert keys == sorted(keys)
    raw = store.stats(group_by=["model"], since_days=10_000)  # a time filter reads outcomes, not the rollup
    assert raw.model_dump() == stats.model_dump()


def test_rollup_matches_outcomes_after_prune(store: TelemetryStore) -> None:
    now = time.time()
    for i in range(60):
        store.record_outcome(model=f"m{i % 2}", capability="coding", task_type="coding", host="codex",
                             success=i % 3 == 0, duration_ms=float(10 + i % 7), cost_usd=0.5, input_tokens=i,
                             recorded_at=now - i * DAY - 5)
    assert store.prune(older_than_days=30.0) == 30
    rolled = store.stats(group_by=["model", "task_type", "host"])
    raw = store.stats(group_by=["model", "task_type", "host"], since_days=10_000)
    for a, b in zip(rolled.rows, raw.rows, strict=True):
        assert (a.model, a.n, a.successes, a.input_tokens) == (b.model, b.n, b.successes, b.input_tokens)
        assert a.cost_usd == pytest.approx(b.cost_usd) and a.p50_ms == pytest.approx(b.p50_ms, rel=0.033)
    store.prune(keep=0)
    assert store.stats().rows == [] and store.stats().total_outcomes == 0
