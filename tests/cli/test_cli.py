"""The command line: output formats, stdin, errors with a fix, and no MCP import outside `serve`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from routesmith_mcp.cli import main

CANONICAL = "Plan this feature, implement it, add tests, and write docs"


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROUTESMITH_HOME", str(tmp_path / "rs"))
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    monkeypatch.chdir(tmp_path)
    for var in ("ROUTESMITH_HOST", "ROUTESMITH_DB_URL", "CLAUDECODE", "GEMINI_CLI", "OPENCODE", "KILO"):
        monkeypatch.delenv(var, raising=False)


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "routesmith_mcp", *args], input=stdin, capture_output=True,
                          text=True, timeout=60, env=dict(os.environ))


def test_plan_json_is_the_plan_route_structure(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", CANONICAL, "--json", "--host", "claude-code"]) == 0
    plan = json.loads(capsys.readouterr().out)
    assert set(plan) >= {"plan_id", "host", "steps", "rationale", "advisories"}
    assert plan["host"]["id"] == "claude-code" and plan["host"]["source"] == "override"
    assert [s["type"] for s in plan["steps"]] == ["planning", "coding", "testing", "documentation"]


def test_plan_table_shows_steps_and_models(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", CANONICAL, "--host", "claude-code"]) == 0
    out = capsys.readouterr().out
    for word in ("planning", "testing", "deep_reasoning", "switch", "host: claude-code"):
        assert word in out


def test_plan_reads_long_prompt_from_stdin() -> None:
    prompt = ("Refactor the parser module, then add unit tests for it. Here is the current file:\n```python\n"
              + "value = parse(line)  # one step of the old parser\n" * 1000 + "```\n")
    result = run("plan", "--json", "--host", "codex", stdin=prompt)
    assert result.returncode == 0, result.stderr
    types = [s["type"] for s in json.loads(result.stdout)["steps"]]
    assert "refactor" in types and "testing" in types


@pytest.mark.parametrize(("args", "needle"), [
    (["plan", "   "], "empty"),
    (["plan", "add a page", "--host", "notepad"], "unknown host"),
    (["stats", "--group-by", "planet"], "--group-by"),
    (["prune"], "--older-than"),
    (["import", "missing.jsonl"], "not a file"),
    (["install", "notepad", "--dry-run"], "notepad"),
])
def test_bad_input_is_a_message_with_the_fix_and_no_traceback(args: list[str], needle: str) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert needle in result.stderr and "Traceback" not in result.stderr


def test_commands_other_than_serve_do_not_import_the_mcp_sdk(tmp_path: Path) -> None:
    code = ("import sys; from routesmith_mcp.cli import main; "
            "[main(a) for a in (['plan', 'fix the bug', '--json'], ['hosts'], ['stats'], ['doctor', '--json'])]; "
            "bad = sorted(m for m in sys.modules if m == 'mcp' or m.startswith('mcp.')); "
            "assert not bad, bad")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                            env=dict(os.environ))
    assert result.returncode == 0, result.stderr


def test_hosts_lists_every_profile(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["hosts", "--json"]) == 0
    hosts = {h["id"]: h for h in json.loads(capsys.readouterr().out)}
    assert {"claude-code", "codex", "gemini-cli", "copilot-cli", "cursor", "generic"} <= set(hosts)
    assert hosts["generic"]["can_switch"] is False


def test_doctor_reports_database_and_never_secrets(capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-CANARY-123456")
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_CANARYTOKEN987")
    monkeypatch.setenv("CLAUDECODE", "1")
    assert main(["doctor", "--json"]) == 0
    out = capsys.readouterr().out
    assert "CANARY" not in out
    report = json.loads(out)
    assert report["host"]["id"] == "claude-code"
    assert report["database"]["healthy"] is True


def test_stats_after_import(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = [json.dumps({"model": "haiku", "success": i % 4 != 0, "host": "claude-code", "capability": "fast",
                         "task_type": "formatting", "duration_ms": 100 + i}) for i in range(40)]
    path = tmp_path / "outcomes.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["import", str(path)]) == 0
    capsys.readouterr()
    assert main(["stats", "--json", "--group-by", "model"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["total_outcomes"] == 40
    assert stats["rows"][0]["model"] == "haiku" and stats["rows"][0]["successes"] == 30
    assert main(["stats", "--csv"]) == 0
    assert capsys.readouterr().out.splitlines()[0].startswith("model,capability,n")


def test_claude_hook_rewrites_subagent_model_and_logs_the_decision(tmp_path: Path) -> None:
    event = {"hook_event_name": "PreToolUse", "tool_name": "Agent", "cwd": str(tmp_path),
             "tool_input": {"description": "tidy", "prompt": "Run the formatter over src/ and fix lint warnings",
                            "subagent_type": "general-purpose"}}
    result = run("hook", "claude-pretooluse", stdin=json.dumps(event))
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)["hookSpecificOutput"]
    assert out["updatedInput"]["model"] == "haiku"  # formatting -> fast -> the profile's fast model
    assert out["updatedInput"]["prompt"] == event["tool_input"]["prompt"]
    stats = run("stats", "--decisions", "--json")
    assert [(d["model"], d["capability"], d["source"], d["n"]) for d in json.loads(stats.stdout)] == [
        ("haiku", "fast", "hook", 1)]


@pytest.mark.parametrize("stdin", ["", "not json", "[1,2]", json.dumps({"tool_name": "Agent", "tool_input": {
    "prompt": "plan the migration", "model": "opus"}})])
def test_claude_hook_fails_open_and_respects_an_explicit_model(stdin: str) -> None:
    result = run("hook", "claude-pretooluse", stdin=stdin)
    assert result.returncode == 0 and result.stdout == ""


def test_savings_compares_with_the_hosts_strongest_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = [json.dumps({"model": "haiku", "success": True, "host": "claude-code", "capability": "fast",
                         "input_tokens": 1_000_000, "output_tokens": 0, "cost_usd": 0.1})]
    path = tmp_path / "o.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["import", str(path)]) == 0
    capsys.readouterr()
    assert main(["stats", "--savings", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    row = report["rows"][0]
    assert row["strongest_model"] == "opus"
    # 1M input tokens at opus's list price minus what haiku actually cost.
    assert row["saved_usd"] == pytest.approx(row["strongest_cost_usd"] - 0.1) and row["saved_usd"] > 0


def test_import_reports_bad_lines_with_their_numbers_and_keeps_the_good(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    path.write_text('{"model": "m", "success": true}\nnot json\n{"model": "", "success": true}\n', encoding="utf-8")
    result = run("import", str(path))
    assert result.returncode == 0
    assert "imported 1 outcomes" in result.stdout and "2 rejected" in result.stdout
    assert "line 2" in result.stderr and "line 3" in result.stderr
