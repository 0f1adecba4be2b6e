"""Learning from recorded outcomes: pick a model for one (host, capability[, task type]) from evidence.

Pure, deterministic, stdlib only, no I/O. The method, in order:

1. **Success posterior.** Each candidate gets a Beta posterior on its success probability. The prior mean rises
   with the model's quality tier in the host profile (`prior_mean(tier)`: tier 1 -> 0.55 .. tier 5 -> 0.87 by
   default) and its strength is a few pseudo-observations (`prior_strength`, default 4), so a handful of lucky runs
   cannot outweigh what the profile says. Evidence is recency weighted: an outcome `age` days old counts
   `2 ** (-age / half_life_days)` (see `recency_weight`), so models and prompts may drift.
2. **Drift check.** When the store also supplies each model's most recent outcomes (`recent_n`,
   `recent_successes`), and they are implausible under the older evidence (tail probability of the beta-binomial
   predictive below `drift_alpha`), the older evidence is dropped for that model: a sudden change is followed
   within tens of tasks instead of within a half-life. The test runs on every choice, so `drift_alpha` is small.
3. **Utility.** `utility = p_success - w_cost * relative_cost - w_latency * relative_latency`, with weights set
   by the preference (cost / balanced / quality, `PREFERENCE_WEIGHTS`). Relative cost and latency are in [0, 1]
   (divided by the largest among the candidates); they come from the evidence (mean cost, median latency) and,
   for a model without any, from its cost tier (each tier ~2.5x the one below; anchored on observed models when
   there are some) and the median of the observed latencies.
4. **Moving off the default.** The profile's default (rank 0) is kept unless a challenger with at least
   `min_samples` real outcomes beats it with posterior probability >= `confidence`:
   P(U_challenger > U_default) is the normal approximation of the difference of the two Beta posteriors (costs
   and latencies taken as known), which is deterministic.
   Among several challengers that all pass, the one with the highest optimistic score (posterior mean utility +
   `optimism` x its sd) wins, so close contenders share traffic until their evidence separates them (the
   deterministic upper-confidence-bound rule, applied only among models already shown to beat the default).
5. **Exploration (deterministic).** Without it a wrong default would never be found out, because nobody would run
   the challengers. A challenger is explored when (a) it is still plausibly better than the exploited choice,
   P = P(U_c > U_chosen) >= `explore_min_prob`, and (b) its recency-weighted sample count is below its share
   `explore_rate * min(P / (1 - P), 8) * N` of the N recency-weighted outcomes in this slot. Because counts
   grow with every recorded outcome, this is a fixed schedule derived from the data: about `explore_rate` of
   traffic for a challenger that is as likely better as worse, more for one that looks better, less for one that
   looks worse, none at all before `1 / explore_rate` outcomes exist, and none for a challenger whose evidence
   says it is worse. Recency weighting lets old counts fade, so exploration resumes slowly for models
   that have not been tried in a while (the world may have changed). The challenger furthest below its share
   goes first (ties: the profile's order). `explore_rate = 0` turns it off.
6. **Pinning.** A pinned model is returned as is, whatever the evidence.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from routesmith_mcp.engine.types import Preference

__all__ = [
    "PREFERENCE_WEIGHTS",
    "Candidate",
    "LearnedChoice",
    "LearningParams",
    "ModelEvidence",
    "Posterior",
    "beta_interval",
    "choose",
    "combine_evidence",
    "posterior",
    "prior_mean",
    "prob_greater",
    "recency_weight",
]

# (w_cost, w_latency) per preference, in units of success probability: under "balanced", going from the
# cheapest to the most expensive candidate is worth 10 points of success rate.
PREFERENCE_WEIGHTS: Mapping[Preference, tuple[float, float]] = {
    "quality": (0.02, 0.01),
    "balanced": (0.10, 0.05),
    "cost": (0.35, 0.05),
}
COST_TIER_RATIO = 2.5  # assumed price ratio between neighbouring cost tiers when no cost was observed
MAX_EXPLORE_ODDS = 8.0  # cap on the odds factor of the exploration share


@dataclass(frozen=True, slots=True)
class ModelEvidence:
    """Aggregated, recency-weighted outcomes of one model in one (host, capability[, task_type]).

    `recent_n` / `recent_successes` (optional) count the model's most recent outcomes, unweighted; they are
    also part of `n` / `successes`. They feed the drift check only.
    """

    model: str
    n: float
    successes: float
    raw_n: int
    raw_successes: int
    p50_ms: float | None = None
    mean_cost_usd: float | None = None
    recent_n: int = 0
    recent_successes: int = 0


@dataclass(frozen=True, slots=True)
class Candidate:
    """A model the host profile offers for this capability/preference."""

    model: str
    quality_tier: int
    cost_tier: int
    default_rank: int


@dataclass(frozen=True, slots=True)
class LearningParams:
    """Knobs of the learner; the defaults are the documented behaviour."""

    half_life_days: float = 14.0
    confidence: float = 0.9
    min_samples: int = 5
    prior_strength: float = 4.0
    prior_base: float = 0.55
    prior_step: float = 0.08
    explore_rate: float = 0.03
    explore_min_prob: float = 0.2
    optimism: float = 1.0
    drift_alpha: float = 1e-4
    drift_min_recent: int = 10
    interval: float = 0.9
    task_type_min_samples: int = 20


@dataclass(frozen=True, slots=True)
class LearnedChoice:
    """The chosen model, whether evidence moved it off the default, why (with numbers), and each utility."""

    model: str
    moved: bool
    reason: str
    scores: dict[str, float] = field(default_factory=dict)
    exploring: bool = False


@dataclass(frozen=True, slots=True)
class Posterior:
    """Beta(alpha, beta) on a model's success probability, and whether the drift check cut old evidence."""

    alpha: float
    beta: float
    drift: bool = False

    @property
    def mean(self) -> float:
        return self.alpha / (self.alpha + self.beta)

    @property
    def var(self) -> float:
        s = self.alpha + self.beta
        return self.alpha * self.beta / (s * s * (s + 1.0))


