"""Server and CLI latency, measured over real processes.

    python benchmarks/server.py [--calls 500]

Reports: stdio round trips of record_outcome / plan_route / resolve_models (p50, p95, over one long-lived
`routesmith-mcp serve` process, as a host uses it), the time from spawn to the `initialize` reply, the CLI's
`plan --json` wall time, and the Claude Code hook's wall time per event. Each figure is from one run on this
machine; compare them as ratios, not as absolute truths.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

HANDSHAKE = {"protocolVersion": "2025-11-25", "capabilities": {"roots": {}},
             "clientInfo": {"name": "claude-code", "version": "2.1.197"}}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class Server:
    def __init__(self, env: dict[str, str]) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "routesmith_mcp", "serve"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, text=True,
                                     bufsize=1)
        self.n = 0

    def call(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        assert self.proc.stdin and self.proc.stdout
        self.n += 1
        self.proc.stdin.write(json.dumps({"jsonrpc": "2.0", "id": self.n, "method": method, "params": params}) + "\n")
        self.proc.stdin.flush()
        while True:
            reply = json.loads(self.proc.stdout.readline())
            if reply.get("id") == self.n:
                return reply

    def close(self) -> None:
        assert self.proc.stdin
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def timed(fn: Any, n: int) -> list[float]:
    out = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "ROUTESMITH_HOME": tmp, "HOME": tmp}
        rows: list[tuple[str, list[float]]] = []

        def spawn_to_initialize() -> None:
            server = Server(env)
            server.call("initialize", HANDSHAKE)
            server.close()

        rows.append(("spawn -> initialize reply", timed(spawn_to_initialize, 5)))

        server = Server(env)
        server.call("initialize", HANDSHAKE)
        server.proc.stdin.write('{"jsonrpc":"2.0","method":"notifications/initialized"}\n')  # type: ignore[union-attr]
        prompt = "Plan the export feature, implement it, add tests and update the README"
        plan = server.call("tools/call", {"name": "plan_route", "arguments": {"prompt": prompt}})
        plan_id = plan["result"]["structuredContent"]["plan_id"]
        for _ in range(20):  # warm up
            server.call("tools/call", {"name": "record_outcome", "arguments": {"model": "sonnet", "success": True}})
        rows.append(("stdio record_outcome", timed(lambda: server.call("tools/call", {
            "name": "record_outcome", "arguments": {"model": "sonnet", "success": True, "duration_ms": 1234.0,
                                                    "plan_id": plan_id, "step_id": "s2"}}), args.calls)))
        rows.append(("stdio plan_route", timed(lambda: server.call("tools/call", {
            "name": "plan_route", "arguments": {"prompt": prompt}}), args.calls)))
        rows.append(("stdio resolve_models", timed(lambda: server.call("tools/call", {
            "name": "resolve_models", "arguments": {"plan_id": plan_id}}), args.calls)))
        rows.append(("stdio get_stats", timed(lambda: server.call("tools/call", {
            "name": "get_stats", "arguments": {}}), min(args.calls, 200))))
        server.close()

        cli = [sys.executable, "-m", "routesmith_mcp"]
        rows.append(("CLI `plan --json` (process)", timed(lambda: subprocess.run(
            [*cli, "plan", "--json", prompt], env=env, capture_output=True, check=True), 10)))
        event = json.dumps({"hook_event_name": "PreToolUse", "tool_name": "Agent", "cwd": tmp,
                            "tool_input": {"description": "fix", "prompt": "Fix the failing login test",
                                           "subagent_type": "general-purpose"}})
        rows.append(("hook claude-pretooluse (process)", timed(lambda: subprocess.run(
            [*cli, "hook", "claude-pretooluse"], input=event, text=True, env=env, capture_output=True,
            check=True), 10)))

    print("| what | n | p50 ms | p95 ms | mean ms |")
    print("| --- | --- | --- | --- | --- |")
    for name, values in rows:
        print(f"| {name} | {len(values)} | {statistics.median(values):.2f} | {percentile(values, 0.95):.2f} | "
              f"{statistics.fmean(values):.2f} |")


if __name__ == "__main__":
    main()
