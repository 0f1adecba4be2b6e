"""The real server over stdio, driven with the exact handshakes that real hosts send (see host_configs/)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow

META = "io.modelcontextprotocol/"

# Handshakes as observed from the real host CLIs (protocolVersion, capabilities, clientInfo).
HANDSHAKES: dict[str, dict[str, Any]] = {
    "claude-code": {
        "protocolVersion": "2025-11-25",
        "capabilities": {"elicitation": {}, "roots": {}},
        "clientInfo": {"name": "claude-code", "version": "2.1.197", "title": "Claude Code",
                       "description": "Anthropic's agentic coding tool", "websiteUrl": "https://claude.com/claude-code"},
    },
    "gemini-cli": {
        "protocolVersion": "2025-06-18",
        "capabilities": {"roots": {"listChanged": True}},
        "clientInfo": {"name": "gemini-cli-mcp-client", "version": "0.61.0"},
    },
    "codex": {
        "protocolVersion": "2025-06-18",
        "capabilities": {"elicitation": {"form": {}, "url": {}}, "experimental": {"codex/auth-change": {}}},
        "clientInfo": {"name": "codex-mcp-client", "version": "0.169.0", "title": "Codex"},
    },
}
COPILOT_META = {
    META + "protocolVersion": "2026-07-28",
    META + "clientInfo": {"name": "copilot-cli", "version": "1.0.102"},
    META + "clientCapabilities": {"elicitation": {"form": {}, "url": {}}, "sampling": {}},
}


class StdioServer:
    """A `routesmith-mcp serve` child process spoken to line by line, as a host does."""

    def __init__(self, home: Path, extra_env: dict[str, str] | None = None) -> None:
        env = {"PATH": os.environ.get("PATH", ""), "HOME": str(home), "ROUTESMITH_HOME": str(home / "rs"),
               **(extra_env or {})}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "routesmith_mcp", "serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, env=env, cwd=home, text=True, encoding="utf-8", bufsize=1,
        )
        self.next_id = 0

    def send(self, message: dict[str, Any]) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(message) + "\n")
        self.proc.stdin.flush()

    def request(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        self.next_id += 1
        self.send({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
        assert self.proc.stdout is not None
        while True:
            line = self.proc.stdout.readline()
            assert line, f"server closed stdout; stderr: {self.stderr_tail()}"
            message = json.loads(line)  # every stdout line must be JSON-RPC
            assert message.get("jsonrpc") == "2.0", line
            if message.get("id") == self.next_id:
                return message

    def stderr_tail(self) -> str:
        self.proc.kill()
        assert self.proc.stderr is not None
        return self.proc.stderr.read()[-2000:]

    def close(self) -> int:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        try:
            return self.proc.wait(timeout=20)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()


@pytest.fixture
def spawn(tmp_path: Path) -> Iterator[Any]:
    servers: list[StdioServer] = []

    def make(extra_env: dict[str, str] | None = None) -> StdioServer:
        servers.append(StdioServer(tmp_path, extra_env))
        return servers[-1]

    yield make
    for server in servers:
        if server.proc.poll() is None:
            server.proc.kill()


def plan_host(result: dict[str, Any]) -> dict[str, Any]:
    assert "result" in result, result
    content = result["result"]
    assert not content.get("isError"), content
    return content["structuredContent"]["host"]


@pytest.mark.parametrize("host_id", sorted(HANDSHAKES))
def test_handshake_era_hosts_are_recognised(spawn: Any, host_id: str) -> None:
    server = spawn()
    init = server.request("initialize", HANDSHAKES[host_id])
    assert init["result"]["serverInfo"]["name"] == "routesmith"
    server.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
    tools = server.request("tools/list", {})
    assert {t["name"] for t in tools["result"]["tools"]} == {"plan_route", "resolve_models", "record_outcome",
                                                               "get_stats"}
    host = plan_host(server.request("tools/call", {"name": "plan_route",
                                                   "arguments": {"prompt": "fix the crash and add a test"}}))
    assert host["id"] == host_id
    assert host["client_name"] == HANDSHAKES[host_id]["clientInfo"]["name"]
    assert host["protocol_version"] == HANDSHAKES[host_id]["protocolVersion"]
    assert server.close() == 0


def test_copilot_cli_meta_only_is_recognised(spawn: Any) -> None:
    server = spawn()
    discover = server.request("server/discover", {"_meta": COPILOT_META})
    assert "result" in discover, discover
    host = plan_host(server.request("tools/call", {"name": "plan_route", "_meta": COPILOT_META,
                                                   "arguments": {"prompt": "write the README"}}))
    assert host["id"] == "copilot-cli" and host["client_version"] == "1.0.102"
    assert host["protocol_version"] == "2026-07-28"
    assert server.close() == 0


def test_health_check_client_falls_back_to_env(spawn: Any) -> None:
    server = spawn({"GEMINI_CLI": "1"})
    server.request("initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                                  "clientInfo": {"name": "mcp-test-client", "version": "0.0.1"}})
    server.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
    host = plan_host(server.request("tools/call", {"name": "plan_route", "arguments": {"prompt": "explain this"}}))
    assert host["id"] == "gemini-cli"
    assert any("mcp-test-client" in e for e in host["evidence"])
    server.close()


def test_bad_lines_do_not_stop_the_server_and_stdout_stays_protocol(spawn: Any) -> None:
    server = spawn()
    server.request("initialize", HANDSHAKES["claude-code"])
    server.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
    assert server.proc.stdin is not None
    for junk in ("this is not json", "[1, 2, 3]", "42", '{"jsonrpc": "2.0", "method": "tools/list"}'):
        server.proc.stdin.write(junk + "\n")
    server.proc.stdin.flush()
    unknown = server.request("no/such/method", {})
    assert unknown["error"]["code"] == -32601
    bad = server.request("tools/call", {"name": "plan_route", "arguments": {"prompt": ""}})
    assert bad["result"]["isError"] is True
    host = plan_host(server.request("tools/call", {"name": "plan_route", "arguments": {"prompt": "add tests"}}))
    assert host["id"] == "claude-code"
    assert server.close() == 0


def test_nan_and_infinity_tokens_are_rejected_not_stored(spawn: Any) -> None:
    server = spawn()
    server.request("initialize", HANDSHAKES["codex"])
    server.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
    assert server.proc.stdin is not None and server.proc.stdout is not None
    for n, token in enumerate(("NaN", "Infinity", "-Infinity"), start=100):
        server.proc.stdin.write('{"jsonrpc": "2.0", "id": %d, "method": "tools/call", "params": {"name": '
                                '"record_outcome", "arguments": {"model": "m", "success": true, '
                                '"duration_ms": %s}}}\n' % (n, token))
        server.proc.stdin.flush()
        reply = json.loads(server.proc.stdout.readline())
        assert reply["id"] == n
        assert reply.get("error") or reply["result"]["isError"] is True, reply
    stats = server.request("tools/call", {"name": "get_stats", "arguments": {}})
    assert stats["result"]["structuredContent"]["total_outcomes"] == 0
    server.close()