def recency_weight(age_days: float, half_life_days: float) -> float:
    """Weight of an outcome `age_days` old: 1 now, 1/2 at one half-life, 1/4 at two (future ages count 1)."""
    if half_life_days <= 0 or math.isinf(half_life_days):
        return 1.0
    return 2.0 ** (-max(age_days, 0.0) / half_life_days)


def prior_mean(quality_tier: int, params: LearningParams = LearningParams()) -> float:
    """Prior success probability for a quality tier (1..5), rising with the tier."""
    tier = min(max(quality_tier, 1), 5)
    return min(max(params.prior_base + params.prior_step * (tier - 1), 0.01), 0.99)


def posterior(candidate: Candidate, ev: ModelEvidence | None, params: LearningParams = LearningParams()) -> Posterior:
    """The Beta posterior of one candidate: tier prior plus (drift-checked) recency-weighted evidence."""
    mu = prior_mean(candidate.quality_tier, params)
    a0, b0 = params.prior_strength * mu, params.prior_strength * (1.0 - mu)
    if ev is None or ev.n <= 0:
        return Posterior(a0, b0)
    n, s = ev.n, min(max(ev.successes, 0.0), ev.n)
    drift = _drifted(ev, params)
    if drift:
        n, s = float(ev.recent_n), float(ev.recent_successes)
    return Posterior(a0 + s, b0 + (n - s), drift)


