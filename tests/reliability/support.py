"""Helpers for the reliability suite: a raw stdio server driven line by line, with timeouts everywhere.

This is a sibling of `tests/server/test_stdio.py::StdioServer`, not a replacement: the fault tests need to write
raw bytes, read with a deadline (a dead or hung server must fail the test, never hang it), collect every stdout
line for the "nothing but protocol on stdout" check, and read stderr while the process is still running.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

CLAUDE_HANDSHAKE: dict[str, Any] = {
    "protocolVersion": "2025-11-25",
    "capabilities": {"roots": {}},
    "clientInfo": {"name": "claude-code", "version": "2.1.197"},
}
REPLY_TIMEOUT = 30.0


def base_env(home: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """A minimal environment: no real home, no host variables, the test's routesmith home."""
    return {"PATH": os.environ.get("PATH", ""), "HOME": str(home), "ROUTESMITH_HOME": str(home / "rs"),
            "PYTHONUNBUFFERED": "1", **(extra or {})}


class RawServer:
    """`python -m routesmith_mcp serve` as a child; stdout/stderr drained by threads into queues and lists."""

    def __init__(self, cwd: Path, env: dict[str, str], args: list[str] | None = None) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "routesmith_mcp", *(args or ["serve"])],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=cwd,
        )
        self.lines: list[bytes] = []  # every stdout line, for the protocol-only check
        self.stderr_chunks: list[bytes] = []
        self._out: queue.Queue[bytes | None] = queue.Queue()
        self._pending: dict[Any, dict[str, Any]] = {}
        self.next_id = 0
        threading.Thread(target=self._drain_stdout, daemon=True).start()
        threading.Thread(target=self._drain_stderr, daemon=True).start()

    def _drain_stdout(self) -> None:
        assert self.proc.stdout is not None
        for line in iter(self.proc.stdout.readline, b""):
            self.lines.append(line)
            self._out.put(line)
        self._out.put(None)

    def _drain_stderr(self) -> None:
        assert self.proc.stderr is not None
        for chunk in iter(lambda: self.proc.stderr.read1(65536), b""):  # type: ignore[union-attr]
            self.stderr_chunks.append(chunk)

    @property
    def stderr(self) -> str:
        return b"".join(self.stderr_chunks).decode("utf-8", "replace")

    # -- writing ----------------------------------------------------------------------------------------------
    def write_raw(self, data: bytes | str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(data.encode() if isinstance(data, str) else data)
        self.proc.stdin.flush()

    def send(self, message: Any) -> None:
        self.write_raw(json.dumps(message) + "\n")

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id

    def call(self, method: str, params: dict[str, Any] | None = None) -> int:
        rid = self.new_id()
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": rid, "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)
        return rid

    # -- reading ----------------------------------------------------------------------------------------------
    def next_message(self, timeout: float = REPLY_TIMEOUT) -> dict[str, Any] | None:
        """The next stdout message (None at EOF); fails the test on a timeout or a non-JSON-RPC line."""
        try:
            line = self._out.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no reply within {timeout}s; stderr: {self.stderr[-2000:]}") from None
        if line is None:
            self._out.put(None)  # stay at EOF
            return None
        message = json.loads(line)
        assert isinstance(message, dict) and message.get("jsonrpc") == "2.0", line
        return message

    def reply(self, rid: Any, timeout: float = REPLY_TIMEOUT) -> dict[str, Any]:
        """The reply to request `rid` (other replies that arrive first are kept for later)."""
        deadline = time.monotonic() + timeout
        while rid not in self._pending:
            message = self.next_message(max(0.01, deadline - time.monotonic()))
            assert message is not None, f"server closed stdout before answering {rid}; stderr: {self.stderr[-2000:]}"
            if "id" in message and ("result" in message or "error" in message):
                self._pending[message["id"]] = message
        return self._pending.pop(rid)

    def request(self, method: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.reply(self.call(method, params))

    def initialize(self, handshake: dict[str, Any] | None = None) -> dict[str, Any]:
        init = self.request("initialize", handshake or CLAUDE_HANDSHAKE)
        assert "result" in init, init
        self.send({"jsonrpc": "2.0", "method": "notifications/initialized"})
        return init

    def tool(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        """A tools/call; returns the CallToolResult dict (asserts it is a result, not a JSON-RPC error)."""
        reply = self.request("tools/call", {"name": name, "arguments": arguments})
        assert "result" in reply, reply
        return reply["result"]  # type: ignore[no-any-return]

    # -- ending -----------------------------------------------------------------------------------------------
    def close_stdin(self) -> None:
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.close()
        except BrokenPipeError:
            pass

    def wait(self, timeout: float = 20.0) -> int:
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise AssertionError(f"server did not exit within {timeout}s; stderr: {self.stderr[-2000:]}") from None

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)

    def assert_stdout_is_protocol(self) -> None:
        """Every stdout line the server ever wrote is one JSON-RPC 2.0 message."""
        for line in self.lines:
            message = json.loads(line)
            assert isinstance(message, dict) and message.get("jsonrpc") == "2.0", line
            assert ("id" in message and ("result" in message or "error" in message)) or "method" in message, line


def error_text(result: dict[str, Any]) -> str:
    """The text of a CallToolResult dict (wire form)."""
    return " ".join(c.get("text", "") for c in result.get("content", []))
