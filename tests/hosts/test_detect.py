"""Host detection against the handshakes, env and parents observed in shared/reference/hosts.md."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from routesmith_mcp.hosts.detect import CANONICAL_IDS, describe_hosts, detect_host, load_signatures, parent_cmdline
from routesmith_mcp.hosts.profiles import known_host_ids

CODEX_CAPS = {"elicitation": {"form": {}, "url": {}}, "experimental": {"codex/auth-change": {}}}
BASE_ENV = {"HOME": "/home/u", "PATH": "/usr/bin", "LANG": "C.UTF-8", "TERM": "xterm"}

# (case id, kwargs, expected host, expected source, minimum confidence)
OBSERVED: list[tuple[str, dict[str, Any], str, str, float]] = [
    ("claude-code session", {
        "client_name": "claude-code", "client_version": "2.1.197", "protocol_version": "2025-11-25",
        "client_capabilities": {"elicitation": {}, "roots": {}}, "client_title": "Claude Code",
        "env": {**BASE_ENV, "CLAUDECODE": "1", "CLAUDE_CODE_ENTRYPOINT": "cli", "CLAUDE_CODE_SESSION_ID": "0b5e-uuid",
             "CLAUDE_PROJECT_DIR": "/p", "AI_AGENT": "claude-code_2-1-197_harness"},
        "parent_cmdline": ["/usr/lib/node_modules/.bin/claude"]}, "claude-code", "client_info", 0.95),
    ("gemini session", {
        "client_name": "gemini-cli-mcp-client", "client_version": "0.61.0", "protocol_version": "2025-06-18",
        "client_capabilities": {"roots": {"listChanged": True}},
        "env": {**BASE_ENV, "GEMINI_CLI": "1", "GEMINI_CLI_NO_RELAUNCH": "true"},
        "parent_cmdline": ["node", "--max-old-space-size=8192", "/usr/lib/node_modules/@google/gemini-cli/bin/gemini",
                        "-p", "say hi"]}, "gemini-cli", "client_info", 0.95),
    ("gemini mcp list (health check)", {
        "client_name": "mcp-test-client", "client_version": "0.0.1", "protocol_version": "2025-06-18", "client_capabilities": {},
        "env": {**BASE_ENV, "GEMINI_CLI": "1", "GEMINI_CLI_NO_RELAUNCH": "true"},
        "parent_cmdline": ["node", "/usr/lib/node_modules/@google/gemini-cli/bin/gemini", "mcp", "list"]},
     "gemini-cli", "env", 0.6),
    ("codex exec", {
        "client_name": "codex-mcp-client", "client_version": "0.169.0", "protocol_version": "2025-06-18",
        "client_capabilities": CODEX_CAPS, "client_title": "Codex", "env": dict(BASE_ENV),
        "parent_cmdline": ["/x/@openai/codex-linux-x64/vendor/x86_64-unknown-linux-musl/bin/codex", "exec", "say hi"]},
     "codex", "client_info", 0.95),
    ("copilot via 2026-07-28 _meta", {
        "client_name": "copilot-cli", "client_version": "1.0.102", "protocol_version": "2026-07-28",
        "client_capabilities": {"elicitation": {"form": {}, "url": {}}, "sampling": {}},
        "env": {**BASE_ENV, "COPILOT_AGENT_SESSION_ID": "5f0c-uuid", "COPILOT_CLI_BINARY_VERSION": "1.0.102",
             "PYTHONUNBUFFERED": "1"},
        "parent_cmdline": ["/x/@github/copilot-linux-x64/copilot", "-p", "say hi"]}, "copilot-cli", "client_info", 0.95),
    ("copilot without clientInfo", {
        "client_name": None, "protocol_version": "2026-07-28",
        "env": {**BASE_ENV, "COPILOT_AGENT_SESSION_ID": "5f0c-uuid", "COPILOT_CLI_BINARY_VERSION": "1.0.102"},
        "parent_cmdline": None}, "copilot-cli", "env", 0.6),
    ("opencode", {
        "client_name": "opencode", "client_version": "1.18.33", "protocol_version": "2025-11-25",
        "client_capabilities": {"roots": {}}, "env": {**BASE_ENV, "OPENCODE": "1", "AGENT": "1", "OPENCODE_PID": "42"},
        "parent_cmdline": ["/x/node_modules/.bin/opencode", "run"]}, "opencode", "client_info", 0.95),
    ("kilo", {
        "client_name": "kilo", "client_version": "7.7.7", "protocol_version": "2025-11-25", "client_capabilities": {"roots": {}},
        "env": {**BASE_ENV, "KILO": "1", "KILOCODE_FEATURE": "cli", "KILOCODE_VERSION": "7.7.7", "KILO_PID": "7",
             "KILO_PROCESS_ROLE": "main", "OPENCODE": "1", "AGENT": "1"},
        "parent_cmdline": ["/x/@kilocode/cli/bin/.kilo", "run"]}, "kilo", "client_info", 0.95),
    ("qwen session", {
        "client_name": "qwen-cli-mcp-client-probe", "client_version": "0.0.1", "protocol_version": "2025-11-25",
        "client_capabilities": {"roots": {}}, "env": {**BASE_ENV, "QWEN_CODE_NO_RELAUNCH": "true"},
        "parent_cmdline": ["node", "/x/node_modules/.bin/qwen", "-p", "say hi"]}, "qwen-code", "client_info", 0.9),
    ("qwen mcp list (health check)", {
        "client_name": "mcp-test-client", "client_version": "0.0.1", "protocol_version": "2025-11-25", "client_capabilities": {},
        "env": dict(BASE_ENV), "parent_cmdline": ["node", "/x/node_modules/.bin/qwen", "mcp", "list"]},
     "qwen-code", "parent", 0.5),
    ("inspector 0.15", {
        "client_name": "inspector-cli", "client_version": "0.5.1", "protocol_version": "2025-11-25", "client_capabilities": {},
        "env": dict(BASE_ENV), "parent_cmdline": ["node", "/x/inspector/cli/build/index.js", "python", "probe.py"]},
     "generic", "none", 0.0),
    ("inspector 2.x", {
        "client_name": "inspector-cli", "client_version": "2.12.0", "protocol_version": "2025-11-25",
        "client_capabilities": {"roots": {"listChanged": True}}, "env": {"HOME": "/h", "PATH": "/p", "TERM": "x"},
        "parent_cmdline": ["node", "/x/.bin/mcp-inspector", "--cli"]}, "generic", "none", 0.0),
]

FROM_SOURCE = [
    ("Visual Studio Code", "vscode"), ("Visual Studio Code - Insiders", "vscode"), ("cursor-vscode", "cursor"),
    ("windsurf-client", "windsurf"), ("Zed", "zed"), ("Cline", "cline"), ("continue-client", "continue"),
    ("claude-ai", "claude-desktop"),
]


@pytest.mark.parametrize(("case", "kwargs", "host", "source", "confidence"), OBSERVED, ids=[c[0] for c in OBSERVED])
def test_observed_handshakes(case: str, kwargs: dict[str, Any], host: str, source: str, confidence: float) -> None:
    got = detect_host(**kwargs)
    assert got.id == host, got.evidence
    assert got.source == source
    assert got.confidence >= confidence
    assert got.client_name == kwargs.get("client_name")
    assert got.protocol_version == kwargs.get("protocol_version")


@pytest.mark.parametrize(("name", "host"), FROM_SOURCE)
def test_names_known_from_source(name: str, host: str) -> None:
    got = detect_host(client_name=name, env={})
    assert got.id == host
    assert 0.8 <= got.confidence <= 0.95


def test_codex_fingerprint_adds_evidence_and_identifies_a_renamed_client() -> None:
    plain = detect_host(client_name="codex-mcp-client", env={})
    with_caps = detect_host(client_name="codex-mcp-client", client_capabilities=CODEX_CAPS, env={})
    assert with_caps.confidence > plain.confidence
    assert any("codex/auth-change" in e for e in with_caps.evidence)
    renamed = detect_host(client_name="some-future-codex-name", client_capabilities=CODEX_CAPS, env={})
    assert (renamed.id, renamed.source) == ("codex", "client_info")
    assert 0.7 <= renamed.confidence < 0.95


def test_health_check_client_is_never_a_host() -> None:
    got = detect_host(client_name="mcp-test-client", client_version="0.0.1", env={})
    assert got.id == "generic"
    assert any("mcp-test-client" in e and "not a host" in e for e in got.evidence)


def test_unknown_name_falls_through_to_env_not_to_a_wrong_host() -> None:
    got = detect_host(client_name="my-own-agent", env={"CLAUDECODE": "1", "CLAUDE_CODE_ENTRYPOINT": "sdk-cli"})
    assert (got.id, got.source) == ("claude-code", "env")
    assert 0.6 <= got.confidence <= 0.75
    assert any("CLAUDE_CODE_ENTRYPOINT=sdk-cli" in e for e in got.evidence)


def test_kilo_env_wins_over_opencode_env() -> None:
    got = detect_host(client_name=None, env={"OPENCODE": "1", "AGENT": "1", "KILO": "1"})
    assert got.id == "kilo"
    assert any("OPENCODE=1" in e and "opencode" in e for e in got.evidence)


def test_client_info_outranks_inherited_env() -> None:
    # opencode launched from a Claude Code terminal still sees CLAUDECODE=1.
    got = detect_host(client_name="opencode", env={"CLAUDECODE": "1", "OPENCODE": "1"})
    assert got.id == "opencode"
    assert any("CLAUDECODE=1" in e and "claude-code" in e for e in got.evidence)


def test_override_wins_and_unknown_override_is_ignored() -> None:
    got = detect_host(client_name="claude-code", env={"ROUTESMITH_HOST": "codex"})
    assert (got.id, got.confidence, got.source) == ("codex", 1.0, "override")
    bad = detect_host(client_name="claude-code", env={"ROUTESMITH_HOST": "banana"})
    assert bad.id == "claude-code"
    assert any("'banana'" in e and "not a known host id" in e for e in bad.evidence)


def test_evidence_names_every_signal_considered() -> None:
    got = detect_host(client_name=None, env={}, parent_cmdline=["/bin/bash"])
    text = "\n".join(got.evidence)
    assert got.id == "generic" and got.confidence == 0.0 and got.source == "none"
    for signal in ("ROUTESMITH_HOST", "clientInfo", "env", "parent process"):
        assert signal in text


def test_parent_basename_alone() -> None:
    got = detect_host(client_name=None, env={}, parent_cmdline=["/opt/codex/bin/codex", "exec"])
    assert (got.id, got.source, got.confidence) == ("codex", "parent", 0.5)


def test_secrets_never_reach_evidence() -> None:
    canaries = ["sk-canary-ANTHROPIC-123", "ghp_canaryGITHUB456", "canary-probe-secret", "canary-session-uuid",
                "canary-parent-arg-789", "canary-override-secret"]
    env = {
        "ANTHROPIC_API_KEY": canaries[0], "GITHUB_TOKEN": canaries[1], "PROBE_SECRET_TOKEN": canaries[2],
        "COPILOT_AGENT_SESSION_ID": canaries[3], "CLAUDECODE": "1", "CLAUDE_CODE_ENTRYPOINT": "cli",
        "KILO": "1", "KILOCODE_VERSION": "7.7.7", "ROUTESMITH_HOST": "x y " + canaries[5],
    }
    for name in (None, "mcp-test-client", "unknown"):
        got = detect_host(client_name=name, env=env,
                          parent_cmdline=["/usr/bin/claude", "--api-key", canaries[4]])
        blob = "\n".join(got.evidence) + got.model_dump_json()
        for canary in canaries:
            assert canary not in blob


def test_parent_cmdline_reads_proc_safely() -> None:
    assert parent_cmdline(pid=2**22 + 12345) is None
    if os.path.exists(f"/proc/{os.getppid()}/cmdline"):
        argv = parent_cmdline()
        assert argv is None or (isinstance(argv, list) and all(isinstance(a, str) for a in argv))


def test_signature_tables_are_sourced_and_point_at_shipped_profiles() -> None:
    sig = load_signatures()
    shipped = set(known_host_ids())
    hosts = {r.host for r in sig.client_names} | {p.host for p in sig.env_probes} | \
        {p.host for p in sig.parent_basenames} | {f.host for f in sig.fingerprints}
    assert hosts <= shipped
    for entry in [*sig.client_names, *sig.not_hosts, *sig.env_probes, *sig.parent_basenames, *sig.fingerprints]:
        assert entry.source and entry.as_of
    names = [p.host for p in sig.env_probes]
    assert names.index("kilo") < names.index("opencode")


def test_describe_hosts_lists_every_canonical_id() -> None:
    rows = describe_hosts()
    assert [r["id"] for r in rows] == list(CANONICAL_IDS)
    for r in rows:
        assert r["display_name"] and r["recognised_by"] and isinstance(r["can_switch"], bool)
    by_id = {r["id"]: r for r in rows}
    assert by_id["claude-code"]["can_switch"] and not by_id["generic"]["can_switch"]
    assert "KILO=1" in by_id["kilo"]["recognised_by"]


def fake_proc(root: Path, table: dict[int, tuple[int, list[str]]]) -> Path:
    for pid, (ppid, argv) in table.items():
        (root / str(pid)).mkdir(parents=True)
        (root / str(pid) / "cmdline").write_bytes(b"\0".join(a.encode() for a in argv) + b"\0")
        (root / str(pid) / "stat").write_text(f"{pid} (weird name) S {ppid} 1 1 0 -1\n")
    return root


def test_parent_cmdline_skips_launchers(tmp_path: Path) -> None:
    proc = fake_proc(tmp_path, {
        30: (20, ["/usr/bin/uvx", "routesmith-mcp", "serve"]),
        20: (10, ["/bin/sh", "-c", "uvx routesmith-mcp serve"]),
        10: (1, ["/opt/claude/bin/claude", "--secret-arg"]),
    })
    assert parent_cmdline(30, proc=proc) == ["/opt/claude/bin/claude", "--secret-arg"]
    assert parent_cmdline(10, proc=proc) == ["/opt/claude/bin/claude", "--secret-arg"]
    assert parent_cmdline(99, proc=proc) is None


def test_parent_cmdline_returns_the_direct_parent_when_only_launchers_are_found(tmp_path: Path) -> None:
    proc = fake_proc(tmp_path, {5: (1, ["bash", "-c", "x"])})
    assert parent_cmdline(5, proc=proc) == ["bash", "-c", "x"]


def test_client_title_fingerprint() -> None:
    got = detect_host(client_name="claude-code", client_title="Claude Code", env={})
    assert got.confidence > 0.95 and any("clientInfo.title 'Claude Code'" in e for e in got.evidence)
    renamed = detect_host(client_name="claude-code-nightly", client_title="Claude Code", env={})
    assert (renamed.id, renamed.source, renamed.confidence) == ("claude-code", "client_info", 0.8)
    other = detect_host(client_name="opencode", client_title="Codex", env={})
    assert other.id == "opencode" and any("outranks" in e for e in other.evidence)