def _drifted(ev: ModelEvidence, params: LearningParams) -> bool:
    """Are the most recent outcomes implausible under the older ones? (beta-binomial predictive tail test)

    The older evidence (all minus the recent window) gives Beta(old_s + 1, old_f + 1); the recent window's success
    count is compared with that posterior's predictive distribution, and drift means its tail probability, in the
    direction observed, is below `drift_alpha`. Exact for small windows, and honest when the older evidence is thin.
    """
    k, r = ev.recent_n, ev.recent_successes
    if k < params.drift_min_recent:
        return False
    old_n = ev.n - k
    if old_n < params.drift_min_recent:
        return False
    old_s = min(max(ev.successes - r, 0.0), old_n)
    a, b = old_s + 1.0, (old_n - old_s) + 1.0
    log_norm = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)

    def pmf(i: int) -> float:
        return math.exp(
            math.lgamma(k + 1) - math.lgamma(i + 1) - math.lgamma(k - i + 1)
            + math.lgamma(i + a) + math.lgamma(k - i + b) - math.lgamma(k + a + b) + log_norm
        )

    below = r / k < a / (a + b)
    tail = sum(pmf(i) for i in (range(r + 1) if below else range(r, k + 1)))
    return tail < params.drift_alpha


def _phi(z: float) -> float:
    return 0.5 * math.erfc(-z / math.sqrt(2.0))


def prob_greater(mean_a: float, var_a: float, mean_b: float, var_b: float) -> float:
    """P(A > B) for independent A, B under a normal approximation."""
    sd = math.sqrt(max(var_a + var_b, 1e-12))
    return _phi((mean_a - mean_b) / sd)


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction for the regularized incomplete beta (Numerical Recipes, modified Lentz)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c, d = 1.0, 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-12:
            break
    return h


def _betainc(a: float, b: float, x: float) -> float:
    """Regularized incomplete beta I_x(a, b)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    lbt = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(lbt) * _betacf(a, b, x) / a
    return 1.0 - math.exp(lbt) * _betacf(b, a, 1.0 - x) / b


def beta_interval(alpha: float, beta: float, level: float = 0.9) -> tuple[float, float]:
    """Equal-tailed credible interval of Beta(alpha, beta), by bisection on the exact CDF."""

    def quantile(q: float) -> float:
        lo, hi = 0.0, 1.0
        for _ in range(24):  # 2**-24 < 1e-7: far finer than the percentages the reasons print
            mid = 0.5 * (lo + hi)
            if _betainc(alpha, beta, mid) < q:
                lo = mid
            else:
                hi = mid
        return 0.5 * (lo + hi)

    tail = (1.0 - level) / 2.0
    return quantile(tail), quantile(1.0 - tail)


def combine_evidence(
    task_evidence: Mapping[str, ModelEvidence],
    capability_evidence: Mapping[str, ModelEvidence],
    params: LearningParams = LearningParams(),
) -> dict[str, ModelEvidence]:
    """Per model, the task-type evidence where it has `task_type_min_samples` outcomes, else the capability's."""
    out = dict(capability_evidence)
    for model, ev in task_evidence.items():
        if ev.raw_n >= params.task_type_min_samples:
            out[model] = ev
    return out


def _relative_costs(candidates: Sequence[Candidate], evidence: Mapping[str, ModelEvidence]) -> dict[str, float]:
    """Cost per task of each candidate relative to the most expensive one (observed, else from cost tiers)."""
    observed = {
        c.model: ev.mean_cost_usd
        for c in candidates
        if (ev := evidence.get(c.model)) is not None and ev.mean_cost_usd is not None and ev.mean_cost_usd > 0
    }
    tier = {c.model: c.cost_tier for c in candidates}
    if observed:
        # Anchor the tier scale on the observed models: geometric mean of obs * ratio ** (tier - tier_obs).
        logs = [math.log(cost) - (tier[m] - 1) * math.log(COST_TIER_RATIO) for m, cost in observed.items()]
        base = math.exp(sum(logs) / len(logs))
    else:
        base = 1.0
    est = {
        c.model: observed.get(c.model, base * COST_TIER_RATIO ** (c.cost_tier - 1)) for c in candidates
    }
    top = max(est.values(), default=0.0)
    return {m: (v / top if top > 0 else 0.0) for m, v in est.items()}


