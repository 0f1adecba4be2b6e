"""Wire the Claude Code hook to the engine: pick the subagent's model and log the decision. No MCP import."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, TextIO

from routesmith_mcp.config import Settings, load_settings
from routesmith_mcp.engine.types import Capability, StepType

if TYPE_CHECKING:
    from routesmith_mcp.router import Router
    from routesmith_mcp.store import TelemetryStore

logger = logging.getLogger(__name__)

HOST_ID = "claude-code"
MAX_EVENT_CHARS = 4 * 1024 * 1024
# One subagent runs the whole prompt, so its most demanding step decides the model.
DEMAND: dict[Capability, int] = {"fast": 0, "balanced": 1, "coding": 2, "deep_reasoning": 3}


def decide_model(prompt: str, router: Router) -> tuple[str, str, Capability, StepType] | None:
    """(model, reason, capability, task type) for a subagent prompt on Claude Code, or None to leave it alone."""
    from routesmith_mcp.engine.plan import plan_steps

    steps = plan_steps(prompt[: router.settings.max_prompt_chars], router.settings.capability_overrides)
    if not steps:
        return None
    lead = max(steps, key=lambda s: (DEMAND[s.capability], -int(s.draft.id[1:])))
    host = router.identify().model_copy(update={"id": HOST_ID})
    assignment = router.resolve(host=host, capabilities=[lead.capability]).assignments[0]
    if assignment.strategy != "switch" or not assignment.model:
        return None
    return assignment.model, f"{lead.draft.type} -> {lead.capability}", lead.capability, lead.draft.type


def run_claude_pretooluse(stdin: TextIO, stdout: TextIO) -> int:
    """Read one PreToolUse event, print the rewritten input (or nothing). Always exits 0: it fails open."""
    from routesmith_mcp.hook import claude_pretooluse
    from routesmith_mcp.router import Router

    store = None
    try:
        settings = load_settings()
        if not settings.hook_enabled:
            return 0
        event = stdin.read(MAX_EVENT_CHARS)
        store = _open_store(settings)
        router = Router(settings, store, parent_cmdline=[])
        chosen: dict[str, str] = {}

        def decide(prompt: str) -> tuple[str, str] | None:
            answer = decide_model(prompt, router)
            if answer is not None:
                chosen.update(model=answer[0], capability=answer[2], task_type=answer[3], prompt=prompt)
            return None if answer is None else (answer[0], answer[1])

        output = claude_pretooluse(event, decide=decide)
        if output:
            stdout.write(output + "\n")
            stdout.flush()
            if store is not None:
                store.record_decision(host=HOST_ID, model=chosen["model"], capability=chosen["capability"],
                                      task_type=chosen["task_type"], prompt=chosen["prompt"], source="hook")
    except Exception:  # a hook must never break the host
        logger.warning("routesmith hook failed or could not log; the call goes ahead", exc_info=True)
    finally:
        if store is not None:
            store.close()
    return 0


def _open_store(settings: Settings) -> TelemetryStore | None:
    try:
        from routesmith_mcp.store import TelemetryStore

        return TelemetryStore.open(settings.db_url, home=settings.home)
    except Exception as exc:  # routing still works from the profile alone
        logger.warning("routesmith hook: telemetry store unavailable: %s", exc)
        return None
