"""Resolve capability classes to a concrete model and lever on one host, or to an honest prompt strategy.

Pure: the caller passes the host profile, what the host allows right now, the user's overrides and pins,
and (optionally) a function that returns recorded evidence. Nothing here reads files or the database.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from routesmith_mcp.engine.learn import Candidate, LearningParams, ModelEvidence, choose
from routesmith_mcp.engine.types import Capability, Preference, StepType
from routesmith_mcp.hosts.profiles import HostProfile

EvidenceLookup = Callable[[Capability, StepType | None], Mapping[str, ModelEvidence]]


@dataclass(frozen=True, slots=True)
class ResolveItem:
    """One thing to resolve: a plan step or a bare capability class."""

    capability: Capability
    step_id: str | None = None
    task_type: StepType | None = None
    text: str = ""


@dataclass(frozen=True, slots=True)
class HostLimits:
    """What the host allows right now (read from its env and settings by the caller)."""

    allowed_models: frozenset[str] | None = None
    current_model: str | None = None


@dataclass(frozen=True, slots=True)
class Resolved:
    step_id: str | None
    capability: Capability
    strategy: str
    model: str | None
    lever: str
    alternatives: list[str]
    reason: str


@dataclass
class ResolveOptions:
    preference: Preference = "balanced"
    limits: HostLimits = field(default_factory=HostLimits)
    model_overrides: Mapping[Capability, Sequence[str]] = field(default_factory=dict)
    pins: Mapping[Capability, str] = field(default_factory=dict)
    evidence: EvidenceLookup | None = None
    learning: LearningParams = field(default_factory=LearningParams)


def is_allowed(model_id: str, allowed: frozenset[str] | None) -> bool:
    """True when no allow-list is set, or the model (alias or full id) matches an allowed entry."""
    if allowed is None:
        return True
    wanted = model_id.lower()
    for entry in allowed:
        entry = entry.lower()
        if entry == wanted or _alias_matches(wanted, entry) or _alias_matches(entry, wanted):
            return True
    return False


def _alias_matches(alias: str, full_id: str) -> bool:
    # "sonnet" matches "claude-sonnet-4-6"; "gpt-5" does not match "gpt-5-mini".
    parts = full_id.replace("/", "-").replace("_", "-").split("-")
    return "-" not in alias and alias in parts and not alias.isdigit()


def fill_lever(template: str, **values: str) -> str:
    """Fill a lever template; unknown placeholders are left as written."""
    fields = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    return template.format(**{name: values.get(name, "{" + name + "}") for name in fields})


def resolve(profile: HostProfile, items: Sequence[ResolveItem], options: ResolveOptions) -> tuple[list[Resolved], list[str]]:
    """Resolve each item; return the assignments and advisories for the whole call."""
    advisories: list[str] = []
    if not profile.can_switch:
        advisories.append(
            f"{profile.display_name} offers no lever to run a step on another model: {profile.switch_note} "
            "Every assignment is a prompt strategy for the model already running; nothing was switched."
        )
    resolved = [_resolve_one(profile, item, options, advisories) for item in items]
    return resolved, list(dict.fromkeys(advisories))


def _prompt_strategy(profile: HostProfile, item: ResolveItem, why: str) -> Resolved:
    return Resolved(
        step_id=item.step_id,
        capability=item.capability,
        strategy="prompt",
        model=None,
        lever=profile.prompt_strategies[item.capability],
        alternatives=[],
        reason=why,
    )


def _candidates(profile: HostProfile, item: ResolveItem, options: ResolveOptions) -> tuple[list[str], str]:
    override = options.model_overrides.get(item.capability)
    if override:
        return list(dict.fromkeys(override)), "your config's model list"
    listed = profile.routes.get(item.capability, {}).get(options.preference, [])
    return list(listed), f"the {profile.id} profile's '{options.preference}' list"


def _resolve_one(profile: HostProfile, item: ResolveItem, options: ResolveOptions, advisories: list[str]) -> Resolved:
    if not profile.can_switch:
        return _prompt_strategy(profile, item, f"{profile.display_name} cannot switch models per step; "
                                f"use this {item.capability} prompt strategy on the current model.")
    limits = options.limits
    ranked, origin = _candidates(profile, item, options)
    allowed = [m for m in ranked if is_allowed(m, limits.allowed_models)]
    excluded = [m for m in ranked if m not in allowed]
    notes: list[str] = []
    if excluded:
        notes.append(f"skipped {', '.join(excluded)} (not in the host's allow-list)")
    if not allowed and limits.allowed_models is not None:
        # Fall back to any allowed profile model, strongest-for-cheapest order per the preference.
        pool = [m for m in profile.models if is_allowed(m.id, limits.allowed_models)]
        allowed = [m.id for m in sorted(pool, key=lambda m: _fallback_key(m.quality_tier, m.cost_tier, options))]
        if allowed:
            notes.append(f"nothing from {origin} is allowed, so the best allowed profile model stands in")
    if not allowed:
        advisories.append(f"no model for {item.capability} is allowed on this host; used a prompt strategy")
        return _prompt_strategy(profile, item, "the host's allow-list excludes every model for this capability; "
                                "stay on the current model with this prompt strategy.")

    pinned = options.pins.get(item.capability)
    if pinned and not is_allowed(pinned, limits.allowed_models):
        advisories.append(f"your pin {pinned!r} for {item.capability} is not in the host's allow-list; ignored")
        pinned = None
    if pinned and pinned not in allowed:
        allowed.insert(0, pinned)

    candidates = [
        Candidate(model=m, quality_tier=_tier(profile, m, "quality"), cost_tier=_tier(profile, m, "cost"),
                  default_rank=rank)
        for rank, m in enumerate(allowed)
    ]
    evidence = options.evidence(item.capability, item.task_type) if options.evidence else {}
    choice = choose(candidates, evidence, options.preference, options.learning, pinned=pinned)

    chosen = profile.model(choice.model)
    if chosen is not None and chosen.inherits_current:
        return _prompt_strategy(profile, item, f"{item.capability} on {profile.display_name}: {choice.reason}; "
                                f"'{choice.model}' keeps the model you already run, so nothing switches: use this "
                                "prompt strategy on it.")

    lever = profile.levers[0]
    agent_name = fill_lever(profile.agent_name_template, capability=item.capability.replace("_", "-"))
    lever_text = fill_lever(lever.template, model=choice.model, capability=item.capability, agent_name=agent_name,
                            step_text=_short(item.text))
    reason_parts = [f"{item.capability} on {profile.display_name}, preference '{options.preference}': "
                    f"{choice.reason}"]
    if pinned:
        reason_parts.append("pinned in your config")
    elif not choice.moved:
        reason_parts.append(f"first choice from {origin}")
    reason_parts.extend(notes)
    reason_parts.append(f"routesmith does not switch models itself: apply it with the lever ({lever.applies_to})")
    return Resolved(
        step_id=item.step_id,
        capability=item.capability,
        strategy="switch",
        model=choice.model,
        lever=lever_text,
        alternatives=[m for m in allowed if m != choice.model],
        reason="; ".join(reason_parts) + ".",
    )


def _tier(profile: HostProfile, model_id: str, kind: str) -> int:
    entry = profile.model(model_id)
    if entry is None:
        return 3  # a user-named model outside the catalog: assume middle of the range
    return entry.quality_tier if kind == "quality" else entry.cost_tier


def _fallback_key(quality: int, cost: int, options: ResolveOptions) -> tuple[int, int]:
    if options.preference == "cost":
        return (cost, -quality)
    return (-quality, cost)


def _short(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
