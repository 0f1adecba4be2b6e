"""load_evidence feeding engine.learn.choose: half-life weighting through SQL, and a store-driven move."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from routesmith_mcp.engine.learn import Candidate, LearningParams, choose
from routesmith_mcp.store import TelemetryStore
from routesmith_mcp.store.evidence import load_evidence

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def test_weight_halves_at_the_half_life(store: TelemetryStore) -> None:
    store.record_outcome(model="m", success=True, host="h", capability="coding", recorded_at=NOW)
    store.record_outcome(model="m", success=False, host="h", capability="coding",
                         recorded_at=NOW - timedelta(days=14))
    store.record_outcome(model="m", success=True, host="h", capability="coding",
                         recorded_at=NOW - timedelta(days=28))
    ev = load_evidence(store.engine, host="h", capability="coding", half_life_days=14.0, now=NOW)["m"]
    assert ev.n == pytest.approx(1 + 0.5 + 0.25, rel=1e-6)
    assert ev.successes == pytest.approx(1 + 0.25, rel=1e-6)
    assert (ev.raw_n, ev.raw_successes) == (3, 2)


def test_store_evidence_moves_the_choice(store: TelemetryStore) -> None:
    """A default that fails half the time and a challenger that rarely fails, recorded over two weeks."""
    for i in range(40):
        at = NOW - timedelta(hours=8 * i)
        store.record_outcome(model="big", success=i % 2 == 0, host="h", capability="coding", task_type="coding",
                             duration_ms=30_000, cost_usd=0.30, recorded_at=at)
        store.record_outcome(model="mid", success=i % 10 != 0, host="h", capability="coding", task_type="coding",
                             duration_ms=12_000, cost_usd=0.02, recorded_at=at)
    store.record_outcome(model="mid", success=False, host="other", capability="coding", recorded_at=NOW)
    evidence = load_evidence(store.engine, host="h", capability="coding", half_life_days=14.0, now=NOW)
    assert {m: (e.raw_n, e.raw_successes) for m, e in evidence.items()} == {"big": (40, 20), "mid": (40, 36)}
    candidates = [Candidate("big", 5, 5, 0), Candidate("mid", 3, 2, 1)]
    choice = choose(candidates, evidence, "balanced", LearningParams(explore_rate=0.0))
    assert choice.model == "mid" and choice.moved and "36/40" in choice.reason
    assert choose(candidates, evidence, "balanced", pinned="big").model == "big"
