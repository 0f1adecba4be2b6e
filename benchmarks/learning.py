"""Learning benchmark: cumulative regret of three routing policies in simulated worlds with known truths.

Each world has four models for one (host, capability) with true success rates, median latencies and mean costs;
a stream of tasks arrives on a simulated clock (10 tasks per simulated day by default, so the 14-day half-life is
~200 tasks). Policies:

* static    - always the profile's default (first in the route list);
* threshold - the original RouteSmith rule: over the last 500 stored records, a model with >= 3 samples and a
              success rate < 0.70 is "failed"; use the first model in the list that is not failed (all failed:
              the best rate). No cost or latency, no exploration;
* learned   - `routesmith_mcp.engine.learn.choose` fed by `routesmith_mcp.store.evidence.load_evidence` on a
              real `TelemetryStore` (temp SQLite file) into which every outcome is recorded.

Regret is pseudo-regret in the preference's utility (success - w_cost*rel_cost - w_latency*rel_latency, the same
weights the engine uses): per task, the oracle's true expected utility minus that of the chosen model, summed.
"Recovered" (world d): the first task t >= the change such that, in tasks [t, t+100), at least 90% of the
choices are near-optimal (true utility within 0.05 of the oracle's); recovery time = t - change, in tasks.

Run:  /work/venv/bin/python benchmarks/learning.py            (full: 2,000 tasks, 5 seeds, store in the loop)
      /work/venv/bin/python benchmarks/learning.py --no-store (same engine, in-memory evidence, for quick checks)
"""

from __future__ import annotations

import argparse
import bisect
import math
import os
import random
import statistics
import sys
import tempfile
import time
from collections import deque
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from routesmith_mcp.engine.learn import (
    PREFERENCE_WEIGHTS,
    Candidate,
    LearningParams,
    ModelEvidence,
    choose,
)

HOST = "bench-host"
CAPABILITY = "coding"
TASK_TYPE = "coding"
START = datetime(2026, 1, 1, tzinfo=UTC)
NEAR_OPTIMAL = 0.05
RECOVERY_WINDOW = 100
RECOVERY_SHARE = 0.9


@dataclass(frozen=True)
class TrueModel:
    """What the simulation knows and the policies must learn."""

    name: str
    quality_tier: int
    cost_tier: int
    cost_usd: float  # mean cost per task
    p50_ms: float  # median latency


MODELS = (
    TrueModel("sonnet", 4, 3, 0.060, 30_000),  # the profile's default
    TrueModel("opus", 5, 5, 0.300, 60_000),
    TrueModel("flash", 3, 2, 0.020, 20_000),
    TrueModel("haiku", 2, 1, 0.010, 10_000),
)
ROUTE = [m.name for m in MODELS]  # profile order, first = default


@dataclass(frozen=True)
class World:
    key: str
    title: str
    rates: Mapping[str, float]
    rates_after: Mapping[str, float] | None = None  # from the halfway point on
    preference: str = "balanced"


WORLDS = (
    World("a", "default is the worst", {"sonnet": 0.55, "opus": 0.90, "flash": 0.82, "haiku": 0.62}),
    World("b", "default is right", {"sonnet": 0.88, "opus": 0.90, "flash": 0.75, "haiku": 0.60}),
    World("c", "all equal success", {"sonnet": 0.80, "opus": 0.80, "flash": 0.80, "haiku": 0.80}),
    World(
        "d",
        "default degrades halfway",
        {"sonnet": 0.88, "opus": 0.90, "flash": 0.75, "haiku": 0.60},
        {"sonnet": 0.50, "opus": 0.90, "flash": 0.75, "haiku": 0.60},
    ),
)


def true_utilities(rates: Mapping[str, float], preference: str) -> dict[str, float]:
    """The preference's utility of each model under the true rates, costs and latencies."""
    w_cost, w_lat = PREFERENCE_WEIGHTS[preference]  # type: ignore[index]
    top_cost = max(m.cost_usd for m in MODELS)
    top_lat = max(m.p50_ms for m in MODELS)
    return {
        m.name: rates[m.name] - w_cost * m.cost_usd / top_cost - w_lat * m.p50_ms / top_lat for m in MODELS
    }


