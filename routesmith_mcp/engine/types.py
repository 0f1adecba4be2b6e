"""Plain, fast value types shared by the engine (no pydantic, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, get_args

StepType = Literal[
    "planning", "analysis", "debugging", "coding", "testing", "refactor", "documentation", "formatting", "review"
]
Capability = Literal["deep_reasoning", "coding", "balanced", "fast"]
Preference = Literal["balanced", "cost", "quality"]

STEP_TYPES: tuple[StepType, ...] = get_args(StepType)
CAPABILITIES: tuple[Capability, ...] = get_args(Capability)
PREFERENCES: tuple[Preference, ...] = get_args(Preference)


@dataclass(frozen=True, slots=True)
class DraftStep:
    """One request found in a prompt, before a capability class is attached.

    `id` is "s1", "s2", ... in execution order; `depends_on` names earlier ids only.
    `start`/`end` locate `text` in the prompt when it is one contiguous span (else -1).
    """

    id: str
    type: StepType
    text: str
    depends_on: tuple[str, ...] = ()
    confidence: float = 0.5
    start: int = -1
    end: int = -1
    signals: tuple[str, ...] = field(default=())
