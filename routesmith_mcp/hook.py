"""Claude Code PreToolUse hook: give each subagent call (the Agent tool, formerly Task) the model routesmith picks.

Claude Code runs the hook before every matching tool call, passes the event as JSON on stdin and reads JSON from
stdout. To change the input the hook answers with `hookSpecificOutput.updatedInput`, which Claude Code applies
only together with a `permissionDecision`; "allow" does not override the user's deny or ask rules.

It fails open: on any error, garbage input, a model the caller already chose (in the call, in the subagent's own
file, or via CLAUDE_CODE_SUBAGENT_MODEL), or ROUTESMITH_HOOK_DISABLE=1, it answers nothing and the call goes
ahead unchanged. Deliberately light: no MCP, no store, no pydantic imports (it runs on every subagent call).
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

AGENT_TOOLS = frozenset({"Agent", "Task"})  # "Task" is the pre-2.1 name of the Agent tool
DISABLE_ENV = "ROUTESMITH_HOOK_DISABLE"
BUILT_IN_AGENTS = frozenset({"general-purpose", "explore", "plan", "statusline-setup", "output-style-setup"})
_MODEL_VALUE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/@\[\]-]{0,99}$")
_FRONT_MODEL = re.compile(r"^model:\s*['\"]?([^'\"#\n]+?)['\"]?\s*(?:#.*)?$", re.MULTILINE)

def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "yes", "on"}


def _norm(name: str) -> str:
    return re.sub(r"[\s_]+", "-", name.strip().lower())


def agent_file_model(subagent_type: str, *, cwd: Path | None, home: Path | None) -> str | None:
    """The `model:` a custom subagent's own file sets (None when unset, 'inherit', or no such file)."""
    wanted = _norm(subagent_type)
    folders = [p / ".claude" / "agents" for p in (cwd, home) if p is not None]
    for folder in folders:
        try:
            candidates = [f for f in folder.iterdir() if f.suffix == ".md" and _norm(f.stem) == wanted]
        except OSError:
            continue
        for file in candidates:
            try:
                text = file.read_text(encoding="utf-8", errors="replace")[:8192]
            except OSError:
                continue
            if not text.startswith("---"):
                continue
            front = text.split("---", 2)[1] if text.count("---") >= 2 else ""
            match = _FRONT_MODEL.search(front)
            if match and match.group(1).strip().lower() not in ("", "inherit"):
                return match.group(1).strip()
    return None


def claude_pretooluse(
    event_json: str,
    *,
    decide: Callable[[str], tuple[str, str] | None],
    env: Mapping[str, str] | None = None,
    home: Path | None = None,
) -> str | None:
    """The JSON to print for one PreToolUse event, or None to print nothing (the call proceeds unchanged)."""
    env = os.environ if env is None else env
    try:
        if _truthy(env.get(DISABLE_ENV)):
            return None
        event = json.loads(event_json)
        if not isinstance(event, dict):
            return None
        if event.get("hook_event_name", "PreToolUse") != "PreToolUse" or event.get("tool_name") not in AGENT_TOOLS:
            return None
        tool_input = event.get("tool_input")
        if not isinstance(tool_input, dict):
            return None
        if tool_input.get("model"):
            return None  # the caller chose a model: respect it
        if env.get("CLAUDE_CODE_SUBAGENT_MODEL", "").strip():
            return None  # the user forces one model on every subagent
        prompt = tool_input.get("prompt")
        if not isinstance(prompt, str) or not prompt.strip():
            return None
        subagent = tool_input.get("subagent_type")
        if isinstance(subagent, str) and subagent.strip() and _norm(subagent) not in BUILT_IN_AGENTS:
            cwd = event.get("cwd") or env.get("CLAUDE_PROJECT_DIR")
            if agent_file_model(subagent, cwd=Path(cwd) if isinstance(cwd, str) and cwd else None,
                                home=home if home is not None else Path.home()):
                return None  # the subagent's own file pins its model
        choice = decide(prompt)
        if choice is None:
            return None
        model, reason = choice
        if not isinstance(model, str) or not _MODEL_VALUE.match(model) or not isinstance(reason, str):
            logger.warning("routesmith hook: decide() returned an unusable answer; left the call unchanged")
            return None
        output: dict[str, Any] = {
            "hookSpecificOutput": {
                "hookEventName": "PreToolUse",
                "permissionDecision": "allow",
                "permissionDecisionReason": f"routesmith: {model} ({reason})"[:500],
                "updatedInput": {**tool_input, "model": model},
            }
        }
        return json.dumps(output, ensure_ascii=False)
    except Exception:
        logger.warning("routesmith hook failed; the subagent call goes ahead unchanged", exc_info=True)
        return None
