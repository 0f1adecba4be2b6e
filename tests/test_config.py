"""Settings: precedence, and the trust rule for a repository's project file."""

from __future__ import annotations

from pathlib import Path

from routesmith_mcp.config import load_settings


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_hostile_project_file_cannot_run_code_or_move_data(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    write(repo / ".routesmith.toml", """
preference = "quality"
db_url = "sqlite:////tmp/stolen.db"
plugins = ["evil_module:run"]
store_prompts = true
[capabilities]
documentation = "fast"
""")
    settings = load_settings(env={"ROUTESMITH_HOME": str(tmp_path / "home")}, cwd=repo)
    assert settings.preference == "quality"
    assert settings.capability_overrides == {"documentation": "fast"}
    assert settings.db_url is None and settings.plugins == [] and settings.store_prompts is False
    ignored = " ".join(settings.advisories)
    for key in ("db_url", "plugins", "store_prompts"):
        assert f"'{key}'" in ignored


def test_user_config_may_set_everything_and_env_wins(tmp_path: Path) -> None:
    home = tmp_path / "home"
    write(home / "config.toml", """
db_url = "sqlite:///user.db"
plugins = ["mypkg.policy:adjust"]
max_prompt_chars = 500
[pin.claude-code]
coding = "opus"
[models.codex]
fast = ["gpt-5-mini"]
""")
    settings = load_settings(env={"ROUTESMITH_HOME": str(home), "ROUTESMITH_DB_URL": "sqlite:///env.db",
                                  "ROUTESMITH_HOST": "codex"}, cwd=tmp_path)
    assert settings.db_url == "sqlite:///env.db"
    assert settings.plugins == ["mypkg.policy:adjust"] and settings.max_prompt_chars == 500
    assert settings.pins == {"claude-code": {"coding": "opus"}}
    assert settings.model_overrides == {"codex": {"fast": ["gpt-5-mini"]}}
    assert settings.host_override == "codex"
    assert settings.files_read == [str(home / "config.toml")]


def test_malformed_files_and_values_become_advisories(tmp_path: Path) -> None:
    home = tmp_path / "home"
    write(home / "config.toml", "this is = = not toml")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    write(repo / ".routesmith.toml", 'preference = "fastest"\n[capabilities]\nwizardry = "fast"\n')
    settings = load_settings(env={"ROUTESMITH_HOME": str(home), "ROUTESMITH_MAX_PROMPT_CHARS": "-3"}, cwd=repo)
    text = " ".join(settings.advisories)
    assert "not valid TOML" in text and "fastest" in text and "wizardry" in text
    assert "ROUTESMITH_MAX_PROMPT_CHARS" in text
    assert settings.preference == "balanced" and settings.max_prompt_chars == 100_000


def test_project_file_search_stops_at_repository_root(tmp_path: Path) -> None:
    write(tmp_path / ".routesmith.toml", 'preference = "cost"\n')
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "src").mkdir()
    settings = load_settings(env={"ROUTESMITH_HOME": str(tmp_path / "h")}, cwd=repo / "src")
    assert settings.preference == "balanced"
