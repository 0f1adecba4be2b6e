"""engine.learn: posteriors, intervals, the confident-move rule, exploration schedule, pins, preferences."""

from __future__ import annotations

import pytest

from routesmith_mcp.engine.learn import (
    Candidate,
    LearningParams,
    ModelEvidence,
    beta_interval,
    choose,
    combine_evidence,
    posterior,
    prior_mean,
    prob_greater,
    recency_weight,
)

NO_EXPLORE = LearningParams(explore_rate=0.0)
CANDS = [
    Candidate("big", quality_tier=5, cost_tier=5, default_rank=0),
    Candidate("mid", quality_tier=3, cost_tier=2, default_rank=1),
    Candidate("small", quality_tier=1, cost_tier=1, default_rank=2),
]


def ev(model: str, n: int, s: int, *, p50: float | None = None, cost: float | None = None,
       recent: tuple[int, int] = (0, 0)) -> ModelEvidence:
    return ModelEvidence(model, float(n), float(s), n, s, p50, cost, recent[0], recent[1])


def test_recency_weight_halves_at_each_half_life() -> None:
    assert recency_weight(0.0, 14.0) == 1.0
    assert recency_weight(14.0, 14.0) == pytest.approx(0.5)
    assert recency_weight(28.0, 14.0) == pytest.approx(0.25)
    assert recency_weight(-3.0, 14.0) == 1.0  # clock skew: a future outcome counts fully


def test_prior_rises_with_tier_and_evidence_moves_the_posterior() -> None:
    means = [prior_mean(t) for t in range(1, 6)]
    assert means == sorted(means) and len(set(means)) == 5 and 0.5 < means[0] < means[-1] < 1.0
    c = Candidate("m", 3, 3, 0)
    prior = posterior(c, None)
    assert prior.mean == pytest.approx(prior_mean(3))
    few = posterior(c, ev("m", 4, 0))
    many = posterior(c, ev("m", 400, 0))
    assert many.mean < few.mean < prior.mean  # evidence pulls toward 0 %, more evidence pulls harder
    assert many.mean < 0.02 and many.var < few.var < prior.var


def test_beta_interval_matches_known_values() -> None:
    lo, hi = beta_interval(1.0, 1.0, 0.9)  # uniform
    assert (lo, hi) == (pytest.approx(0.05, abs=1e-6), pytest.approx(0.95, abs=1e-6))
    lo, hi = beta_interval(2.0, 3.0, 0.5)  # CDF(0.5) = 11/16, so the median is below 0.5
    assert lo < 0.3857 < hi  # the exact median of Beta(2, 3) is 0.3857
    narrow = beta_interval(90.0, 10.0)
    wide = beta_interval(9.0, 1.0)
    assert narrow[0] < 0.9 < narrow[1] and (narrow[1] - narrow[0]) < (wide[1] - wide[0])


def test_prob_greater_is_symmetric_and_sane() -> None:
    assert prob_greater(0.5, 0.01, 0.5, 0.01) == pytest.approx(0.5)
    p = prob_greater(0.8, 0.001, 0.6, 0.001)
    assert p > 0.99 and prob_greater(0.6, 0.001, 0.8, 0.001) == pytest.approx(1 - p)


def test_choice_is_deterministic() -> None:
    evidence = {"big": ev("big", 40, 30, p50=9000, cost=0.2), "mid": ev("mid", 12, 11, p50=4000, cost=0.02)}
    first = choose(CANDS, evidence, "balanced")
    for _ in range(5):
        again = choose(CANDS, dict(reversed(list(evidence.items()))), "balanced")
        assert (again.model, again.moved, again.reason, again.scores) == (
            first.model, first.moved, first.reason, first.scores)


def test_no_evidence_keeps_the_default() -> None:
    choice = choose(CANDS, {}, "balanced")
    assert choice.model == "big" and not choice.moved and not choice.exploring
    assert "no outcomes yet" in choice.reason


