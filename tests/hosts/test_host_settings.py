"""Reading what each host allows right now, from fixture files shaped like the real ones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from routesmith_mcp.hosts.host_settings import read_host_constraints

SECRET = "sk-ant-canary-SECRET-0042"


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_claude_code_settings_layers_and_env(dirs: tuple[Path, Path]) -> None:
    home, cwd = dirs
    write(home / ".claude" / "settings.json", json.dumps({
        "model": "sonnet", "availableModels": ["sonnet", "haiku"],
        "permissions": {"allow": ["Bash(npm test)"]}, "env": {"ANTHROPIC_API_KEY": SECRET}}))
    write(cwd / ".claude" / "settings.json", json.dumps({"model": "opus", "hooks": {}}))
    write(cwd / ".claude" / "settings.local.json", json.dumps({"availableModels": ["opus", "sonnet"]}))
    env = {"ANTHROPIC_API_KEY": SECRET, "ANTHROPIC_DEFAULT_OPUS_MODEL": "claude-opus-4-8",
           "CLAUDE_CODE_SUBAGENT_MODEL": "haiku"}
    before = snapshot(home.parent)
    c = read_host_constraints("claude-code", env=env, home=home, cwd=cwd, managed=home / "no-managed.json")
    assert snapshot(home.parent) == before  # read-only
    assert c.current_model == "opus"
    assert c.allowed_models == ["opus", "sonnet"]
    assert c.pinned_models == {"opus": "claude-opus-4-8"}
    assert c.subagent_model == "haiku"
    text = "\n".join(c.sources)
    assert "~/.claude/settings.json" in text and ".claude/settings.local.json" in text
    assert "ANTHROPIC_DEFAULT_OPUS_MODEL" in text and "CLAUDE_CODE_SUBAGENT_MODEL" in text
    assert SECRET not in text and SECRET not in c.model_dump_json()


def test_claude_code_env_model_wins_and_managed_list_cannot_be_widened(dirs: tuple[Path, Path]) -> None:
    home, cwd = dirs
    write(home / ".claude" / "settings.json", json.dumps({"model": "sonnet", "availableModels": ["opus", "haiku"]}))
    managed = write(home / "managed-settings.json", json.dumps({"availableModels": ["haiku", "sonnet"]}))
    c = read_host_constraints("claude-code", env={"ANTHROPIC_MODEL": "haiku"}, home=home, cwd=cwd, managed=managed)
    assert c.current_model == "haiku"
    assert c.allowed_models == ["haiku"]
    assert any("ANTHROPIC_MODEL" in s for s in c.sources)


def test_claude_code_without_files_has_no_allow_list(dirs: tuple[Path, Path]) -> None:
    home, cwd = dirs
    c = read_host_constraints("claude-code", env={}, home=home, cwd=cwd, managed=home / "none.json")
    assert c.current_model is None and c.allowed_models is None and c.pinned_models == {}


def test_malformed_files_become_notes(dirs: tuple[Path, Path]) -> None:
    home, cwd = dirs
    write(home / ".claude" / "settings.json", '{"model": "opus",')
    write(cwd / ".claude" / "settings.json", json.dumps({"availableModels": "opus"}))
    write(cwd / ".claude" / "settings.local.json", "[1, 2]")
    c = read_host_constraints("claude-code", env={}, home=home, cwd=cwd, managed=home / "none.json")
    assert c.current_model is None and c.allowed_models is None
    text = "\n".join(c.sources)
    assert "not valid JSON" in text and "availableModels is not a list" in text and "not hold a JSON object" in text

    write(home / ".codex" / "config.toml", "model = [unclosed\n")
    codex = read_host_constraints("codex", env={}, home=home, cwd=cwd)
    assert codex.current_model is None and any("not valid TOML" in s for s in codex.sources)


def test_gemini_settings_model_name_and_env(dirs: tuple[Path, Path]) -> None:
    home, cwd = dirs
    write(home / ".gemini" / "settings.json", json.dumps({
        "security": {"auth": {"selectedType": "gemini-api-key"}}, "model": {"name": "gemini-2.5-pro"}}))
    c = read_host_constraints("gemini-cli", env={}, home=home, cwd=cwd)
    assert c.current_model == "gemini-2.5-pro"
    write(cwd / ".gemini" / "settings.json", json.dumps({"mcpServers": {}, "model": {"name": "gemini-3-flash-preview"}}))
    assert read_host_constraints("gemini-cli", env={}, home=home, cwd=cwd).current_model == "gemini-3-flash-preview"
    c = read_host_constraints("gemini-cli", env={"GEMINI_MODEL": "gemini-3.1-pro-preview", "GEMINI_API_KEY": SECRET},
                              home=home, cwd=cwd)
    assert c.current_model == "gemini-3.1-pro-preview"
    assert any("GEMINI_MODEL" in s for s in c.sources) and SECRET not in "\n".join(c.sources)


def test_gemini_old_flat_model_string(dirs: tuple[Path, Path]) -> None:
    home, cwd = dirs
    write(home / ".gemini" / "settings.json", json.dumps({"model": "gemini-2.5-flash"}))
    assert read_host_constraints("gemini-cli", env={}, home=home, cwd=cwd).current_model == "gemini-2.5-flash"


def test_codex_model_profiles_and_codex_home(dirs: tuple[Path, Path], tmp_path: Path) -> None:
    home, cwd = dirs
    toml = ('model = "gpt-6.1-sol"\nmodel_reasoning_effort = "medium"\nprofile = "deep"\n\n'
            '[mcp_servers.x]\ncommand = "x"\n\n[profiles.deep]\nmodel = "gpt-6-astra"\n\n'
            '[profiles.cheap]\nmodel = "gpt-6-luna"\n')
    write(home / ".codex" / "config.toml", toml)
    c = read_host_constraints("codex", env={}, home=home, cwd=cwd)
    assert c.current_model == "gpt-6-astra"
    assert c.profile_models == {"deep": "gpt-6-astra", "cheap": "gpt-6-luna"}
    relocated = write(tmp_path / "elsewhere" / "config.toml", 'model = "gpt-6-luna"\n').parent
    c = read_host_constraints("codex", env={"CODEX_HOME": str(relocated)}, home=home, cwd=cwd)
    assert c.current_model == "gpt-6-luna" and any("CODEX_HOME" in s for s in c.sources)


def test_opencode_and_kilo_provider_model(dirs: tuple[Path, Path]) -> None:
    home, cwd = dirs
    write(cwd / "opencode.json", json.dumps({
        "mcp": {"probe": {"type": "local", "command": ["python", "probe.py"], "enabled": True}},
        "provider": {"openai": {"options": {"baseURL": "http://127.0.0.1:9/v1"}}},
        "model": "anthropic/claude-sonnet-5-5"}))
    assert read_host_constraints("opencode", env={}, home=home, cwd=cwd).current_model == "anthropic/claude-sonnet-5-5"
    write(home / ".config" / "opencode" / "opencode.jsonc",
          '{\n  // my default\n  "model": "openai/gpt-6.1-sol", /* trailing */\n}\n')
    (cwd / "opencode.json").unlink()
    assert read_host_constraints("opencode", env={}, home=home, cwd=cwd).current_model == "openai/gpt-6.1-sol"
    write(cwd / "kilo.json", json.dumps({"model": "openai/gpt-6-luna"}))
    assert read_host_constraints("kilo", env={}, home=home, cwd=cwd).current_model == "openai/gpt-6-luna"


def test_copilot_qwen_and_aider(dirs: tuple[Path, Path]) -> None:
    home, cwd = dirs
    assert read_host_constraints("copilot-cli", env={"COPILOT_MODEL": "gpt-4o"}, home=home,
                                 cwd=cwd).current_model == "gpt-4o"
    write(home / ".qwen" / "settings.json", json.dumps({"security": {"auth": {"selectedType": "openai"}}}))
    assert read_host_constraints("qwen-code", env={"OPENAI_MODEL": "gpt-4o"}, home=home,
                                 cwd=cwd).current_model == "gpt-4o"
    write(cwd / ".aider.conf.yml", "# aider\nmodel: anthropic/claude-sonnet-5-5\ndark-mode: true\n")
    assert read_host_constraints("aider", env={}, home=home, cwd=cwd).current_model == "anthropic/claude-sonnet-5-5"


@pytest.mark.parametrize("host_id", ["windsurf", "zed", "generic", "nonsense"])
def test_hosts_without_readable_settings(host_id: str, dirs: tuple[Path, Path]) -> None:
    home, cwd = dirs
    c = read_host_constraints(host_id, env={}, home=home, cwd=cwd)
    assert c.current_model is None and c.allowed_models is None and c.sources