@dataclass
class Outcome:
    model: str
    success: bool
    duration_ms: float
    cost_usd: float
    at: datetime


def simulate(model: str, rates: Mapping[str, float], rng: random.Random, at: datetime) -> Outcome:
    """One task on `model`: Bernoulli success, log-normal latency around the median, noisy cost."""
    spec = next(m for m in MODELS if m.name == model)
    ok = rng.random() < rates[model]
    duration = spec.p50_ms * math.exp(rng.gauss(0.0, 0.4))
    cost = spec.cost_usd * math.exp(rng.gauss(0.0, 0.3) - 0.045)
    return Outcome(model, ok, duration, cost, at)


# --- evidence sources for the learned policy -------------------------------------------------------------------


class MemoryEvidence:
    """In-memory stand-in for the store (same definitions as load_evidence), for quick runs and cross-checks.

    Weighted sums are kept as sum(2 ** (t_i / h)) and scaled by 2 ** (-now / h) on load, so a load is O(models).
    """

    def __init__(self, half_life_days: float, recent: int) -> None:
        self.half_life = half_life_days
        self.recent = recent
        self.acc: dict[str, dict] = {}

    def record(self, o: Outcome) -> None:
        a = self.acc.setdefault(
            o.model, {"wn": 0.0, "ws": 0.0, "n": 0, "s": 0, "cost": 0.0, "dur": [], "tail": deque(maxlen=self.recent)}
        )
        w = 2.0 ** (((o.at - START).total_seconds() / 86400) / self.half_life)
        a["wn"] += w
        a["ws"] += w * o.success
        a["n"] += 1
        a["s"] += o.success
        a["cost"] += o.cost_usd
        bisect.insort(a["dur"], o.duration_ms)
        a["tail"].append(o.success)

    def load(self, now: datetime) -> dict[str, ModelEvidence]:
        scale = 2.0 ** (-((now - START).total_seconds() / 86400) / self.half_life)
        out = {}
        for model, a in self.acc.items():
            d = a["dur"]
            mid = len(d) // 2
            p50 = d[mid] if len(d) % 2 else 0.5 * (d[mid - 1] + d[mid])
            out[model] = ModelEvidence(
                model=model,
                n=a["wn"] * scale,
                successes=a["ws"] * scale,
                raw_n=a["n"],
                raw_successes=a["s"],
                p50_ms=p50,
                mean_cost_usd=a["cost"] / a["n"],
                recent_n=len(a["tail"]),
                recent_successes=sum(a["tail"]),
            )
        return out

    def close(self) -> None:
        pass


class StoreEvidence:
    """The real thing: outcomes go into a TelemetryStore on a temp SQLite file, evidence comes from load_evidence."""

    def __init__(self, half_life_days: float, recent: int) -> None:
        from routesmith_mcp.store import TelemetryStore

        self.half_life = half_life_days
        self.recent = recent
        shm = Path("/dev/shm")
        self.tmp = tempfile.TemporaryDirectory(prefix="routesmith-bench-", dir=shm if shm.is_dir() else None)
        self.store = TelemetryStore.open(f"sqlite:///{Path(self.tmp.name) / 'telemetry.db'}")
        self.engine = self.store.engine

    def record(self, o: Outcome) -> None:
        self.store.record_outcome(
            host=HOST,
            model=o.model,
            capability=CAPABILITY,
            task_type=TASK_TYPE,
            success=o.success,
            duration_ms=o.duration_ms,
            cost_usd=o.cost_usd,
            recorded_at=o.at,
        )

    def load(self, now: datetime) -> dict[str, ModelEvidence]:
        from routesmith_mcp.store.evidence import load_evidence

        return load_evidence(
            self.engine, host=HOST, capability=CAPABILITY, half_life_days=self.half_life, now=now, recent=self.recent
        )

    def close(self) -> None:
        self.store.close()
        self.tmp.cleanup()


