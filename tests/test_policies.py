"""Policy plugins: named in the user's config, they may adjust a step; broken ones are skipped with an advisory."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from routesmith_mcp.config import load_settings
from routesmith_mcp.router import Router

PLUGIN = '''
def upgrade_docs(step):
    print("plugin chatter that must not reach stdout")
    if step["task_type"] == "documentation":
        return {"capability": "deep_reasoning"}
    return None

def pin_tests(step):
    return {"model": "opus"} if step["task_type"] == "testing" else None

def explode(step):
    raise RuntimeError("boom")

def nonsense(step):
    return {"capability": "wizardry"}

def wrong_type(step):
    return 42
'''


@pytest.fixture
def plugin_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    (tmp_path / "rs_test_policies.py").write_text(PLUGIN, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield "rs_test_policies"
    sys.modules.pop("rs_test_policies", None)


def router_with(tmp_path: Path, plugins: list[str]) -> Router:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    listed = ", ".join(f'"{p}"' for p in plugins)
    (home / "config.toml").write_text(f"plugins = [{listed}]\n", encoding="utf-8")
    settings = load_settings(env={"ROUTESMITH_HOME": str(home)}, cwd=tmp_path)
    return Router(settings, env={}, parent_cmdline=[])


def resolve(router: Router, prompt: str) -> tuple[dict[str, str], dict[str, str | None], list[str]]:
    host = router.identify().model_copy(update={"id": "claude-code"})
    plan = router.plan(prompt, host=host)
    result = router.resolve(host=host, plan_id=plan.plan_id)
    by_type = {s.id: s.type for s in plan.steps}
    caps = {by_type[a.step_id]: a.capability for a in result.assignments}
    models = {by_type[a.step_id]: a.model for a in result.assignments}
    return caps, models, result.advisories


def test_plugins_adjust_capability_and_model(tmp_path: Path, plugin_module: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    router = router_with(tmp_path, [f"{plugin_module}:upgrade_docs", f"{plugin_module}:pin_tests"])
    caps, models, _ = resolve(router, "Implement the export, add tests, and write the docs")
    assert caps["documentation"] == "deep_reasoning"
    assert models["testing"] == "opus"
    assert "plugin chatter" not in capsys.readouterr().out


def test_broken_plugins_are_skipped_with_advisories(tmp_path: Path, plugin_module: str) -> None:
    router = router_with(tmp_path, [f"{plugin_module}:explode", f"{plugin_module}:nonsense",
                                    f"{plugin_module}:wrong_type", "no_such_module_xyz:fn"])
    caps, models, advisories = resolve(router, "Implement the export and add tests")
    assert caps == {"coding": "coding", "testing": "coding"}
    text = " ".join(advisories)
    assert "explode skipped" in text and "RuntimeError" in text
    assert "wizardry" in text and "returned int" in text and "no_such_module_xyz" in text