def _relative_latencies(candidates: Sequence[Candidate], evidence: Mapping[str, ModelEvidence]) -> dict[str, float]:
    """Median latency of each candidate relative to the slowest; unobserved ones get the median of the rest."""
    observed = sorted(
        ev.p50_ms for c in candidates if (ev := evidence.get(c.model)) is not None and ev.p50_ms is not None
    )
    if not observed:
        return {c.model: 0.0 for c in candidates}
    mid = len(observed) // 2
    fill = observed[mid] if len(observed) % 2 else 0.5 * (observed[mid - 1] + observed[mid])
    est = {}
    for c in candidates:
        ev = evidence.get(c.model)
        est[c.model] = ev.p50_ms if ev is not None and ev.p50_ms is not None else fill
    top = max(est.values())
    return {m: (v / top if top > 0 else 0.0) for m, v in est.items()}


def _fmt_ms(ms: float | None) -> str:
    if ms is None:
        return "p50 n/a"
    return f"p50 {ms / 1000:.1f} s" if ms >= 1000 else f"p50 {ms:.0f} ms"


def _describe(model: str, ev: ModelEvidence | None, post: Posterior, params: LearningParams) -> str:
    """'model: 42/48 ok (87.5%, 90% CI 76-93%), p50 12.3 s, $0.0040/task'."""
    lo, hi = beta_interval(post.alpha, post.beta, params.interval)
    level = f"{params.interval:.0%}"
    if ev is None or ev.raw_n == 0:
        return f"{model}: no outcomes yet (prior {post.mean:.0%}, {level} CI {lo:.0%}-{hi:.0%})"
    cost = f"${ev.mean_cost_usd:.4f}/task" if ev.mean_cost_usd is not None else "cost n/a"
    drift = "; recent outcomes differ, older ones set aside" if post.drift else ""
    return (
        f"{model}: {ev.raw_successes}/{ev.raw_n} ok (weighted n={ev.n:.1f}, rate {ev.successes / ev.n:.1%}; "
        f"posterior {post.mean:.1%}, {level} CI {lo:.0%}-{hi:.0%}), {_fmt_ms(ev.p50_ms)}, {cost}{drift}"
    )