# --- policies --------------------------------------------------------------------------------------------------


def threshold_choice(history: deque[Outcome]) -> str:
    """The original rule over the last 500 records: skip models with >= 3 samples and a rate < 0.70."""
    n = dict.fromkeys(ROUTE, 0)
    s = dict.fromkeys(ROUTE, 0)
    for o in history:
        n[o.model] += 1
        s[o.model] += o.success
    ok = [m for m in ROUTE if not (n[m] >= 3 and s[m] / n[m] < 0.70)]
    if ok:
        return ok[0]
    return max(ROUTE, key=lambda m: (s[m] / n[m], -ROUTE.index(m)))


@dataclass
class RunResult:
    regret: float
    utility: float
    choices: list[str] = field(default_factory=list)
    near: list[bool] = field(default_factory=list)
    moves: int = 0


def run(
    world: World,
    policy: str,
    seed: int,
    tasks: int,
    per_day: float,
    params: LearningParams,
    use_store: bool,
    recent: int,
) -> RunResult:
    """Replay `tasks` tasks of `world` through one policy; the outcome noise depends on the seed only."""
    rng = random.Random(f"{world.key}-{seed}")
    candidates = [
        Candidate(m.name, m.quality_tier, m.cost_tier, rank) for rank, m in enumerate(MODELS)
    ]
    result = RunResult(0.0, 0.0)
    history: deque[Outcome] = deque(maxlen=500)
    factory = StoreEvidence if use_store else MemoryEvidence
    source = factory(params.half_life_days, recent) if policy == "learned" else None
    previous = None
    try:
        for t in range(tasks):
            rates = world.rates_after if world.rates_after is not None and t >= tasks // 2 else world.rates
            util = true_utilities(rates, world.preference)
            best = max(util.values())
            now = START + timedelta(days=t / per_day)
            if policy == "static":
                model = ROUTE[0]
            elif policy == "threshold":
                model = threshold_choice(history)
            else:
                assert source is not None
                model = choose(candidates, source.load(now), world.preference, params).model  # type: ignore[arg-type]
            outcome = simulate(model, rates, rng, now)
            history.append(outcome)
            if source is not None:
                source.record(outcome)
            result.regret += best - util[model]
            result.utility += util[model]
            result.choices.append(model)
            result.near.append(best - util[model] <= NEAR_OPTIMAL)
            result.moves += previous is not None and model != previous
            previous = model
    finally:
        if source is not None:
            source.close()
    return result


def recovery_time(near: list[bool], change: int) -> int | None:
    """Tasks after `change` until a 100-task window of >= 90% near-optimal choices starts (None: never)."""
    for t in range(change, len(near) - RECOVERY_WINDOW + 1):
        if sum(near[t : t + RECOVERY_WINDOW]) >= RECOVERY_SHARE * RECOVERY_WINDOW:
            return t - change
    return None


