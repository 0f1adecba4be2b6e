"""Turn decomposed steps into a plan: attach capability classes and explain the shape."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from routesmith_mcp.engine.capabilities import capability_for
from routesmith_mcp.engine.decompose import decompose
from routesmith_mcp.engine.types import Capability, DraftStep, StepType

LOW_CONFIDENCE = 0.4


@dataclass(frozen=True, slots=True)
class PlannedStep:
    draft: DraftStep
    capability: Capability


def plan_steps(prompt: str, overrides: Mapping[StepType, Capability] | None = None) -> list[PlannedStep]:
    """Decompose `prompt` and give each step its capability class."""
    return [PlannedStep(d, capability_for(d.type, d.signals, overrides)) for d in decompose(prompt)]


def rationale(steps: Sequence[PlannedStep]) -> str:
    """One short paragraph a person can check the plan against."""
    if not steps:
        return "The prompt asks for no work that needs a model choice (git operations only)."
    kinds = Counter(s.draft.type for s in steps)
    order = " -> ".join(f"{s.draft.id} {s.draft.type}" for s in steps)
    caps = ", ".join(f"{t} -> {c}" for t, c in dict.fromkeys((s.draft.type, s.capability) for s in steps))
    parts = [
        f"{len(steps)} step{'s' if len(steps) != 1 else ''} of {len(kinds)} kind{'s' if len(kinds) != 1 else ''}: "
        f"{order}.",
        f"Capability classes: {caps}.",
    ]
    uncertain = [s.draft.id for s in steps if s.draft.confidence < LOW_CONFIDENCE]
    if uncertain:
        parts.append(f"Low confidence in {', '.join(uncertain)}: the text matched no clear cue, so check the type.")
    return " ".join(parts)
