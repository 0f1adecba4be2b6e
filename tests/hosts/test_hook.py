"""The Claude Code PreToolUse hook: rewrites subagent calls, respects explicit models, always fails open."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from routesmith_mcp.hook import claude_pretooluse


def event(tool_input: dict[str, Any], tool_name: str = "Agent", **extra: Any) -> str:
    return json.dumps({"session_id": "s1", "transcript_path": "/tmp/t.jsonl", "cwd": "/nonexistent",
                       "hook_event_name": "PreToolUse", "tool_name": tool_name, "tool_input": tool_input,
                       "tool_use_id": "toolu_01", **extra})


class Spy:
    def __init__(self, answer: Any = ("haiku", "formatting is a fast step")) -> None:
        self.answer = answer
        self.prompts: list[str] = []

    def __call__(self, prompt: str) -> Any:
        self.prompts.append(prompt)
        if isinstance(self.answer, BaseException):
            raise self.answer
        return self.answer


AGENT_INPUT = {"description": "Format files", "prompt": "Run the formatter over src/", "subagent_type": "general-purpose"}


@pytest.mark.parametrize("tool_name", ["Agent", "Task"])
def test_rewrites_the_subagent_model(tool_name: str, tmp_path: Path) -> None:
    spy = Spy()
    out = claude_pretooluse(event(AGENT_INPUT, tool_name), decide=spy, env={}, home=tmp_path)
    assert out is not None and spy.prompts == ["Run the formatter over src/"]
    specific = json.loads(out)["hookSpecificOutput"]
    assert specific["hookEventName"] == "PreToolUse"
    assert specific["permissionDecision"] == "allow"
    assert specific["updatedInput"] == {**AGENT_INPUT, "model": "haiku"}
    assert "routesmith" in specific["permissionDecisionReason"] and "haiku" in specific["permissionDecisionReason"]


def test_respects_an_explicit_model(tmp_path: Path) -> None:
    spy = Spy()
    assert claude_pretooluse(event({**AGENT_INPUT, "model": "opus"}), decide=spy, env={}, home=tmp_path) is None
    assert spy.prompts == []


def test_respects_a_model_pinned_by_the_subagent_file_or_env(tmp_path: Path) -> None:
    project = tmp_path / "proj"
    agents = project / ".claude" / "agents"
    agents.mkdir(parents=True)
    (agents / "security-reviewer.md").write_text("---\nname: security-reviewer\ndescription: x\nmodel: opus\n---\nBody\n")
    (agents / "helper.md").write_text("---\nname: helper\ndescription: x\nmodel: inherit\n---\nBody\n")
    spy = Spy()
    pinned = {**AGENT_INPUT, "subagent_type": "Security Reviewer"}
    assert claude_pretooluse(event(pinned, cwd=str(project)), decide=spy, env={}, home=tmp_path) is None
    inherit = {**AGENT_INPUT, "subagent_type": "helper"}
    assert claude_pretooluse(event(inherit, cwd=str(project)), decide=spy, env={}, home=tmp_path) is not None
    forced = claude_pretooluse(event(AGENT_INPUT), decide=spy, env={"CLAUDE_CODE_SUBAGENT_MODEL": "sonnet"},
                               home=tmp_path)
    assert forced is None


@pytest.mark.parametrize("raw", [
    "", "not json", "[]", "null", "42", '{"tool_name": "Agent"}', '{"tool_name": "Agent", "tool_input": "x"}',
    event({"description": "no prompt"}), event({**AGENT_INPUT, "prompt": "   "}), event(AGENT_INPUT, "Bash"),
    json.dumps({"hook_event_name": "PostToolUse", "tool_name": "Agent", "tool_input": AGENT_INPUT}),
    "\x00\xff{", '{"tool_name": "Agent", "tool_input": {"prompt": ' + "1" * 100 + "}}",
])
def test_fails_open_on_garbage(raw: str, tmp_path: Path) -> None:
    assert claude_pretooluse(raw, decide=Spy(), env={}, home=tmp_path) is None


@pytest.mark.parametrize("answer", [None, RuntimeError("engine broke"), ("", "r"), ("two words", "r"), (None, "r"),
                                    ("opus",), 5, ("opus", None), ("x" * 200, "r")])
def test_fails_open_on_a_bad_decision(answer: Any, tmp_path: Path) -> None:
    assert claude_pretooluse(event(AGENT_INPUT), decide=Spy(answer), env={}, home=tmp_path) is None


def test_disabled_by_env(tmp_path: Path) -> None:
    spy = Spy()
    for value in ("1", "true", "yes"):
        assert claude_pretooluse(event(AGENT_INPUT), decide=spy, env={"ROUTESMITH_HOOK_DISABLE": value},
                                 home=tmp_path) is None
    assert spy.prompts == []
    assert claude_pretooluse(event(AGENT_INPUT), decide=spy, env={"ROUTESMITH_HOOK_DISABLE": "0"},
                             home=tmp_path) is not None


def test_hook_module_stays_light() -> None:
    code = ("import sys, routesmith_mcp.hook; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'mcp', 'pydantic', 'sqlmodel', 'sqlalchemy'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "[]"
