"""Telemetry store benchmark (run by hand; numbers go in the README).

    python benchmarks/store.py                    # 1,000,000 outcomes, 4 processes x 10,000, temp SQLite file
    python benchmarks/store.py --rows 100000 --per-proc 2000
    python benchmarks/store.py --url postgresql+psycopg://...   # same measurements against PostgreSQL

Measures: bulk import (JSONL -> import_file) rows/s; get_stats latency at N rows (default grouping, and a few
others); record_outcome in-process p50/p95 on the full database; database size; N processes writing one database
at once (all rows stored, no errors). Prints a markdown table.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from sqlalchemy import make_url, text

from routesmith_mcp.store import TelemetryStore

HOSTS = ["claude-code", "codex", "gemini-cli"]
MODELS = [f"model-{i}" for i in range(10)]
CAPS = ["deep_reasoning", "coding", "balanced", "fast"]
TYPES = ["planning", "analysis", "debugging", "coding", "testing", "refactor", "documentation", "formatting", "review"]

WORKER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from routesmith_mcp.store import TelemetryStore
    url, go, n = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    while not go.exists():
        time.sleep(0.002)
    store = TelemetryStore.open(url)
    spooled = errors = 0
    for i in range(n):
        try:
            spooled += store.record_outcome(model="m%d" % (i % 5), success=i % 3 != 0, host="claude-code",
                                            duration_ms=float(i % 997), capability="coding").spooled
        except Exception as exc:
            errors += 1
            print(repr(exc), file=sys.stderr)
    store.close()
    print(spooled, errors)
""")


def write_jsonl(path: Path, rows: int, seed: int = 1) -> None:
    rnd = random.Random(seed)
    now = time.time()
    with path.open("w") as fh:
        for _ in range(rows):
            model = rnd.choice(MODELS)
            fh.write(json.dumps({
                "model": model, "host": rnd.choice(HOSTS), "capability": rnd.choice(CAPS),
                "task_type": rnd.choice(TYPES), "success": rnd.random() < 0.8,
                "duration_ms": round(rnd.lognormvariate(8, 1), 1), "input_tokens": rnd.randint(100, 50_000),
                "output_tokens": rnd.randint(10, 5_000), "cost_usd": round(rnd.random() * 0.2, 5),
                "recorded_at": now - rnd.random() * 90 * 86400,
            }) + "\n")


def timed(fn, repeat: int, cpu: list[float] | None = None) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn()
        out.append((time.perf_counter() - t) * 1000)
        if cpu is not None:
            cpu.append((time.process_time() - c) * 1000)
    return out


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[max(0, math.ceil(p * len(s)) - 1)]


def db_size(store: TelemetryStore) -> str:
    if store.path is not None:
        with store.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        size = sum(p.stat().st_size for p in (store.path, store.path.with_name(store.path.name + "-wal"))
                   if p.exists())
    else:
        with store.engine.connect() as conn:
            size = int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar() or 0)
    return f"{size / 1e6:.0f} MB"


