"""`outcome_hist`: a rollup of outcomes per (model, capability, task_type, host, duration bucket).

get_stats without a time filter reads this table instead of every outcome, so its cost grows with the number of
distinct groups, not with the number of outcomes. It is written in the same transaction as the outcomes it
summarises (record, import, spool flush) and decremented by prune. Absent capability / task type are stored as
'' and an absent duration as bucket -1, because primary keys cannot hold NULL. After a prune, a bucket's
min/max may be wider than its remaining rows (they cannot be decremented); percentiles stay within the bucket.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Connection, text

KEY = ("model", "capability", "task_type", "host", "dur_bucket")
Agg = list[Any]  # [n, successes, dur_min, dur_max, input_tokens, output_tokens, cost_usd, cost_n]


def key_of(row: Mapping[str, Any]) -> tuple[str, str, str, str, int]:
    """The rollup key of one outcome row."""
    b = row["dur_bucket"]
    return (row["model"], row["capability"] or "", row["task_type"] or "", row["host"], -1 if b is None else b)


def aggregate(rows: Iterable[Mapping[str, Any]],
              into: dict[tuple[str, str, str, str, int], Agg] | None = None) -> dict[tuple[str, str, str, str, int], Agg]:
    """Sum outcome rows per rollup key (adding to `into` when given)."""
    out: dict[tuple[str, str, str, str, int], Agg] = {} if into is None else into
    for r in rows:
        k = key_of(r)
        d, cost = r["duration_ms"], r["cost_usd"]
        a = out.get(k)
        if a is None:
            out[k] = [1, 1 if r["success"] else 0, d, d, r["input_tokens"] or 0, r["output_tokens"] or 0,
                      cost or 0.0, 0 if cost is None else 1]
            continue
        a[0] += 1
        a[1] += 1 if r["success"] else 0
        if d is not None:
            a[2] = d if a[2] is None or d < a[2] else a[2]
            a[3] = d if a[3] is None or d > a[3] else a[3]
        a[4] += r["input_tokens"] or 0
        a[5] += r["output_tokens"] or 0
        if cost is not None:
            a[6] += cost
            a[7] += 1
    return out


_SQLITE_UPSERT = """
    INSERT INTO outcome_hist (model, capability, task_type, host, dur_bucket, n, successes, dur_min, dur_max,
                              input_tokens, output_tokens, cost_usd, cost_n)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (model, capability, dur_bucket, task_type, host) DO UPDATE SET
        n = n + excluded.n, successes = successes + excluded.successes,
        dur_min = min(dur_min, excluded.dur_min), dur_max = max(dur_max, excluded.dur_max),
        input_tokens = input_tokens + excluded.input_tokens, output_tokens = output_tokens + excluded.output_tokens,
        cost_usd = cost_usd + excluded.cost_usd, cost_n = cost_n + excluded.cost_n"""


def _params(agg: Mapping[tuple[str, str, str, str, int], Agg]) -> list[dict[str, Any]]:
    return [{"model": k[0], "capability": k[1], "task_type": k[2], "host": k[3], "dur_bucket": k[4], "n": a[0],
             "s": a[1], "lo": a[2], "hi": a[3], "tin": a[4], "tout": a[5], "cost": a[6], "cn": a[7]}
            for k, a in sorted(agg.items())]  # one lock order for every writer: no deadlocks on PostgreSQL


def add(conn: Connection, agg: Mapping[tuple[str, str, str, str, int], Agg]) -> None:
    """Upsert aggregated rows into the rollup."""
    if not agg:
        return
    if conn.dialect.name == "sqlite":  # positional executemany straight to the driver (bulk import speed)
        conn.exec_driver_sql(_SQLITE_UPSERT, [(*k, *a) for k, a in sorted(agg.items())])
        return
    conn.execute(text("""
        INSERT INTO outcome_hist (model, capability, task_type, host, dur_bucket, n, successes, dur_min, dur_max,
                                  input_tokens, output_tokens, cost_usd, cost_n)
        VALUES (:model, :capability, :task_type, :host, :dur_bucket, :n, :s, :lo, :hi, :tin, :tout, :cost, :cn)
        ON CONFLICT (model, capability, dur_bucket, task_type, host) DO UPDATE SET
            n = outcome_hist.n + excluded.n,
            successes = outcome_hist.successes + excluded.successes,
            dur_min = LEAST(outcome_hist.dur_min, excluded.dur_min),
            dur_max = GREATEST(outcome_hist.dur_max, excluded.dur_max),
            input_tokens = outcome_hist.input_tokens + excluded.input_tokens,
            output_tokens = outcome_hist.output_tokens + excluded.output_tokens,
            cost_usd = outcome_hist.cost_usd + excluded.cost_usd,
            cost_n = outcome_hist.cost_n + excluded.cost_n"""), _params(agg))


def subtract(conn: Connection, agg: Mapping[tuple[str, str, str, str, int], Agg]) -> None:
    """Take deleted outcomes out of the rollup; rows that reach n = 0 are removed."""
    if not agg:
        return
    conn.execute(text("""
        UPDATE outcome_hist SET n = n - :n, successes = successes - :s, input_tokens = input_tokens - :tin,
            output_tokens = output_tokens - :tout, cost_usd = cost_usd - :cost, cost_n = cost_n - :cn
        WHERE model = :model AND capability = :capability AND task_type = :task_type AND host = :host
          AND dur_bucket = :dur_bucket"""), _params(agg))
    conn.execute(text("DELETE FROM outcome_hist WHERE n <= 0"))


def rebuild_sql() -> str:
    """INSERT ... SELECT that builds the rollup from `outcomes` (used by the migration that creates it)."""
    return """
        INSERT INTO outcome_hist (model, capability, task_type, host, dur_bucket, n, successes, dur_min, dur_max,
                                  input_tokens, output_tokens, cost_usd, cost_n)
        SELECT model, COALESCE(capability, ''), COALESCE(task_type, ''), host, COALESCE(dur_bucket, -1), count(*),
               sum(CASE WHEN success THEN 1 ELSE 0 END), min(duration_ms), max(duration_ms),
               COALESCE(sum(input_tokens), 0), COALESCE(sum(output_tokens), 0), COALESCE(sum(cost_usd), 0),
               count(cost_usd)
        FROM outcomes
        GROUP BY model, COALESCE(capability, ''), COALESCE(task_type, ''), host, COALESCE(dur_bucket, -1)"""
