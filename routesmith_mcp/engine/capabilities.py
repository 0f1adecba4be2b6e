"""Task type -> capability class: the default table and the user's overrides."""

from __future__ import annotations

from collections.abc import Mapping

from routesmith_mcp.engine.types import CAPABILITIES, STEP_TYPES, Capability, StepType

DEFAULT_CAPABILITY: Mapping[StepType, Capability] = {
    "planning": "deep_reasoning",
    "review": "deep_reasoning",
    "debugging": "coding",
    "coding": "coding",
    "testing": "coding",
    "refactor": "coding",
    "analysis": "balanced",
    "documentation": "balanced",
    "formatting": "fast",
}

# Debugging is "hard" (deep_reasoning) when the decomposer saw signs of it: a pasted traceback, an
# intermittent or concurrency failure, a crash with no obvious cause.
HARD_DEBUGGING_SIGNALS = frozenset({"traceback", "intermittent", "concurrency", "memory", "root_cause"})


class CapabilityMapError(ValueError):
    """An override names an unknown task type or capability class."""


def validate_overrides(overrides: Mapping[str, str]) -> dict[StepType, Capability]:
    """Check a user's task-type -> capability overrides; raise with the fix on a bad entry."""
    checked: dict[StepType, Capability] = {}
    for task_type, capability in overrides.items():
        if task_type not in STEP_TYPES:
            raise CapabilityMapError(f"unknown task type {task_type!r}; use one of {', '.join(STEP_TYPES)}")
        if capability not in CAPABILITIES:
            raise CapabilityMapError(f"unknown capability {capability!r}; use one of {', '.join(CAPABILITIES)}")
        checked[task_type] = capability  # type: ignore[assignment]
    return checked


def capability_for(
    step_type: StepType,
    signals: tuple[str, ...] = (),
    overrides: Mapping[StepType, Capability] | None = None,
) -> Capability:
    """The capability class for one step: a user override wins, then hard-debugging signals, then the table."""
    if overrides and step_type in overrides:
        return overrides[step_type]
    if step_type == "debugging" and HARD_DEBUGGING_SIGNALS.intersection(signals):
        return "deep_reasoning"
    return DEFAULT_CAPABILITY[step_type]