def concurrent(url: str, procs: int, per_proc: int, tmp: Path) -> tuple[float, int, int, int]:
    go = tmp / "go"
    go.unlink(missing_ok=True)
    ps = [subprocess.Popen([sys.executable, "-c", WORKER, url, str(go), str(per_proc)], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True) for _ in range(procs)]
    time.sleep(1.5)  # let every worker import and wait at the barrier
    t = time.perf_counter()
    go.touch()
    spooled = errors = 0
    for p in ps:
        out, err = p.communicate()
        if p.returncode != 0:
            raise SystemExit(f"worker failed: {err}")
        s, e = out.split()
        spooled, errors = spooled + int(s), errors + int(e)
    wall = time.perf_counter() - t
    store = TelemetryStore.open(url)
    stored = store.stats(group_by=[]).total_outcomes
    store.close()
    return wall, stored, spooled, errors


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--procs", type=int, default=4)
    ap.add_argument("--per-proc", type=int, default=10_000)
    ap.add_argument("--url", default=None, help="database URL (default: a temp SQLite file); must be empty")
    ap.add_argument("--concurrent-url", default=None, help="URL for the multi-process run (default: new temp file)")
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="routesmith-bench-"))
    try:
        run(args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(args: argparse.Namespace, tmp: Path) -> None:
    """Every measurement, printed as a markdown table."""
    url = args.url or f"sqlite:///{tmp / 'bench.db'}"
    results: list[tuple[str, str]] = []

    src = tmp / "outcomes.jsonl"
    t = time.perf_counter()
    write_jsonl(src, args.rows)
    print(f"generated {args.rows:,} rows in {time.perf_counter() - t:.1f}s", file=sys.stderr)

    store = TelemetryStore.open(url)
    cpu = time.process_time()
    rep = store.import_file(src)
    cpu = time.process_time() - cpu
    assert rep.imported == args.rows, rep
    results.append((f"bulk import, {args.rows:,} outcomes (JSONL -> import_file)",
                    (f"{rep.imported / rep.seconds:,.0f} rows/s wall ({rep.seconds:.1f} s); "
                    f"{rep.imported / cpu:,.0f} rows per CPU-second of this process")))
    src.unlink()
    with store.engine.connect() as conn:
        if store.backend == "sqlite":
            conn.exec_driver_sql("ANALYZE")
        else:
            conn.execute(text("ANALYZE outcomes"))
            conn.commit()

    for label, kw in [("default (model, capability)", {}),
                      ("host filter", {"host": "codex"}),
                      ("since_days=7", {"since_days": 7}),
                      ("group by task_type, host", {"group_by": ["task_type", "host"]}),
                      ("group by day", {"group_by": ["day"], "limit": 100})]:
        store.stats(**kw)  # type: ignore[arg-type]
        cpu: list[float] = []
        ms = timed(lambda kw=kw: store.stats(**kw), 10, cpu)  # type: ignore[misc]
        results.append((f"get_stats at {args.rows:,} rows: {label}",
                        (f"p50 {statistics.median(ms):.0f} ms (min {min(ms):.0f}, max {max(ms):.0f}; "
                        f"CPU p50 {statistics.median(cpu):.0f} ms)")))

    ev = timed(lambda: store.evidence(host="claude-code", capability="coding"), 10)
    results.append((f"evidence(host, capability) at {args.rows:,} rows", f"p50 {statistics.median(ev):.0f} ms"))

    rec = timed(lambda: store.record_outcome(model="model-1", success=True, host="claude-code", capability="coding",
                                             task_type="coding", duration_ms=1234.0, input_tokens=1000,
                                             output_tokens=100, cost_usd=0.01), 1000)
    results.append(("record_outcome in-process (1,000 calls, one commit each)",
                    f"p50 {statistics.median(rec):.2f} ms, p95 {pct(rec, 0.95):.2f} ms"))
    results.append((f"database size at {args.rows:,} rows", db_size(store)))
    store.close()

    curl = args.concurrent_url or (f"sqlite:///{tmp / 'concurrent.db'}" if make_url(url).get_backend_name()
                                   == "sqlite" else url)
    wall, stored, spooled, errors = concurrent(curl, args.procs, args.per_proc, tmp)
    expected = args.procs * args.per_proc + (0 if curl != url else args.rows + 1000)
    summary = (f"{stored:,}/{expected:,} stored, {errors} errors, {spooled} spooled, {wall:.1f} s wall "
               f"({args.procs * args.per_proc / wall:,.0f} outcomes/s)")
    results.append((f"{args.procs} processes x {args.per_proc:,} record_outcome, one database", summary))

    print(f"\nMachine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, backend {make_url(url).get_backend_name()}, load average at the end "
          f"{os.getloadavg()[0]:.1f}\n")
    print("| measurement | result |\n|---|---|")
    for k, v in results:
        print(f"| {k} | {v} |")


if __name__ == "__main__":
    main()
