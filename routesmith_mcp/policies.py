"""Policy plugins: user-installed callables that may adjust a step's capability class or model.

A plugin is registered as a package entry point in the group `routesmith_mcp.policies`, or named as
"module:callable" in the user's own config (never in a repository's project file). It is called with one dict:

    {"step_id", "task_type", "text", "capability", "host", "preference"}

and returns None (no change) or a dict with "capability" and/or "model". A plugin that raises, prints, or
returns anything else is skipped with an advisory; its stdout never reaches the MCP wire.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any

from routesmith_mcp.engine.types import CAPABILITIES

logger = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "routesmith_mcp.policies"
Policy = Callable[[dict[str, Any]], Any]


@dataclass(frozen=True)
class LoadedPolicy:
    name: str
    fn: Policy


@dataclass(frozen=True)
class Adjustment:
    capability: str | None = None
    model: str | None = None


def load_policies(names: Sequence[str]) -> tuple[list[LoadedPolicy], list[str]]:
    """Entry-point policies plus the user's named ones; failures become advisories."""
    loaded: list[LoadedPolicy] = []
    advisories: list[str] = []
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        try:
            loaded.append(LoadedPolicy(f"entry point {ep.name}", _callable(ep.load(), ep.value)))
        except Exception as exc:
            advisories.append(f"policy plugin {ep.name} skipped: could not load it ({exc.__class__.__name__})")
    for name in names:
        module_name, _, attr = name.partition(":")
        try:
            with _stdout_to_stderr():
                module = importlib.import_module(module_name)
            loaded.append(LoadedPolicy(name, _callable(getattr(module, attr or "policy"), name)))
        except Exception as exc:
            advisories.append(f"policy plugin {name} skipped: could not load it ({exc.__class__.__name__}: {exc})")
    return loaded, advisories


def apply_policies(policies: Sequence[LoadedPolicy], step: dict[str, Any]) -> tuple[Adjustment, list[str]]:
    """Run each policy in order; later ones see earlier adjustments."""
    advisories: list[str] = []
    current = dict(step)
    capability: str | None = None
    model: str | None = None
    for policy in policies:
        try:
            with _stdout_to_stderr():
                answer = policy.fn(dict(current))
        except Exception as exc:
            advisories.append(f"policy {policy.name} skipped: it raised {exc.__class__.__name__}")
            logger.warning("policy %s raised", policy.name, exc_info=True)
            continue
        if answer is None:
            continue
        problem = _check(answer)
        if problem:
            advisories.append(f"policy {policy.name} skipped: {problem}")
            continue
        if answer.get("capability"):
            capability = current["capability"] = answer["capability"]
        if answer.get("model"):
            model = current["model"] = answer["model"]
    return Adjustment(capability=capability, model=model), advisories


def _check(answer: Any) -> str | None:
    if not isinstance(answer, dict):
        return f"it returned {type(answer).__name__}, expected None or a dict"
    unknown = set(answer) - {"capability", "model"}
    if unknown:
        return f"it returned unknown keys {sorted(unknown)}"
    cap = answer.get("capability")
    if cap is not None and cap not in CAPABILITIES:
        return f"it returned capability {cap!r}; expected one of {', '.join(CAPABILITIES)}"
    model = answer.get("model")
    if model is not None and (not isinstance(model, str) or not model.strip() or len(model) > 200):
        return "it returned a model that is not a short non-empty string"
    return None


def _callable(obj: Any, name: str) -> Policy:
    if not callable(obj):
        raise TypeError(f"{name} is not callable")
    return obj  # type: ignore[no-any-return]


@contextlib.contextmanager
def _stdout_to_stderr() -> Any:
    with contextlib.redirect_stdout(sys.stderr):
        yield
