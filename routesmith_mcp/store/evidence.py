"""The learner's evidence query: per model, recency-weighted outcome counts for one (host, capability[, task type]).

Weights follow engine.learn: an outcome `age` days old counts 2 ** (-age / half_life_days). SQL groups by
(model, UTC day, success) with the count and the sum of `recorded_at`; each group is weighted at its mean time,
which is exact to second order (under 0.1 % for half-lives of a few days or more) and keeps the work in SQL.
`recent_n` / `recent_successes` are the model's last `recent` outcomes, unweighted (one indexed LIMIT query per
model). Median latency and mean cost come from the `outcome_hist` rollup. All of it reads the evidence index.
"""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, Engine, func, select

from routesmith_mcp.engine.learn import ModelEvidence
from routesmith_mcp.store.histogram import percentile
from routesmith_mcp.store.tables import HIST as H
from routesmith_mcp.store.tables import OUTCOMES as O


def _epoch(now: datetime | float | None) -> float | None:
    if now is None or isinstance(now, (int, float)):
        return now
    return (now if now.tzinfo else now.replace(tzinfo=UTC)).timestamp()


def load_evidence(engine: Engine, *, host: str, capability: str | None, task_type: str | None = None,
                  half_life_days: float = 14.0, now: datetime | float | None = None,
                  recent: int = 30) -> dict[str, ModelEvidence]:
    """ModelEvidence per model seen on `host` for `capability` (and `task_type` when given)."""
    if not half_life_days > 0:
        raise ValueError("half_life_days must be > 0")
    at = _epoch(now)
    where: list[ColumnElement[bool]] = [O.c.host == host]
    if capability is not None:
        where.append(O.c.capability == capability)
    if task_type is not None:
        where.append(O.c.task_type == task_type)
    if at is not None:
        where.append(O.c.recorded_at <= at)
    ref = time.time() if at is None else at
    scale = half_life_days * 86400.0

    acc: dict[str, dict[str, float]] = defaultdict(lambda: {"wn": 0.0, "ws": 0.0, "n": 0, "s": 0})
    costs: dict[str, tuple[int, float]] = {}
    hist: dict[str, list[tuple[int, int, float, float]]] = defaultdict(list)
    tail: dict[str, tuple[int, int]] = {}
    hwhere = [H.c.host == host]
    if capability is not None:
        hwhere.append(H.c.capability == capability)
    if task_type is not None:
        hwhere.append(H.c.task_type == task_type)
    with engine.connect() as conn:
        q = (select(O.c.model, O.c.day, O.c.success, func.count(), func.sum(O.c.recorded_at))
             .where(*where).group_by(O.c.model, O.c.day, O.c.success))
        for model, _day, ok, n, tsum in conn.execute(q):
            n = int(n)
            w = n * 2.0 ** (-(ref - float(tsum) / n) / scale)
            a = acc[model]
            a["wn"] += w
            a["n"] += n
            if ok:
                a["ws"] += w
                a["s"] += n
        # Latency and cost come from the rollup (all recorded outcomes of the slot, whatever `now`).
        q = (select(H.c.model, H.c.dur_bucket, func.sum(H.c.n), func.min(H.c.dur_min), func.max(H.c.dur_max),
                    func.sum(H.c.cost_n), func.sum(H.c.cost_usd))
             .where(*hwhere).group_by(H.c.model, H.c.dur_bucket))
        for model, b, n, lo, hi, cn, cs in conn.execute(q):
            c0, s0 = costs.get(model, (0, 0.0))
            costs[model] = (c0 + int(cn or 0), s0 + float(cs or 0.0))
            if b is not None and b >= 0 and lo is not None:
                hist[model].append((int(b), int(n), float(lo), float(hi)))
        if recent > 0:
            for model in sorted(acc):
                q = (select(O.c.success).where(*where, O.c.model == model)
                     .order_by(O.c.recorded_at.desc(), O.c.id.desc()).limit(recent))
                flags = [bool(r[0]) for r in conn.execute(q)]
                tail[model] = (len(flags), sum(flags))
    out: dict[str, ModelEvidence] = {}
    for model in sorted(acc):
        a = acc[model]
        cn, cs = costs.get(model, (0, 0.0))
        rn_, rs_ = tail.get(model, (0, 0))
        out[model] = ModelEvidence(model=model, n=a["wn"], successes=a["ws"], raw_n=int(a["n"]),
                                   raw_successes=int(a["s"]), p50_ms=percentile(sorted(hist.get(model, [])), 50),
                                   mean_cost_usd=(cs / cn if cn else None), recent_n=rn_, recent_successes=rs_)
    return out
