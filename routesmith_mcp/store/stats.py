"""get_stats and the learner's evidence query: GROUP BY in SQL, Wilson intervals and percentiles folded in Python."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from typing import Any, get_args

from sqlalchemy import ColumnElement, Connection, Table, case, func, select

from routesmith_mcp.models import Stats, StatsGroupKey, StatsRow
from routesmith_mcp.store.errors import StoreInputError
from routesmith_mcp.store.histogram import percentile
from routesmith_mcp.store.tables import HIST as H
from routesmith_mcp.store.tables import OUTCOMES as O

GROUP_KEYS: tuple[str, ...] = get_args(StatsGroupKey)
_COLUMNS = {"model": O.c.model, "capability": O.c.capability, "task_type": O.c.task_type, "host": O.c.host,
            "day": O.c.day}
_EPOCH = date(1970, 1, 1)
Z95 = 1.959963984540054


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (0, 1) when n is 0."""
    if n <= 0:
        return 0.0, 1.0
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def day_iso(day: int) -> str:
    """Days since the epoch -> 'YYYY-MM-DD'."""
    return (_EPOCH + timedelta(days=int(day))).isoformat()


def filters(*, host: str | None = None, model: str | None = None, capability: str | None = None,
            task_type: str | None = None, since_days: float | None = None, now: float | None = None,
            table: Table = O) -> list[ColumnElement[bool]]:
    """WHERE clauses for the common filters (validated), on `outcomes` or on the `outcome_hist` rollup."""
    out: list[ColumnElement[bool]] = []
    for name, value in (("host", host), ("model", model), ("capability", capability), ("task_type", task_type)):
        if value is not None:
            if not isinstance(value, str):
                raise StoreInputError(f"{name} filter must be a string")
            out.append(table.c[name] == value)
    if since_days is not None:
        if isinstance(since_days, bool) or not isinstance(since_days, (int, float)) or not math.isfinite(since_days) \
                or since_days < 0:
            raise StoreInputError(f"since_days must be a finite number >= 0 (got {since_days!r})")
        cutoff = (time.time() if now is None else now) - float(since_days) * 86400.0
        out.append(O.c.recorded_at >= cutoff)
    return out


def check_group_by(group_by: Sequence[str]) -> list[str]:
    """Validate group_by: known keys, no repeats."""
    if isinstance(group_by, str):
        group_by = [group_by]
    keys = list(group_by)
    bad = [k for k in keys if k not in GROUP_KEYS]
    if bad:
        raise StoreInputError(f"group_by has unknown key(s) {bad}; use any of: {', '.join(GROUP_KEYS)}")
    if len(set(keys)) != len(keys):
        raise StoreInputError("group_by lists a key twice")
    return keys


def _raw(conn: Connection, keys: list[str], where: list[ColumnElement[bool]]) -> Iterator[Sequence[Any]]:
    cols = [_COLUMNS[k] for k in keys]
    succ = func.sum(case((O.c.success, 1), else_=0))
    stmt = (select(*cols, O.c.dur_bucket, func.count(), succ, func.min(O.c.duration_ms), func.max(O.c.duration_ms),
                   func.sum(O.c.input_tokens), func.sum(O.c.output_tokens), func.sum(O.c.cost_usd))
            .where(*where).group_by(*cols, O.c.dur_bucket))
    yield from conn.execute(stmt)


def _rolled(conn: Connection, keys: list[str], where: list[ColumnElement[bool]]) -> Iterator[Sequence[Any]]:
    cols = [H.c[k] for k in keys]
    stmt = (select(*cols, H.c.dur_bucket, func.sum(H.c.n), func.sum(H.c.successes), func.min(H.c.dur_min),
                   func.max(H.c.dur_max), func.sum(H.c.input_tokens), func.sum(H.c.output_tokens),
                   func.sum(H.c.cost_usd))
            .where(*where).group_by(*cols, H.c.dur_bucket))
    for r in conn.execute(stmt):
        k = len(cols)
        yield (*[None if v == "" else v for v in r[:k]], None if r[k] == -1 else r[k], *r[k + 1:])


def query_stats(conn: Connection, *, group_by: Sequence[str], limit: int, host: str | None = None,
                model: str | None = None, capability: str | None = None, task_type: str | None = None,
                since_days: float | None = None, now: float | None = None) -> Stats:
    """One GROUP BY (keys + duration bucket) folded into StatsRows.

    Without a time filter or a day grouping it reads the `outcome_hist` rollup (cost grows with the number of
    groups); otherwise the outcomes themselves (the recorded_at index serves since_days).
    """
    keys = check_group_by(group_by)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= 10_000:
        raise StoreInputError(f"limit must be an integer from 1 to 10000 (got {limit!r})")
    flt = {"host": host, "model": model, "capability": capability, "task_type": task_type}
    if since_days is None and "day" not in keys:
        source = _rolled(conn, keys, filters(**flt, table=H))
    else:
        source = _raw(conn, keys, filters(**flt, since_days=since_days, now=now))
    groups: dict[tuple[Any, ...], dict[str, Any]] = {}
    k = len(keys)
    for r in source:
        key = tuple(r[:k])
        g = groups.get(key)
        if g is None:
            g = groups[key] = {"n": 0, "s": 0, "in": 0, "out": 0, "cost": 0.0, "hist": []}
        bucket, n, s, lo, hi, tin, tout, cost = r[k:]
        g["n"] += int(n)
        g["s"] += int(s or 0)
        g["in"] += int(tin or 0)
        g["out"] += int(tout or 0)
        g["cost"] += float(cost or 0.0)
        if bucket is not None and lo is not None:
            g["hist"].append((int(bucket), int(n), float(lo), float(hi)))
    rows: list[StatsRow] = []
    for key, g in groups.items():
        hist = sorted(g["hist"])
        lo, hi = wilson(g["s"], g["n"])
        fields: dict[str, Any] = dict(zip(keys, key, strict=True))
        if "day" in fields and fields["day"] is not None:
            fields["day"] = day_iso(fields["day"])
        rows.append(StatsRow(**fields, n=g["n"], successes=g["s"], success_rate=g["s"] / g["n"] if g["n"] else 0.0,
                             ci_low=lo, ci_high=hi, p50_ms=percentile(hist, 50), p95_ms=percentile(hist, 95),
                             input_tokens=g["in"], output_tokens=g["out"], cost_usd=round(g["cost"], 10)))
    total = sum(r.n for r in rows)
    rows.sort(key=lambda r: (-r.n, *[((v := getattr(r, kk)) is not None, v or "") for kk in keys]))
    return Stats(rows=rows[:limit], total_outcomes=total, group_by=keys)  # type: ignore[arg-type]
