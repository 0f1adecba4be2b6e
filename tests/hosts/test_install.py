"""install/uninstall round-trips on fixture configs shaped like the real ones, plus agents, hook and host_configs/."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest

from routesmith_mcp.engine.types import CAPABILITIES
from routesmith_mcp.hosts.profiles import load_profile
from routesmith_mcp.install import (
    GENERATED_MARK,
    TARGETS,
    InstallError,
    install,
    installable_hosts,
    snippet,
    uninstall,
)

REPO = Path(__file__).resolve().parents[2]
HOST_CONFIG_FILES = {
    "claude-code": "claude-code.mcp.json", "claude-desktop": "claude-desktop.claude_desktop_config.json",
    "gemini-cli": "gemini-cli.settings.json", "qwen-code": "qwen-code.settings.json", "codex": "codex.config.toml",
    "vscode": "vscode.mcp.json", "cursor": "cursor.mcp.json", "opencode": "opencode.json", "kilo": "kilo.json",
    "copilot-cli": "copilot-cli.mcp-config.json",
}

# Existing configs with another server and unrelated keys, per format (shapes from shared/reference/hosts.md).
FIXTURES: dict[str, str] = {
    "mcpServers": json.dumps({
        "numStartups": 12, "hasCompletedOnboarding": True, "theme": "dark",
        "mcpServers": {"probe": {"command": "python", "args": ["probe.py", "LOG"], "env": {"A": "1"}}},
        "security": {"auth": {"selectedType": "gemini-api-key"}}}, indent=2) + "\n",
    "vscode": json.dumps({"inputs": [{"type": "promptString", "id": "k", "password": True}],
                          "servers": {"probe": {"type": "stdio", "command": "python", "args": ["probe.py"]}}},
                         indent=4) + "\n",
    "opencode": json.dumps({"$schema": "https://opencode.ai/config.json",
                            "mcp": {"probe": {"type": "local", "command": ["python", "probe.py", "LOG"],
                                              "enabled": True}},
                            "provider": {"openai": {"options": {"baseURL": "http://127.0.0.1:9/v1"}}}},
                           indent=2) + "\n",
    "codex": ('# my config\nopenai_base_url = "http://127.0.0.1:9/v1"\nmodel = "gpt-6.1-sol"\n\n'
              '[mcp_servers.probe]\ncommand = "python"\nargs = ["probe.py", "LOG"]\n\n'
              '# fast profile\n[profiles.fast]\nmodel = "gpt-6-luna"\n'),
}

CASES = [(h, s) for h in sorted(TARGETS) for s in ("user", "project")
         if (TARGETS[h].user if s == "user" else TARGETS[h].project) is not None]


def parse(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    return tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)


def files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def target_path(host: str, scope: str, home: Path, cwd: Path) -> Path:
    path = TARGETS[host].path(scope, home, cwd, {})  # type: ignore[arg-type]
    assert path is not None
    return path


def our_entry(host: str, data: Any) -> Any:
    if TARGETS[host].fmt == "codex":
        return data["mcp_servers"]["routesmith"]
    key = {"vscode": "servers", "opencode": "mcp"}.get(TARGETS[host].fmt, "mcpServers")
    return data[key]["routesmith"]


@pytest.mark.parametrize(("host", "scope"), CASES)
def test_round_trip_on_existing_config(host: str, scope: str, dirs: tuple[Path, Path]) -> None:
    home, cwd = dirs
    path = target_path(host, scope, home, cwd)
    path.parent.mkdir(parents=True, exist_ok=True)
    original = FIXTURES[TARGETS[host].fmt]
    path.write_text(original, encoding="utf-8")
    before = parse(path)

    report = install(host, scope=scope, home=home, cwd=cwd, env={})  # type: ignore[arg-type]
    assert report.changed and report.changes[0].action == "update"
    after = parse(path)
    assert our_entry(host, after) == our_entry(host, parse_snippet(host))
    for key, value in before.items():  # unrelated keys and other servers survive
        if isinstance(value, dict):
            for inner, inner_value in value.items():
                assert after[key][inner] == inner_value
        else:
            assert after[key] == value
    backup = Path(report.changes[0].backup or "")
    assert backup.read_text(encoding="utf-8") == original

    snapshot = files(home.parent)
    again = install(host, scope=scope, home=home, cwd=cwd, env={})  # type: ignore[arg-type]
    assert not again.changed and [c.action for c in again.changes] == ["unchanged"]
    assert files(home.parent) == snapshot  # nothing written, no new backup

    removed = uninstall(host, scope=scope, home=home, cwd=cwd, env={})  # type: ignore[arg-type]
    assert removed.changes[0].action == "remove"
    assert parse(path) == before
    assert path.read_text(encoding="utf-8") == original  # same layout: exact restore
    assert not uninstall(host, scope=scope, home=home, cwd=cwd, env={}).changed  # type: ignore[arg-type]


@pytest.mark.parametrize(("host", "scope"), CASES)
def test_fresh_install_creates_and_uninstall_deletes(host: str, scope: str, dirs: tuple[Path, Path]) -> None:
    home, cwd = dirs
    path = target_path(host, scope, home, cwd)
    report = install(host, scope=scope, home=home, cwd=cwd, env={})  # type: ignore[arg-type]
    assert report.changes[0].action == "create" and report.changes[0].backup is None
    assert parse(path) == parse_snippet(host)
    uninstall(host, scope=scope, home=home, cwd=cwd, env={})  # type: ignore[arg-type]
    assert not path.exists()


@pytest.mark.parametrize(("host", "scope"), CASES)
def test_dry_run_writes_nothing_and_shows_a_diff(host: str, scope: str, dirs: tuple[Path, Path]) -> None:
    home, cwd = dirs
    path = target_path(host, scope, home, cwd)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(FIXTURES[TARGETS[host].fmt], encoding="utf-8")
    snapshot = files(home.parent)
    report = install(host, scope=scope, dry_run=True, home=home, cwd=cwd, env={})  # type: ignore[arg-type]
    assert files(home.parent) == snapshot
    assert report.dry_run and report.diff.startswith("---") and "+" in report.diff and "routesmith" in report.diff
    assert "would update" in report.render()


def parse_snippet(host: str) -> Any:
    text = snippet(host)
    return tomllib.loads(text) if TARGETS[host].fmt == "codex" else json.loads(text)


@pytest.mark.parametrize("host", sorted(HOST_CONFIG_FILES))
def test_host_configs_files_match_what_install_writes(host: str, dirs: tuple[Path, Path]) -> None:
    home, cwd = dirs
    shipped = REPO / "host_configs" / HOST_CONFIG_FILES[host]
    assert shipped.read_text(encoding="utf-8") == snippet(host)
    scope = "project" if TARGETS[host].project else "user"
    install(host, scope=scope, home=home, cwd=cwd, env={})  # type: ignore[arg-type]
    assert parse(target_path(host, scope, home, cwd)) == parse(shipped)
    readme = (REPO / "host_configs" / "README.md").read_text(encoding="utf-8")
    assert HOST_CONFIG_FILES[host] in readme


def test_every_installable_host_has_a_host_config_file() -> None:
    assert set(HOST_CONFIG_FILES) == set(installable_hosts())


def test_copilot_entry_has_the_observed_shape() -> None:
    entry = json.loads(snippet("copilot-cli"))["mcpServers"]["routesmith"]
    assert entry == {"type": "stdio", "command": "routesmith-mcp", "args": ["serve"], "tools": ["*"]}
    assert json.loads(snippet("opencode"))["mcp"]["routesmith"]["command"] == ["routesmith-mcp", "serve"]
    assert json.loads(snippet("vscode"))["servers"]["routesmith"]["type"] == "stdio"


def test_errors_are_clear(dirs: tuple[Path, Path]) -> None:
    home, cwd = dirs
    with pytest.raises(InstallError, match="unknown host 'nope'.*claude-code.*codex"):
        install("nope", home=home, cwd=cwd, env={})
    with pytest.raises(InstallError, match="host_configs/README.md"):
        install("windsurf", home=home, cwd=cwd, env={})
    with pytest.raises(InstallError, match="no project-level config"):
        install("claude-desktop", scope="project", home=home, cwd=cwd, env={})
    with pytest.raises(InstallError, match="--hook exists only for claude-code"):
        install("codex", hook=True, home=home, cwd=cwd, env={})
    assert files(home.parent) == {}


def test_files_routesmith_cannot_rewrite_safely_are_left_alone(dirs: tuple[Path, Path]) -> None:
    home, cwd = dirs
    jsonc = cwd / ".vscode" / "mcp.json"
    jsonc.parent.mkdir()
    jsonc.write_text('{\n  // mine\n  "servers": {},\n}\n')
    with pytest.raises(InstallError, match="comments"):
        install("vscode", scope="project", home=home, cwd=cwd, env={})
    broken = cwd / ".mcp.json"
    broken.write_text('{"mcpServers": ')
    with pytest.raises(InstallError, match="not valid JSON"):
        install("claude-code", scope="project", home=home, cwd=cwd, env={})
    inline = home / ".codex" / "config.toml"
    inline.parent.mkdir()
    inline.write_text('mcp_servers = { probe = { command = "python" } }\n')
    with pytest.raises(InstallError, match="nothing was written"):
        install("codex", home=home, cwd=cwd, env={})
    assert jsonc.read_text().startswith('{\n  // mine') and broken.read_text() == '{"mcpServers": '
    assert inline.read_text() == 'mcp_servers = { probe = { command = "python" } }\n'
    assert not list(home.parent.rglob("*.bak-routesmith*"))


def test_codex_update_keeps_user_keys_and_subtables(dirs: tuple[Path, Path]) -> None:
    home, cwd = dirs
    path = home / ".codex" / "config.toml"
    path.parent.mkdir()
    path.write_text('[mcp_servers.routesmith]\ncommand = "old"\nargs = [\n  "a",\n  "b",\n]\nstartup_timeout_sec = 20\n\n'
                    '[mcp_servers.routesmith.env]\nROUTESMITH_HOME = "/data"\n\n[other]\nx = 1\n')
    install("codex", home=home, cwd=cwd, env={})
    data = tomllib.loads(path.read_text())
    assert data["mcp_servers"]["routesmith"] == {"command": "routesmith-mcp", "args": ["serve"],
                                                 "startup_timeout_sec": 20, "env": {"ROUTESMITH_HOME": "/data"}}
    assert data["other"] == {"x": 1}
    uninstall("codex", home=home, cwd=cwd, env={})
    assert tomllib.loads(path.read_text()) == {"other": {"x": 1}}


def test_codex_home_relocates(dirs: tuple[Path, Path], tmp_path: Path) -> None:
    home, cwd = dirs
    report = install("codex", home=home, cwd=cwd, env={"CODEX_HOME": str(tmp_path / "ch")})
    assert report.changes[0].path == str(tmp_path / "ch" / "config.toml")


@pytest.mark.parametrize("host", ["claude-code", "gemini-cli", "codex", "copilot-cli", "cursor", "opencode"])
def test_agents_are_written_idempotently_and_never_over_a_users_file(host: str, dirs: tuple[Path, Path]) -> None:
    home, cwd = dirs
    first = install(host, scope="project", agents=True, home=home, cwd=cwd, env={})
    written = [Path(c.path) for c in first.changes if c.what.startswith("agent for")]
    assert len(written) == len(CAPABILITIES)
    profile = load_profile(host)
    for cap, path in zip(CAPABILITIES, written, strict=True):
        text = path.read_text(encoding="utf-8")
        assert GENERATED_MARK in text and profile.agent_name(cap) in path.name
        model = profile.routes[cap]["balanced"][0]
        if path.suffix == ".toml":
            data = tomllib.loads(text)
            assert (data["name"], data["model"]) == (profile.agent_name(cap), model)
            assert data["model_reasoning_effort"] == profile.agent_fields[cap]["model_reasoning_effort"]
            assert data["developer_instructions"]
        else:
            front = text.split("---")[1]
            assert f'model: "{model}"' in front
    assert not install(host, scope="project", agents=True, home=home, cwd=cwd, env={}).changed

    # A file the user wrote under one of our names is never touched, by install or uninstall.
    theirs = written[1]
    theirs.write_text("my own agent\n", encoding="utf-8")
    report = install(host, scope="project", agents=True, home=home, cwd=cwd, env={})
    assert any(c.action == "skip" and c.path == str(theirs) for c in report.changes)
    uninstall(host, scope="project", agents=True, home=home, cwd=cwd, env={})
    assert theirs.read_text(encoding="utf-8") == "my own agent\n"
    assert [p for p in written if p.exists()] == [theirs]


def test_agents_for_a_host_without_agent_files_is_a_note(dirs: tuple[Path, Path]) -> None:
    home, cwd = dirs
    report = install("kilo", scope="project", agents=True, home=home, cwd=cwd, env={})
    assert any("no agent files" in n for n in report.notes)
    assert [c.path for c in report.changes] == [str(cwd / "kilo.json")]


def test_claude_hook_is_registered_merged_and_removed(dirs: tuple[Path, Path]) -> None:
    home, cwd = dirs
    settings = home / ".claude" / "settings.json"
    settings.parent.mkdir()
    mine = {"matcher": "Bash", "hooks": [{"type": "command", "command": "~/bin/check.sh"}]}
    settings.write_text(json.dumps({"model": "opus", "hooks": {"PreToolUse": [mine]}}, indent=2) + "\n")
    install("claude-code", hook=True, home=home, cwd=cwd, env={})
    data = json.loads(settings.read_text())
    assert data["model"] == "opus" and data["hooks"]["PreToolUse"][0] == mine
    ours = data["hooks"]["PreToolUse"][1]
    assert ours["matcher"] == "Agent|Task"
    assert ours["hooks"] == [{"type": "command", "command": "routesmith-mcp hook claude-pretooluse", "timeout": 10}]
    assert not install("claude-code", hook=True, home=home, cwd=cwd, env={}).changed
    uninstall("claude-code", hook=True, home=home, cwd=cwd, env={})
    assert json.loads(settings.read_text()) == {"model": "opus", "hooks": {"PreToolUse": [mine]}}
    assert not (home / ".claude.json").exists()  # created by install, so uninstall removes it again


def test_hook_command_follows_the_server_command(dirs: tuple[Path, Path]) -> None:
    home, cwd = dirs
    install("claude-code", scope="project", hook=True, home=home, cwd=cwd, env={},
            command=["/opt/venv/bin/routesmith-mcp", "serve"])
    data = json.loads((cwd / ".claude" / "settings.json").read_text())
    cmd = data["hooks"]["PreToolUse"][0]["hooks"][0]["command"]
    assert cmd == "/opt/venv/bin/routesmith-mcp hook claude-pretooluse"
    assert json.loads((cwd / ".mcp.json").read_text())["mcpServers"]["routesmith"]["command"] == \
        "/opt/venv/bin/routesmith-mcp"


def test_codex_crlf_file_keeps_its_line_endings(dirs: tuple[Path, Path]) -> None:
    home, cwd = dirs
    path = home / ".codex" / "config.toml"
    path.parent.mkdir()
    original = b'model = "gpt-6.1-sol"\r\n\r\n[mcp_servers.probe]\r\ncommand = "python"\r\n'
    path.write_bytes(original)
    install("codex", home=home, cwd=cwd, env={})
    assert b"\r\n[mcp_servers.routesmith]\r\n" in path.read_bytes() and b"\n\n" not in path.read_bytes()
    uninstall("codex", home=home, cwd=cwd, env={})
    assert path.read_bytes() == original
