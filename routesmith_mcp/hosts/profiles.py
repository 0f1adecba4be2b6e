"""Host profiles: what each host offers (models, levers, prompt strategies), loaded from package data.

Every fact carries a `source` and an `as_of` date so a stale catalog is easy to spot and refresh.
One JSON file per canonical host id lives in `routesmith_mcp/hosts/profiles/`.
"""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from routesmith_mcp.engine.types import CAPABILITIES, PREFERENCES, Capability, Preference

LeverKind = Literal["subagent_call", "agent_file", "flag", "setting", "slash_command", "env"]


class Sourced(BaseModel):
    model_config = ConfigDict(extra="forbid")

    source: str = Field(description="URL or repo:path@commit the fact comes from.")
    as_of: date


class ModelEntry(Sourced):
    """One model as this host spells it."""

    id: str = Field(description="The exact spelling this host accepts (alias or full id).")
    family: str = Field(description="Vendor family, e.g. 'claude-opus', 'gpt-5', 'gemini-pro'.")
    quality_tier: int = Field(ge=1, le=5, description="1 = weakest .. 5 = strongest on this host.")
    cost_tier: int = Field(ge=1, le=5, description="1 = cheapest .. 5 = most expensive on this host.")
    input_usd_per_mtok: float | None = Field(default=None, ge=0)
    output_usd_per_mtok: float | None = Field(default=None, ge=0)
    inherits_current: bool = Field(default=False, description="A placeholder such as Cursor's `inherit`: the step "
                                   "stays on the model the user already runs, so it is not a switch.")


class Lever(Sourced):
    """One way to make a step run on a given model on this host.

    `template` is filled with {model}, {capability}, {agent_name}, {step_text}; the result must be
    something a person or the host's agent can apply as is.
    """

    kind: LeverKind
    template: str
    applies_to: str = Field(default="next subagent call", description="When the lever takes effect.")


class HostProfile(Sourced):
    """Everything routesmith knows about one host."""

    id: str
    display_name: str
    can_switch: bool = Field(description="False when no lever exists: only prompt strategies apply.")
    switch_note: str = Field(description="One honest sentence on what switching means on this host.")
    models: list[ModelEntry] = Field(default_factory=list)
    routes: dict[Capability, dict[Preference, list[str]]] = Field(
        default_factory=dict, description="Ordered model ids per capability class and preference, best first."
    )
    levers: list[Lever] = Field(default_factory=list, description="Preferred lever first.")
    prompt_strategies: dict[Capability, str] = Field(description="What to tell the current model per capability.")
    agent_name_template: str = Field(default="routesmith-{capability}", description="Name of generated agents.")
    agent_fields: dict[Capability, dict[str, str]] = Field(
        default_factory=dict,
        description="Extra fields for generated agent files per capability (e.g. Codex model_reasoning_effort).",
    )

    @model_validator(mode="after")
    def _consistent(self) -> HostProfile:
        known = {m.id for m in self.models}
        if len(known) != len(self.models):
            raise ValueError(f"{self.id}: a model id is listed twice")
        for cap, by_pref in self.routes.items():
            for pref, ids in by_pref.items():
                unknown = [i for i in ids if i not in known]
                if unknown:
                    raise ValueError(f"{self.id}: routes[{cap}][{pref}] names unknown models {unknown}")
        missing = [c for c in CAPABILITIES if c not in self.prompt_strategies]
        if missing:
            raise ValueError(f"{self.id}: prompt_strategies lacks {missing}")
        if self.can_switch:
            if not self.levers:
                raise ValueError(f"{self.id}: can_switch needs at least one lever")
            for cap in CAPABILITIES:
                for pref in PREFERENCES:
                    if not self.routes.get(cap, {}).get(pref):
                        raise ValueError(f"{self.id}: can_switch but routes[{cap}][{pref}] is empty")
        return self

    def model(self, model_id: str) -> ModelEntry | None:
        return next((m for m in self.models if m.id == model_id), None)

    def strongest_priced(self) -> ModelEntry | None:
        """The highest-quality model with known prices: the baseline of the savings view."""
        priced = [m for m in self.models if m.input_usd_per_mtok is not None and m.output_usd_per_mtok is not None]
        return max(priced, key=lambda m: (m.quality_tier, m.cost_tier), default=None)

    def agent_name(self, capability: Capability) -> str:
        """The generated agent's name for a capability class ('deep_reasoning' -> 'routesmith-deep-reasoning')."""
        return self.agent_name_template.replace("{capability}", capability.replace("_", "-"))


class ProfileError(ValueError):
    """A profile file is missing or malformed."""


def _profile_files() -> dict[str, resources.abc.Traversable]:
    folder = resources.files("routesmith_mcp.hosts") / "profiles"
    return {f.name.removesuffix(".json"): f for f in folder.iterdir() if f.name.endswith(".json")}


def known_host_ids() -> list[str]:
    """Ids of every shipped profile, sorted."""
    return sorted(_profile_files())


@cache
def load_profile(host_id: str) -> HostProfile:
    """The shipped profile for `host_id` (the generic one for unknown ids)."""
    files = _profile_files()
    file = files.get(host_id) or files["generic"]
    try:
        return HostProfile.model_validate(json.loads(file.read_text(encoding="utf-8")))
    except (ValueError, OSError) as exc:
        raise ProfileError(f"host profile {file.name} is invalid: {exc}") from exc
