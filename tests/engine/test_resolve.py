"""Resolution against a small profile built here, so the tests do not depend on the shipped catalogs."""

from __future__ import annotations

from datetime import date

import pytest

from routesmith_mcp.engine.learn import ModelEvidence
from routesmith_mcp.engine.resolve import HostLimits, ResolveItem, ResolveOptions, fill_lever, is_allowed, resolve
from routesmith_mcp.engine.types import CAPABILITIES, PREFERENCES
from routesmith_mcp.hosts.profiles import HostProfile, load_profile

SRC = {"source": "test", "as_of": date(2026, 11, 26)}
STRATEGIES = {c: f"think like a {c} model" for c in CAPABILITIES}


def profile(can_switch: bool = True) -> HostProfile:
    models = [
        {"id": "small", "family": "x", "quality_tier": 2, "cost_tier": 1, **SRC},
        {"id": "mid", "family": "x", "quality_tier": 4, "cost_tier": 3, **SRC},
        {"id": "big", "family": "x", "quality_tier": 5, "cost_tier": 5, **SRC},
    ]
    order = {"deep_reasoning": ["big", "mid"], "coding": ["mid", "big"], "balanced": ["mid", "small"],
             "fast": ["small", "mid"]}
    routes = {c: {p: ids for p in PREFERENCES} for c, ids in order.items()} if can_switch else {}
    return HostProfile.model_validate({
        "id": "testhost", "display_name": "Test Host", "can_switch": can_switch, "switch_note": "test.",
        "models": models, "routes": routes, "prompt_strategies": STRATEGIES,
        "levers": [{"kind": "subagent_call", "template": "delegate with model: {model} as {agent_name}", **SRC}]
        if can_switch else [],
        **SRC,
    })


def test_every_capability_gets_the_first_listed_model_and_a_filled_lever() -> None:
    items = [ResolveItem(capability=c, step_id=f"s{i}") for i, c in enumerate(CAPABILITIES, 1)]
    resolved, advisories = resolve(profile(), items, ResolveOptions())
    assert [r.model for r in resolved] == ["big", "mid", "mid", "small"]
    assert resolved[0].lever == "delegate with model: big as routesmith-deep-reasoning"
    assert resolved[0].alternatives == ["mid"]
    assert all(r.strategy == "switch" and "does not switch models itself" in r.reason for r in resolved)
    assert advisories == []


def test_host_without_lever_gets_prompt_strategies_and_says_so() -> None:
    resolved, advisories = resolve(profile(can_switch=False), [ResolveItem("coding", "s1")], ResolveOptions())
    assert resolved[0].strategy == "prompt" and resolved[0].model is None
    assert resolved[0].lever == STRATEGIES["coding"]
    assert "nothing was switched" in advisories[0]


def test_allow_list_is_never_violated() -> None:
    options = ResolveOptions(limits=HostLimits(allowed_models=frozenset({"small"})))
    resolved, _ = resolve(profile(), [ResolveItem("deep_reasoning", "s1")], options)
    assert resolved[0].model == "small" and "allow-list" in resolved[0].reason
    options = ResolveOptions(limits=HostLimits(allowed_models=frozenset({"other"})))
    resolved, advisories = resolve(profile(), [ResolveItem("coding", "s1")], options)
    assert resolved[0].strategy == "prompt" and any("allowed" in a for a in advisories)


def test_pin_wins_over_evidence_and_overrides_reorder() -> None:
    strong = {"small": ModelEvidence("small", n=200, successes=199, raw_n=200, raw_successes=199, p50_ms=10,
                                     mean_cost_usd=0.001)}
    options = ResolveOptions(pins={"coding": "big"}, evidence=lambda cap, task: strong)
    resolved, _ = resolve(profile(), [ResolveItem("coding", "s1")], options)
    assert resolved[0].model == "big" and "pinned" in resolved[0].reason
    options = ResolveOptions(model_overrides={"coding": ["small"]})
    resolved, _ = resolve(profile(), [ResolveItem("coding", "s1")], options)
    assert resolved[0].model == "small" and "your config" in resolved[0].reason


def test_pin_outside_allow_list_is_ignored_with_advisory() -> None:
    options = ResolveOptions(pins={"coding": "big"}, limits=HostLimits(allowed_models=frozenset({"mid"})))
    resolved, advisories = resolve(profile(), [ResolveItem("coding", "s1")], options)
    assert resolved[0].model == "mid"
    assert any("pin" in a for a in advisories)


@pytest.mark.parametrize(("model", "allowed", "ok"), [
    ("sonnet", {"claude-sonnet-4-6"}, True),
    ("claude-sonnet-4-6", {"sonnet"}, True),
    ("gpt-5", {"gpt-5-mini"}, False),
    ("opus", {"sonnet", "haiku"}, False),
    ("anything", None, True),
])
def test_allow_list_matching(model: str, allowed: set[str] | None, ok: bool) -> None:
    assert is_allowed(model, frozenset(allowed) if allowed is not None else None) is ok


def test_fill_lever_leaves_unknown_placeholders() -> None:
    assert fill_lever("use {model} for {nothing}", model="m") == "use m for {nothing}"


def test_generic_profile_never_names_a_model() -> None:
    generic = load_profile("generic")
    resolved, _ = resolve(generic, [ResolveItem(c) for c in CAPABILITIES], ResolveOptions())
    assert all(r.model is None and r.strategy == "prompt" and r.lever for r in resolved)


def test_inherit_placeholder_is_a_prompt_strategy_not_a_switch() -> None:
    data = profile().model_dump()
    data["models"].append({"id": "inherit", "family": "x", "quality_tier": 4, "cost_tier": 3,
                           "inherits_current": True, **SRC})
    data["routes"]["coding"] = {p: ["inherit", "small"] for p in PREFERENCES}
    resolved, _ = resolve(HostProfile.model_validate(data), [ResolveItem("coding", "s1")], ResolveOptions())
    assert resolved[0].strategy == "prompt" and resolved[0].model is None
    assert "nothing switches" in resolved[0].reason
