"""Log-scale duration buckets: SQL counts rows per bucket, Python reads exact-ish percentiles off the histogram.

A bucket spans a factor e^(1/32) of (1 + ms), about 3.2 %. SQL returns count, min and max per bucket, so a
percentile whose rank lands in a one-value bucket is exact, and otherwise it is interpolated between that
bucket's min and max (error below 3.3 % of 1 + the value).
Percentiles use the nearest-rank definition: the value of rank ceil(p * n) among the n non-null durations.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

BUCKETS_PER_E = 32


def bucket_of(duration_ms: float | None) -> int | None:
    """The histogram bucket of a duration (None stays None)."""
    if duration_ms is None:
        return None
    return math.floor(math.log1p(max(duration_ms, 0.0)) * BUCKETS_PER_E)


def nearest_rank(percent: int, n: int) -> int:
    """ceil(percent/100 * n) in integer arithmetic (1-based rank)."""
    return max(1, (percent * n + 99) // 100)


def percentile(buckets: Iterable[tuple[int, int, float, float]], percent: int) -> float | None:
    """Nearest-rank percentile from (bucket, count, min, max) rows sorted by bucket."""
    rows = [b for b in buckets if b[1] > 0]
    total = sum(b[1] for b in rows)
    if total == 0:
        return None
    rank = nearest_rank(percent, total)
    seen = 0
    for _bucket, count, lo, hi in rows:
        if seen + count >= rank:
            r = rank - seen
            if count == 1 or hi == lo:
                return float(lo)
            return float(lo + (hi - lo) * (r - 1) / (count - 1))
        seen += count
    return float(rows[-1][3])
