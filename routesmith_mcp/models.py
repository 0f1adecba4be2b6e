"""Pydantic models for everything that crosses a boundary: tool results, the Python API, the CLI's --json.

Field names here are a public contract (see README "Tool reference"): add fields, never rename or drop.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from routesmith_mcp.engine.types import Capability, Preference, StepType

HostId = Literal[
    "claude-code", "claude-desktop", "cursor", "vscode", "copilot-cli", "gemini-cli", "codex", "opencode", "kilo",
    "qwen-code", "windsurf", "zed", "cline", "continue", "aider", "generic",
]


class HostIdentity(BaseModel):
    """Which host is calling, how sure we are, and why."""

    id: str = Field(description="Canonical host id, e.g. 'claude-code'; 'generic' when unknown.")
    client_name: str | None = Field(default=None, description="clientInfo.name as the client sent it.")
    client_version: str | None = Field(default=None, description="clientInfo.version as the client sent it.")
    protocol_version: str | None = Field(default=None, description="MCP protocol version of the connection.")
    confidence: float = Field(ge=0.0, le=1.0, description="0..1; 1.0 for an explicit override or exact name.")
    evidence: list[str] = Field(default_factory=list, description="The signals behind the verdict, strongest first.")
    source: str = Field(default="none", description="Which signal decided: override, client_info, env, parent, none.")


class Step(BaseModel):
    """One typed step of a plan."""

    id: str = Field(description="Step id, 's1', 's2', ... in execution order.")
    type: StepType
    text: str = Field(description="The part of the prompt that asks for this step.")
    capability: Capability
    depends_on: list[str] = Field(default_factory=list, description="Ids of steps that must finish first.")
    confidence: float = Field(ge=0.0, le=1.0, description="How sure the decomposer is of this step's type.")


class PlanResult(BaseModel):
    """What plan_route returns."""

    plan_id: str = Field(description="Pass to resolve_models / record_outcome.")
    host: HostIdentity
    preference: Preference
    steps: list[Step]
    rationale: str = Field(description="One paragraph on why the plan looks the way it does.")
    advisories: list[str] = Field(default_factory=list, description="Things the caller should know.")


class Assignment(BaseModel):
    """How to run one step (or one capability) on this host."""

    step_id: str | None = Field(default=None, description="The plan step, or null for a bare capability.")
    capability: Capability
    strategy: Literal["switch", "prompt"] = Field(
        description="'switch': run it on `model` via `lever`; 'prompt': stay on the current model, follow `lever`."
    )
    model: str | None = Field(default=None, description="Model id as this host spells it; null for 'prompt'.")
    lever: str = Field(description="Exactly how to apply the choice on this host.")
    alternatives: list[str] = Field(default_factory=list, description="Other acceptable model ids, best first.")
    reason: str = Field(description="Why this model or strategy: preference, allow-list, override, evidence.")


class Resolution(BaseModel):
    """What resolve_models returns."""

    host: HostIdentity
    can_switch: bool = Field(description="Whether this host offers any lever to run a step on another model.")
    preference: Preference
    assignments: list[Assignment]
    advisories: list[str] = Field(default_factory=list)


class OutcomeRecorded(BaseModel):
    """What record_outcome returns."""

    outcome_id: int
    recorded_at: datetime
    spooled: bool = Field(default=False, description="True when the database was unavailable and the outcome "
                          "was kept in the spool file, to be written later.")


StatsGroupKey = Literal["model", "capability", "task_type", "host", "day"]


class StatsRow(BaseModel):
    """One group of outcomes. Group keys that were not grouped on are null."""

    model: str | None = None
    capability: str | None = None
    task_type: str | None = None
    host: str | None = None
    day: str | None = None
    n: int
    successes: int
    success_rate: float
    ci_low: float = Field(description="Wilson 95% interval, lower bound.")
    ci_high: float = Field(description="Wilson 95% interval, upper bound.")
    p50_ms: float | None = None
    p95_ms: float | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0


class Stats(BaseModel):
    """What get_stats returns."""

    rows: list[StatsRow]
    total_outcomes: int = Field(description="Outcomes matching the filters (all groups, before `limit`).")
    group_by: list[StatsGroupKey]
