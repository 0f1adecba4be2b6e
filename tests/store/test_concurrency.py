"""Several server processes write one database at once: every outcome is stored, none errors."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from routesmith_mcp.store import TelemetryStore

WORKER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from routesmith_mcp.store import TelemetryStore
    url, go, worker, n = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    while not go.exists():
        time.sleep(0.005)
    store = TelemetryStore.open(url)          # all four open (and migrate) a brand-new database together
    spooled = 0
    for i in range(n):
        r = store.record_outcome(model=f"m{i % 3}", success=i % 4 != 0, host="claude-code", duration_ms=float(i),
                                 client_name=f"worker-{worker}", capability="coding")
        spooled += r.spooled
    store.close()
    print(spooled)
""")


@pytest.mark.slow
def test_four_processes_write_one_database(db_url: str, tmp_path: Path) -> None:
    go = tmp_path / "go"
    n = 300
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, db_url, str(go), str(w), str(n)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for w in range(4)]
    time.sleep(0.3)
    go.touch()
    outs = [p.communicate(timeout=120) for p in procs]
    for p, (out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err
        assert out.strip() == "0", f"a worker spooled instead of writing: {out} {err}"
        assert "Traceback" not in err
    store = TelemetryStore.open(db_url)
    try:
        stats = store.stats(group_by=["model"])
        assert stats.total_outcomes == 4 * n
        with store.engine.connect() as conn:
            rows = conn.execute(text("SELECT client_name, count(*) FROM outcomes GROUP BY client_name")).all()
        per_worker = {name: int(k) for name, k in rows}
        assert per_worker == {f"worker-{w}": n for w in range(4)}
        assert store.health().schema_version == store.health().latest_schema_version
    finally:
        store.close()
