"""The learner's evidence query and the savings view."""

from __future__ import annotations

import pytest

from routesmith_mcp.store import StrongestModel, TelemetryStore
from routesmith_mcp.store.evidence import load_evidence

T0 = 1_750_000_000.0
DAY = 86400.0


def test_evidence_weights_recent_and_tail(store: TelemetryStore) -> None:
    events = [("a", i % 3 != 0, T0 + i * 0.37 * DAY, 100.0 + i) for i in range(30)]
    events += [("b", True, T0 + i * 1.1 * DAY, 50.0) for i in range(6)]
    events += [("a", True, T0, 1.0)]  # another host: must not count
    for j, (model, ok, at, dur) in enumerate(events):
        store.record_outcome(model=model, success=ok, host="codex" if j == len(events) - 1 else "claude-code",
                             capability="coding", task_type="coding", duration_ms=dur, cost_usd=0.01, recorded_at=at)
    now = T0 + 12 * DAY
    ev = load_evidence(store.engine, host="claude-code", capability="coding", half_life_days=7.0, now=now, recent=10)
    assert set(ev) == {"a", "b"}
    a = ev["a"]
    mine = events[:30]
    want_n = sum(2 ** (-(now - t) / DAY / 7.0) for _, _, t, _ in mine)
    want_s = sum(2 ** (-(now - t) / DAY / 7.0) for _, ok, t, _ in mine if ok)
    assert a.n == pytest.approx(want_n, rel=1e-3) and a.successes == pytest.approx(want_s, rel=1e-3)
    assert (a.raw_n, a.raw_successes) == (30, 20)
    assert a.recent_n == 10 and a.recent_successes == sum(ok for _, ok, _, _ in mine[-10:])
    assert a.mean_cost_usd == pytest.approx(0.01) and a.p50_ms == pytest.approx(114.0, rel=0.033)
    assert ev["b"].raw_n == 6
    # `now` hides later outcomes; task_type narrows
    early = store.evidence(host="claude-code", capability="coding", now=T0 + 1.0 * DAY)
    assert early["a"].raw_n == 3 and early["b"].raw_n == 1
    assert store.evidence(host="claude-code", capability="coding", task_type="review") == {}


def test_savings_view(store: TelemetryStore) -> None:
    for _ in range(2):  # ran on the cheap model, cost known
        store.record_outcome(model="haiku", success=True, host="claude-code", input_tokens=1_000_000,
                             output_tokens=100_000, cost_usd=1.5)
    store.record_outcome(model="opus", success=True, host="claude-code", input_tokens=1_000_000,
                         output_tokens=0)  # strongest, no cost: priced at its own rate
    store.record_outcome(model="haiku", success=True, host="claude-code")  # no tokens: not compared
    store.record_outcome(model="x", success=True, host="zed", input_tokens=5, output_tokens=5, cost_usd=1.0)
    rep = store.savings(strongest={"claude-code": StrongestModel(model="opus", input_usd_per_mtok=15,
                                                                 output_usd_per_mtok=75)})
    rows = {(r.host, r.model): r for r in rep.rows}
    haiku = rows[("claude-code", "haiku")]
    assert (haiku.n, haiku.compared) == (3, 2)
    assert haiku.actual_cost_usd == pytest.approx(3.0) and haiku.strongest_cost_usd == pytest.approx(2 * 22.5)
    opus = rows[("claude-code", "opus")]
    assert opus.compared == 1 and opus.saved_usd == pytest.approx(0.0)
    assert rep.saved_usd == pytest.approx(42.0) and rep.saved_pct == pytest.approx(42.0 / 60.0)
    assert rep.not_compared == 2 and any("zed" in n for n in rep.notes)
    by_fn = store.savings(strongest=lambda h: ("opus", 15.0, 75.0) if h == "claude-code" else None,  # type: ignore
                          model="haiku")
    assert by_fn.saved_usd == pytest.approx(42.0)