def _fmt_recovery(times: list[int | None]) -> str:
    if any(t is None for t in times):
        return f"not recovered in {sum(t is None for t in times)}/{len(times)} seeds"
    done = [t for t in times if t is not None]
    return f"mean {statistics.fmean(done):.0f}, max {max(done)}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tasks", type=int, default=2000)
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--per-day", type=float, default=10.0, help="simulated tasks per day (clock)")
    ap.add_argument("--recent", type=int, default=30, help="most recent outcomes per model for the drift check")
    ap.add_argument("--no-store", action="store_true", help="in-memory evidence instead of the real store")
    ap.add_argument("--half-life", type=float, default=LearningParams().half_life_days, help="days")
    ap.add_argument("--worlds", default="abcd")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes")
    args = ap.parse_args(argv)

    params = LearningParams(half_life_days=args.half_life)
    policies = ("static", "threshold", "learned")
    started = time.perf_counter()
    worlds = [w for w in WORLDS if w.key in args.worlds]
    jobs = [(w, p, seed) for w in worlds for seed in range(args.seeds) for p in policies]
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        futures = {
            (w.key, p, seed): pool.submit(run, w, p, seed, args.tasks, args.per_day, params, not args.no_store,
                                          args.recent)
            for w, p, seed in jobs
        }
        done = {job: f.result() for job, f in futures.items()}
    rows = []
    ok_all = True
    for world in worlds:
        res = {p: [done[(world.key, p, seed)] for seed in range(args.seeds)] for p in policies}
        mean = {p: statistics.fmean(r.regret for r in res[p]) for p in policies}
        util = {p: statistics.fmean(r.utility for r in res[p]) for p in policies}
        moves = statistics.fmean(r.moves for r in res["learned"])
        rec = ""
        checks = []
        if world.rates_after is not None:
            times = [recovery_time(r.near, args.tasks // 2) for r in res["learned"]]
            thr = [recovery_time(r.near, args.tasks // 2) for r in res["threshold"]]
            rec = f"learned {_fmt_recovery(times)}; threshold {_fmt_recovery(thr)}"
            checks.append(("recovers <= 200", all(x is not None and x <= 200 for x in times)))
        if world.key == "a":
            checks.append((">= 50% less regret than static", mean["learned"] <= 0.5 * mean["static"]))
        if world.key == "b":
            loss = (util["static"] - util["learned"]) / util["static"]
            checks.append((f"loses {loss:.1%} < 5% vs static", loss < 0.05))
        checks.append(("beats threshold", mean["learned"] < mean["threshold"]))
        ok_all &= all(c for _, c in checks)
        sd = {p: statistics.pstdev(r.regret for r in res[p]) for p in policies}
        cell = {p: f"{mean[p]:.1f} ± {sd[p]:.1f}" for p in policies}
        vs_static = f"{mean['learned'] / mean['static'] - 1:+.0%}" if mean["static"] > 0 else "n/a (static = oracle)"
        rows.append(
            f"| ({world.key}) {world.title} | {cell['static']} | {cell['threshold']} | {cell['learned']} "
            f"| {vs_static} | {moves:.0f} | {rec or '-'} | "
            + "; ".join(f"{name}: {'yes' if c else 'NO'}" for name, c in checks)
            + " |"
        )
    elapsed = time.perf_counter() - started
    print(
        f"Cumulative regret vs oracle (utility units, preference balanced), {args.tasks} tasks, mean of "
        f"{args.seeds} seeds, clock {args.per_day:g} tasks/day, half-life {params.half_life_days:g} days, "
        f"evidence from {'in-memory aggregation' if args.no_store else 'TelemetryStore (SQLite) + load_evidence'}\n"
    )
    print("| world | static | threshold | learned | learned vs static | learned switches | recovery (tasks) | checks |")
    print("|---|---|---|---|---|---|---|---|")
    print("\n".join(rows))
    print(
        "\nRegret cells: mean ± sd over seeds. 'learned switches': times the chosen model changed between consecutive"
        " tasks (exploration included). Recovery: tasks after the change until a 100-task window with >= 90% of"
        f" choices within {NEAR_OPTIMAL} utility of the oracle begins. 'loses x%': (static's cumulative true"
        " utility - learned's) / static's.\n\nWorlds (true success rates; default first):"
    )
    for world in worlds:
        after = f" -> from task {args.tasks // 2}: {dict(world.rates_after)}" if world.rates_after else ""
        print(f"- ({world.key}) {dict(world.rates)}{after}")
    print(
        "- all worlds: " + ", ".join(
            f"{m.name} q{m.quality_tier}/c{m.cost_tier} ${m.cost_usd}/task p50 {m.p50_ms / 1000:g} s" for m in MODELS
        )
    )
    print(f"\nall checks passed: {ok_all}; {elapsed:.1f} s")
    return 0 if ok_all else 1


if __name__ == "__main__":
    sys.exit(main())