def choose(
    candidates: Sequence[Candidate],
    evidence: Mapping[str, ModelEvidence],
    preference: Preference,
    params: LearningParams = LearningParams(),
    *,
    pinned: str | None = None,
) -> LearnedChoice:
    """Pick a model: the pin, else the default unless evidence beats it with confidence, else explore on schedule.

    The candidate with the lowest `default_rank` is the default. `moved` is True only when evidence beat the
    default with confidence; a scheduled exploration sets `exploring` instead. A pure function of the arguments.
    """
    if pinned is not None:
        return LearnedChoice(pinned, False, f"{pinned} is pinned by the user; evidence is not consulted.", {})
    if not candidates:
        raise ValueError("choose() needs at least one candidate")
    ordered = sorted(candidates, key=lambda c: (c.default_rank, c.model))
    default = ordered[0]
    w_cost, w_lat = PREFERENCE_WEIGHTS.get(preference, PREFERENCE_WEIGHTS["balanced"])
    rel_cost = _relative_costs(ordered, evidence)
    rel_lat = _relative_latencies(ordered, evidence)
    post = {c.model: posterior(c, evidence.get(c.model), params) for c in ordered}
    penalty = {c.model: w_cost * rel_cost[c.model] + w_lat * rel_lat[c.model] for c in ordered}
    utility = {m: post[m].mean - penalty[m] for m in post}
    scores = {m: round(u, 6) for m, u in utility.items()}

    def p_better(a: str, b: str) -> float:
        return prob_greater(utility[a], post[a].var, utility[b], post[b].var)

    def raw_n(m: str) -> int:
        ev = evidence.get(m)
        return ev.raw_n if ev is not None else 0

    def weighted_n(m: str) -> float:
        ev = evidence.get(m)
        return ev.n if ev is not None else 0.0

    passing = [
        (c.model, p_better(c.model, default.model))
        for c in ordered[1:]
        if raw_n(c.model) >= params.min_samples and p_better(c.model, default.model) >= params.confidence
    ]
    pref_note = f"preference {preference}: utility = success - {w_cost:g} x rel. cost - {w_lat:g} x rel. latency"
    if passing:
        # Among challengers that all beat the default with confidence, pick by an optimistic score (posterior
        # mean utility + optimism x sd): close contenders then share traffic until their evidence separates them.
        best, prob = max(
            passing,
            key=lambda mp: (utility[mp[0]] + params.optimism * math.sqrt(post[mp[0]].var), -_rank(ordered, mp[0])),
        )
        chosen, moved = best, True
        reason = (
            f"Evidence moved off the default: P({best} has higher utility than {default.model}) = {prob:.2f} "
            f">= {params.confidence:.2f} ({pref_note}). "
            f"{_describe(best, evidence.get(best), post[best], params)}; "
            f"default {_describe(default.model, evidence.get(default.model), post[default.model], params)}."
        )
    else:
        chosen, moved = default.model, False
        reason = _stay_reason(ordered, evidence, post, utility, default, p_better, params, pref_note)

    # Deterministic exploration: see the module docstring, step 5.
    total_n = sum(weighted_n(c.model) for c in ordered)
    total_raw = sum(raw_n(c.model) for c in ordered)
    if params.explore_rate > 0 and len(ordered) > 1 and total_raw * params.explore_rate >= 1.0:
        share = {c.model: _share(p_better(c.model, chosen), params) for c in ordered}
        pool = [
            c
            for c in ordered
            if c.model != chosen
            and p_better(c.model, chosen) >= params.explore_min_prob
            and weighted_n(c.model) < share[c.model] * total_n
        ]
        if pool:
            pick = min(pool, key=lambda c: (weighted_n(c.model) / share[c.model], c.default_rank, c.model))
            reason = (
                f"Exploring {pick.model} (scheduled: its weighted n={weighted_n(pick.model):.1f} is below its "
                f"{share[pick.model]:.1%} share of the {total_n:.1f} weighted outcomes here, "
                f"{params.explore_rate:.0%} x the odds that it beats {chosen}, P = {p_better(pick.model, chosen):.2f}); "
                f"otherwise: {reason}"
            )
            return LearnedChoice(pick.model, False, reason, scores, exploring=True)
    return LearnedChoice(chosen, moved, reason, scores)


def _rank(ordered: Sequence[Candidate], model: str) -> int:
    return next(c.default_rank for c in ordered if c.model == model)


def _stay_reason(
    ordered: Sequence[Candidate],
    evidence: Mapping[str, ModelEvidence],
    post: Mapping[str, Posterior],
    utility: Mapping[str, float],
    default: Candidate,
    p_better: Callable[[str, str], float],
    params: LearningParams,
    pref_note: str,
) -> str:
    """Why the default stays, naming the strongest challenger and what it lacks."""
    head = f"Profile default {default.model} kept ({pref_note}). " + _describe(
        default.model, evidence.get(default.model), post[default.model], params
    )
    challengers = ordered[1:]
    if not challengers:
        return head + "."
    best = max(challengers, key=lambda c: (utility[c.model], -c.default_rank))
    ev = evidence.get(best.model)
    n = ev.raw_n if ev is not None else 0
    prob = p_better(best.model, default.model)
    if n == 0:
        why = "untried here"
    elif n < params.min_samples:
        why = f"only {n} outcome(s), fewer than the {params.min_samples} needed"
    else:
        why = f"P(better) = {prob:.2f} < {params.confidence:.2f}"
    return f"{head}. Strongest challenger {_describe(best.model, ev, post[best.model], params)}: {why}."


def _share(p: float, params: LearningParams) -> float:
    """Exploration share of a challenger that beats the current choice with probability p: rate x odds (<= 8)."""
    return params.explore_rate * min(p / max(1.0 - p, 1e-9), MAX_EXPLORE_ODDS)
