"""Every host profile loads, is sourced, and answers every capability x preference."""

from __future__ import annotations

import json
import string
from importlib import resources

import pytest

from routesmith_mcp.engine.types import CAPABILITIES, PREFERENCES
from routesmith_mcp.hosts.detect import CANONICAL_IDS
from routesmith_mcp.hosts.profiles import HostProfile, known_host_ids, load_profile

PLACEHOLDERS = {"model", "capability", "agent_name", "step_text"}


def answer(profile: HostProfile, capability: str, preference: str) -> tuple[str, str]:
    """What routesmith can tell the host: ('switch', model) from the profile, or ('prompt', strategy)."""
    if profile.can_switch:
        ranked = profile.routes.get(capability, {}).get(preference, [])  # type: ignore[call-overload]
        if ranked:
            return "switch", ranked[0]
    return "prompt", profile.prompt_strategies[capability]  # type: ignore[index]


def test_every_canonical_host_has_a_profile() -> None:
    assert set(known_host_ids()) == set(CANONICAL_IDS)


@pytest.mark.parametrize("host_id", CANONICAL_IDS)
def test_profile_loads_and_is_consistent(host_id: str) -> None:
    raw = json.loads((resources.files("routesmith_mcp.hosts") / "profiles" / f"{host_id}.json").read_text("utf-8"))
    profile = HostProfile.model_validate(raw)
    assert profile.id == host_id == load_profile(host_id).id
    assert profile.source and profile.as_of
    for model in profile.models:
        assert model.source and model.as_of
        assert (model.input_usd_per_mtok is None) == (model.output_usd_per_mtok is None)
    for lever in profile.levers:
        assert lever.source and lever.as_of
        fields = {name for _, name, _, _ in string.Formatter().parse(lever.template) if name}
        assert fields <= PLACEHOLDERS, f"{host_id}: unknown placeholder in {lever.template!r}"
    if profile.can_switch:
        assert "{model}" in profile.levers[0].template
    else:
        assert not profile.models and not profile.routes
    assert profile.agent_name("deep_reasoning") == "routesmith-deep-reasoning"


@pytest.mark.parametrize("host_id", CANONICAL_IDS)
@pytest.mark.parametrize("capability", CAPABILITIES)
@pytest.mark.parametrize("preference", PREFERENCES)
def test_every_host_capability_preference_gets_an_answer(host_id: str, capability: str, preference: str) -> None:
    profile = load_profile(host_id)
    strategy, value = answer(profile, capability, preference)
    assert value.strip()
    if strategy == "switch":
        assert profile.model(value) is not None


@pytest.mark.parametrize("host_id", [h for h in CANONICAL_IDS if load_profile(h).can_switch])
def test_preferences_order_models_sensibly(host_id: str) -> None:
    profile = load_profile(host_id)
    for capability in CAPABILITIES:
        by_pref = {p: profile.model(answer(profile, capability, p)[1]) for p in PREFERENCES}
        assert by_pref["quality"].quality_tier >= by_pref["cost"].quality_tier  # type: ignore[union-attr]
        assert by_pref["cost"].cost_tier <= by_pref["quality"].cost_tier  # type: ignore[union-attr]


def test_generic_names_no_model() -> None:
    generic = load_profile("generic")
    assert not generic.can_switch and not generic.models and not generic.levers
    assert load_profile("no-such-host").id == "generic"


def test_claude_code_uses_agent_tool_aliases() -> None:
    profile = load_profile("claude-code")
    assert {m.id for m in profile.models} == {"opus", "sonnet", "haiku"}
    assert profile.levers[0].kind == "subagent_call" and "Agent tool" in profile.levers[0].template
    assert profile.routes["fast"]["cost"] == ["haiku"]
    assert profile.routes["deep_reasoning"]["quality"][0] == "opus"


def test_codex_agents_carry_reasoning_effort() -> None:
    profile = load_profile("codex")
    assert profile.agent_fields["deep_reasoning"]["model_reasoning_effort"] == "high"
    assert profile.agent_fields["fast"]["model_reasoning_effort"] == "low"


def test_resolver_gives_a_model_or_a_prompt_strategy_everywhere() -> None:
    resolve_mod = pytest.importorskip("routesmith_mcp.engine.resolve")
    for host_id in CANONICAL_IDS:
        profile = load_profile(host_id)
        for preference in PREFERENCES:
            items = [resolve_mod.ResolveItem(capability=c) for c in CAPABILITIES]
            resolved, _ = resolve_mod.resolve(profile, items, resolve_mod.ResolveOptions(preference=preference))
            for r in resolved:
                assert r.lever.strip()
                assert (r.strategy == "switch") == (r.model is not None)
                assert "{" not in r.lever or "{" in profile.prompt_strategies[r.capability]
