"""Protocol faults against the real stdio server (issue 6).

The process stays up where the protocol allows, exits cleanly when stdin closes or its host goes away, and never
writes anything but JSON-RPC to stdout.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from .support import CLAUDE_HANDSHAKE, RawServer, base_env, error_text

pytestmark = pytest.mark.slow


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Callable[..., RawServer]]:
    servers: list[RawServer] = []

    def make(extra_env: dict[str, str] | None = None, home: Path | None = None) -> RawServer:
        where = home or tmp_path
        servers.append(RawServer(where, base_env(where, extra_env)))
        return servers[-1]

    yield make
    for server in servers:
        server.kill()


def outcomes_in(home: Path) -> int:
    with sqlite3.connect(home / "rs" / "routesmith.db") as db:
        return int(db.execute("select count(*) from outcomes").fetchone()[0])


JUNK_LINES: list[bytes] = [
    b"this is not json",
    b"[1, 2, 3]",
    b"[]",
    b'[{"jsonrpc": "2.0", "id": 900, "method": "tools/list"}]',  # a batch (removed from MCP): no crash
    b"42",
    b'"just a string"',
    b"null",
    b"true",
    b"{}",
    b'{"jsonrpc": "1.0", "id": 901, "method": "tools/list"}',
    b'{"jsonrpc": "2.0", "id": {"nested": 1}, "method": "tools/list"}',
    (b'{"jsonrpc": "2.0", "method": "tools/call", "params": {"name": "record_outcome", '
     b'"arguments": {"model": "no-id", "success": true}}}'),  # a request without an id is a notification
    b'{"jsonrpc": "2.0", "id": 902, "result": {}}',  # a response to a request the server never sent
    b'{"jsonrpc": "2.0", "id": 903, "error": {"code": 1, "message": "x"}}',
    b'{"jsonrpc": "2.0", "id": 904, "method": 17}',
    b"\xff\xfe\x00garbage bytes \x80\x81",
    b"",
    b"   ",
    (b'{"jsonrpc": "2.0", "id": 905, "method": "tools/call", "params": {"name": "plan_route", '
     b'"arguments": {"prompt": "lone \\ud800 surrogate escape"}}}'),  # rejected by the SDK's JSON parser
    b"[" * 100_000 + b"]" * 100_000,  # deep nesting: a recursive parser would blow its stack
    (b'{"jsonrpc": "2.0", "id": 906, "method": "tools/call", "params": {"name": "plan_route", "arguments": '
     b'{"prompt": "' + b"x" * 10_000_000 + b'"}}}'),  # a 10 MB line
    (b'{"jsonrpc": "2.0", "id": 907, "method": "tools/call", "params": {"name": "plan_route", "arguments": '
     b'{"prompt": "fix it"}'),  # truncated
]


def test_junk_lines_keep_the_server_up_and_stdout_protocol_only(spawn: Callable[..., RawServer],
                                                                 tmp_path: Path) -> None:
    server = spawn()
    server.initialize()
    for junk in JUNK_LINES:
        server.write_raw(junk + b"\n")
        pong = server.request("ping", {})
        assert "result" in pong, (junk[:80], pong)
    unknown = server.request("no/such/method", {})
    assert unknown["error"]["code"] == -32601
    unknown = server.request("tools/call", {"name": "no_such_tool", "arguments": {}})
    assert unknown.get("error") or unknown["result"]["isError"], unknown
    result = server.tool("plan_route", {"prompt": "fix the crash and add a test"})
    assert not result.get("isError") and result["structuredContent"]["steps"]
    assert server.proc.poll() is None
    server.close_stdin()
    assert server.wait() == 0
    server.assert_stdout_is_protocol()
    # a reply to the 10 MB request is the only allowed answer among the junk; it must be a readable error
    for line in server.lines:
        message = json.loads(line)
        if message.get("id") == 906:
            assert "limit" in error_text(message.get("result", {})) or message.get("error"), message
    assert "Traceback" not in server.stderr, server.stderr[-3000:]
    assert outcomes_in(tmp_path) <= 1  # the id-less call is a notification: run or ignored, never answered
    assert not any(json.loads(line).get("id") is None and "result" in json.loads(line) for line in server.lines)


def test_nan_and_infinity_tokens_in_every_numeric_field(spawn: Callable[..., RawServer], tmp_path: Path) -> None:
    server = spawn()
    server.initialize()
    fields = {"record_outcome": ['"duration_ms"', '"cost_usd"', '"input_tokens"'],
              "get_stats": ['"since_days"', '"limit"']}
    rid = 1000
    for tool, names in fields.items():
        for name in names:
            for token in ("NaN", "Infinity", "-Infinity", "1e999", "-0", "1" + "0" * 400):
                rid += 1
                base = '"model": "m", "success": true, ' if tool == "record_outcome" else ""
                head = json.dumps({"jsonrpc": "2.0", "id": rid, "method": "tools/call", "params": {"name": tool}})
                server.write_raw(head[:-2] + f', "arguments": {{{base}{name}: {token}}}}}}}\n')  # raw token
                reply = server.reply(rid)
                if token == "-0":
                    continue  # a legal zero
                assert reply.get("error") or reply["result"]["isError"], (tool, name, token, reply)
                if "result" in reply:
                    text = error_text(reply["result"])
                    assert text.strip() != f"Error executing tool {tool}", (tool, name, token, text)
    stats = server.tool("get_stats", {})
    assert stats["structuredContent"]["total_outcomes"] == 3  # the three legal "-0" values only
    server.close_stdin()
    assert server.wait() == 0
    server.assert_stdout_is_protocol()


def test_closing_stdin_exits_cleanly(spawn: Callable[..., RawServer]) -> None:
    server = spawn()
    server.initialize()
    server.close_stdin()
    assert server.wait(timeout=20) == 0
    server.assert_stdout_is_protocol()
    assert "Traceback" not in server.stderr


def test_stdin_closed_while_a_call_is_in_flight(spawn: Callable[..., RawServer], tmp_path: Path) -> None:
    server = spawn()
    server.initialize()
    for _ in range(20):
        server.call("tools/call", {"name": "record_outcome", "arguments": {"model": "inflight", "success": True}})
    server.close_stdin()
    assert server.wait(timeout=20) == 0  # the SDK drops calls still in flight at EOF (mcp-sdk-2.md §2.9)
    server.assert_stdout_is_protocol()
    assert outcomes_in(tmp_path) <= 20
    assert "Traceback" not in server.stderr


def test_reader_disappears_mid_call(tmp_path: Path) -> None:
    """The host stops reading (its end of our stdout closes) while calls are in flight: the server must end, not
    hang or spin, and outcomes it accepted are stored."""
    proc = subprocess.Popen([sys.executable, "-m", "routesmith_mcp", "serve"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=base_env(tmp_path), cwd=tmp_path)
    try:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                                     "params": CLAUDE_HANDSHAKE}).encode() + b"\n")
        proc.stdin.flush()
        assert json.loads(proc.stdout.readline())["id"] == 1
        proc.stdin.write(b'{"jsonrpc": "2.0", "method": "notifications/initialized"}\n')
        proc.stdout.close()  # the reading side is gone
        for n in range(2, 30):
            proc.stdin.write(json.dumps({"jsonrpc": "2.0", "id": n, "method": "tools/call", "params": {
                "name": "record_outcome", "arguments": {"model": "gone", "success": True}}}).encode() + b"\n")
        try:
            proc.stdin.flush()
            time.sleep(1.0)
            proc.stdin.close()
        except BrokenPipeError:
            pass
        code = proc.wait(timeout=20)
        stderr = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
        assert code == 0, (code, stderr[-2000:])  # was 1 with "unexpected ExceptionGroup" before the fix
        assert "stopped reading" in stderr and "unexpected" not in stderr, stderr[-2000:]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
    # the first outcome is stored before its reply fails to send; nothing half-written
    assert outcomes_in(tmp_path) >= 1


def test_host_vanishes_without_closing_stdin(tmp_path: Path) -> None:
    """The host is killed but our stdin pipe stays open (held by someone else): the parent-pid watch ends us."""
    middle = ("import subprocess, sys, time\n"
              "p = subprocess.Popen([sys.executable, '-m', 'routesmith_mcp', 'serve'])\n"
              "sys.stderr.write(f'{p.pid}\\n'); sys.stderr.flush(); time.sleep(600)\n")
    status_r, status_w = os.pipe()
    host = subprocess.Popen([sys.executable, "-c", middle], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=status_w, env=base_env(tmp_path), cwd=tmp_path)
    os.close(status_w)
    status = os.fdopen(status_r, "rb")
    try:
        assert host.stdin is not None and host.stdout is not None
        server_pid = int(status.readline())
        host.stdin.write(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize",
                                     "params": CLAUDE_HANDSHAKE}).encode() + b"\n")
        host.stdin.flush()
        assert json.loads(host.stdout.readline())["id"] == 1
        host.kill()  # the host dies; this test still holds the write end of the server's stdin
        host.wait(timeout=10)
        # the server's stdout reaches EOF only when the server itself has exited
        import select

        ready, _, _ = select.select([host.stdout], [], [], 20)
        assert ready, f"the orphaned server {server_pid} is still running after 20 s"
        assert host.stdout.read() == b""
        assert b"went away" in status.read()
    finally:
        host.stdin.close()  # type: ignore[union-attr]
        status.close()
        if host.poll() is None:
            host.kill()
            host.wait(timeout=10)


def test_a_thousand_concurrent_requests(spawn: Callable[..., RawServer], tmp_path: Path) -> None:
    server = spawn()
    server.initialize()
    plan = server.tool("plan_route", {"prompt": "plan it, implement it and test it"})["structuredContent"]
    calls: dict[int, str] = {}
    lines = []
    for n in range(1000):
        rid = 10_000 + n
        kind = ("record_outcome", "plan_route", "resolve_models", "get_stats")[n % 4]
        args: dict[str, Any] = {
            "record_outcome": {"model": f"m{n % 7}", "success": n % 3 != 0, "duration_ms": n,
                               "plan_id": plan["plan_id"], "step_id": plan["steps"][0]["id"]},
            "plan_route": {"prompt": f"fix bug {n} and add a test"},
            "resolve_models": {"plan_id": plan["plan_id"]},
            "get_stats": {"group_by": ["model"]},
        }[kind]
        calls[rid] = kind
        lines.append(json.dumps({"jsonrpc": "2.0", "id": rid, "method": "tools/call",
                                 "params": {"name": kind, "arguments": args}}))
    server.write_raw("\n".join(lines) + "\n")  # all at once
    replies = {rid: server.reply(rid, timeout=120) for rid in calls}
    assert len(replies) == 1000
    bad = {rid: r for rid, r in replies.items() if "error" in r or r["result"].get("isError")}
    assert not bad, list(bad.items())[:3]
    assert server.tool("get_stats", {})["structuredContent"]["total_outcomes"] == 250
    server.close_stdin()
    assert server.wait() == 0
    server.assert_stdout_is_protocol()
    ids = [json.loads(line).get("id") for line in server.lines]
    assert len(ids) == len(set(ids)), "a request was answered twice"
    assert outcomes_in(tmp_path) == 250


def test_two_sessions_share_one_database(spawn: Callable[..., RawServer], tmp_path: Path) -> None:
    first, second = spawn(), spawn({"GEMINI_CLI": "1"})
    first.initialize()
    second.initialize({"protocolVersion": "2025-06-18", "capabilities": {},
                       "clientInfo": {"name": "gemini-cli-mcp-client", "version": "0.61.0"}})
    ids: dict[RawServer, list[int]] = {first: [], second: []}
    for n in range(150):
        for server, model in ((first, "alpha"), (second, "beta")):
            rid = server.new_id()
            ids[server].append(rid)
            server.send({"jsonrpc": "2.0", "id": rid, "method": "tools/call", "params": {
                "name": "record_outcome", "arguments": {"model": model, "success": n % 2 == 0, "duration_ms": n}}})
    for server, rids in ids.items():
        for rid in rids:
            reply = server.reply(rid, timeout=120)
            assert "result" in reply and not reply["result"].get("isError"), reply
    for server in (first, second):
        stats = server.tool("get_stats", {"group_by": ["host", "model"]})["structuredContent"]
        assert stats["total_outcomes"] == 300
        assert {(r["host"], r["model"], r["n"]) for r in stats["rows"]} == {("claude-code", "alpha", 150),
                                                                           ("gemini-cli", "beta", 150)}
    for server in (first, second):
        server.close_stdin()
        assert server.wait() == 0
        server.assert_stdout_is_protocol()
    assert outcomes_in(tmp_path) == 300
    assert not list((tmp_path / "rs").glob("*.spool.jsonl*")), "nothing may be left waiting in the spool"
