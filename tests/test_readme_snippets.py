"""Every Python and TOML snippet in the README runs or parses, so the docs cannot rot."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

README = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")


def blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README, flags=re.DOTALL)


@pytest.mark.parametrize("code", blocks("python"))
def test_python_snippets_run(code: str, capsys: pytest.CaptureFixture[str]) -> None:
    exec(compile(code, "README.md", "exec"), {})
    assert capsys.readouterr().out.strip()


@pytest.mark.parametrize("text", blocks("toml"))
def test_toml_snippets_are_valid_user_config(text: str, tmp_path: Path) -> None:
    from routesmith_mcp.config import load_settings

    assert tomllib.loads(text)
    (tmp_path / "config.toml").write_text(text, encoding="utf-8")
    settings = load_settings(env={"ROUTESMITH_HOME": str(tmp_path)}, cwd=tmp_path)
    assert settings.advisories == [], settings.advisories