def test_little_evidence_does_not_move() -> None:
    evidence = {"big": ev("big", 10, 5), "mid": ev("mid", 3, 3)}  # three lucky runs must not take over
    choice = choose(CANDS, evidence, "balanced", NO_EXPLORE)
    assert choice.model == "big" and not choice.moved
    assert "only 3 outcome(s)" in choice.reason


def test_strong_evidence_moves_and_cites_numbers() -> None:
    evidence = {"big": ev("big", 50, 20, p50=30_000, cost=0.30), "mid": ev("mid", 50, 45, p50=12_000, cost=0.02)}
    choice = choose(CANDS, evidence, "balanced", NO_EXPLORE)
    assert choice.model == "mid" and choice.moved
    for bit in ("45/50", "20/50", "90% CI", "p50 12.0 s", "$0.0200/task", ">= 0.90"):
        assert bit in choice.reason, bit
    assert choice.scores["mid"] > choice.scores["big"]


def test_higher_confidence_needs_more_evidence() -> None:
    evidence = {"big": ev("big", 20, 12), "mid": ev("mid", 8, 7)}
    loose = choose(CANDS, evidence, "balanced", LearningParams(explore_rate=0.0, confidence=0.6))
    strict = choose(CANDS, evidence, "balanced", LearningParams(explore_rate=0.0, confidence=0.999))
    assert loose.moved and not strict.moved


def test_pin_beats_any_evidence() -> None:
    evidence = {"big": ev("big", 500, 50), "mid": ev("mid", 500, 495)}
    choice = choose(CANDS, evidence, "balanced", pinned="small")
    assert choice.model == "small" and not choice.moved and "pinned" in choice.reason


def test_preference_decides_cost_versus_quality() -> None:
    # Both well measured: the expensive default is a bit better, the cheap one costs 1/30 as much.
    evidence = {"big": ev("big", 300, 276, p50=20_000, cost=0.30), "small": ev("small", 300, 264, p50=20_000,
                                                                                   cost=0.01)}
    quality = choose(CANDS, evidence, "quality", NO_EXPLORE)
    cost = choose(CANDS, evidence, "cost", NO_EXPLORE)
    assert quality.model == "big" and not quality.moved
    assert cost.model == "small" and cost.moved


def test_exploration_follows_a_count_schedule() -> None:
    params = LearningParams(explore_rate=0.03)
    # Too few outcomes in total: nobody is explored yet.
    assert not choose(CANDS, {"big": ev("big", 5, 3)}, "balanced", params).exploring
    # A poor default with plenty of outcomes: the untried challengers are scheduled, the cheaper-ranked first.
    poor = {"big": ev("big", 200, 100)}
    first = choose(CANDS, poor, "balanced", params)
    assert first.exploring and first.model == "mid" and not first.moved and "Exploring mid" in first.reason
    # Once a challenger has its share and is clearly worse, it is no longer explored.
    good = {"big": ev("big", 200, 190), "mid": ev("mid", 40, 10), "small": ev("small", 40, 8)}
    assert choose(CANDS, good, "balanced", params).model == "big"
    # explore_rate = 0 turns it off.
    assert choose(CANDS, poor, "balanced", NO_EXPLORE).model == "big"


def test_drift_sets_old_evidence_aside() -> None:
    c = Candidate("big", 5, 5, 0)
    steady = posterior(c, ev("big", 300, 270, recent=(30, 27)))
    drifted = posterior(c, ev("big", 300, 255, recent=(30, 12)))
    assert not steady.drift and drifted.drift
    assert drifted.mean < 0.5 < steady.mean


def test_combine_prefers_task_type_evidence_once_it_is_enough() -> None:
    cap = {"big": ev("big", 100, 90), "mid": ev("mid", 100, 50)}
    task = {"big": ev("big", 25, 10), "mid": ev("mid", 5, 5)}
    merged = combine_evidence(task, cap, LearningParams(task_type_min_samples=20))
    assert merged["big"].raw_n == 25 and merged["mid"].raw_n == 100


def test_choose_needs_candidates() -> None:
    with pytest.raises(ValueError):
        choose([], {}, "balanced")
