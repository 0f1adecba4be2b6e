"""The four tools through an in-memory MCP client, in both protocol eras."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from mcp import Client, MCPError
from mcp.types import Implementation

from routesmith_mcp.errors import RoutesmithError
from routesmith_mcp.router import Router
from routesmith_mcp.server import create_server

pytestmark = pytest.mark.anyio

CANONICAL = "Plan this feature, implement it, add tests, and write docs"
CLAUDE = Implementation(name="claude-code", version="2.1.197")


@pytest.fixture(params=["auto", "legacy"])
def mode(request: pytest.FixtureRequest) -> str:
    return request.param


async def call(client: Client, tool: str, args: dict[str, Any]) -> dict[str, Any]:
    result = await client.call_tool(tool, args)
    assert not result.is_error, result.content
    assert result.structured_content is not None
    return result.structured_content


async def error_text(client: Client, tool: str, args: dict[str, Any]) -> str:
    result = await client.call_tool(tool, args)
    assert result.is_error, result.structured_content
    return " ".join(getattr(c, "text", "") for c in result.content)


async def test_tools_are_listed_with_schemas_and_annotations(router: Router, mode: str) -> None:
    async with Client(create_server(router=router), client_info=CLAUDE, mode=mode) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
    assert set(tools) == {"plan_route", "resolve_models", "record_outcome", "get_stats"}
    for tool in tools.values():
        assert tool.output_schema is not None and tool.description
        assert tool.annotations is not None and tool.annotations.open_world_hint is False
    assert tools["resolve_models"].annotations.read_only_hint is True
    assert tools["get_stats"].annotations.read_only_hint is True
    assert tools["record_outcome"].annotations.idempotent_hint is False
    assert tools["plan_route"].input_schema["required"] == ["prompt"]
    assert set(tools["plan_route"].output_schema["properties"]) >= {"plan_id", "host", "steps", "rationale",
                                                                    "advisories"}


async def test_plan_resolve_record_stats_round_trip(router: Router, mode: str) -> None:
    async with Client(create_server(router=router), client_info=CLAUDE, mode=mode) as client:
        plan = await call(client, "plan_route", {"prompt": CANONICAL})
        assert [s["type"] for s in plan["steps"]] == ["planning", "coding", "testing", "documentation"]
        assert plan["host"]["id"] == "claude-code" and plan["host"]["client_name"] == "claude-code"
        assert plan["host"]["evidence"]
        ids = {s["type"]: s["id"] for s in plan["steps"]}
        steps = {s["type"]: s for s in plan["steps"]}
        assert ids["coding"] in steps["testing"]["depends_on"]
        assert plan["steps"].index(steps["documentation"]) > plan["steps"].index(steps["coding"])
        assert all(s["text"] in CANONICAL for s in plan["steps"])

        resolution = await call(client, "resolve_models", {"plan_id": plan["plan_id"]})
        assert resolution["can_switch"] is True
        assert [a["step_id"] for a in resolution["assignments"]] == [s["id"] for s in plan["steps"]]
        for a in resolution["assignments"]:
            assert a["strategy"] == "switch" and a["model"] and a["lever"] and a["reason"]

        coding = next(a for a in resolution["assignments"] if a["capability"] == "coding")
        recorded = await call(client, "record_outcome", {
            "model": coding["model"], "success": True, "plan_id": plan["plan_id"], "step_id": ids["coding"],
            "duration_ms": 1200.5, "input_tokens": 1000, "output_tokens": 200, "cost_usd": 0.01})
        assert recorded["outcome_id"] > 0 and recorded["recorded_at"]

        stats = await call(client, "get_stats", {"group_by": ["model", "task_type", "host"]})
        assert stats["total_outcomes"] == 1
        row = stats["rows"][0]
        assert (row["model"], row["task_type"], row["host"]) == (coding["model"], "coding", "claude-code")
        assert row["n"] == 1 and row["successes"] == 1 and 0 < row["ci_low"] < row["ci_high"] <= 1


async def test_resolve_bare_capabilities(router: Router, mode: str) -> None:
    async with Client(create_server(router=router), client_info=CLAUDE, mode=mode) as client:
        result = await call(client, "resolve_models", {"capabilities": ["fast", "deep_reasoning"],
                                                       "preference": "cost"})
    assert [a["capability"] for a in result["assignments"]] == ["fast", "deep_reasoning"]
    assert all(a["step_id"] is None and a["model"] for a in result["assignments"])


async def test_unknown_host_gets_prompt_strategies_not_models(router: Router, mode: str) -> None:
    unknown = Implementation(name="some-new-editor", version="0.1")
    async with Client(create_server(router=router), client_info=unknown, mode=mode) as client:
        plan = await call(client, "plan_route", {"prompt": CANONICAL})
        assert plan["host"]["id"] == "generic"
        resolution = await call(client, "resolve_models", {"plan_id": plan["plan_id"]})
    assert resolution["can_switch"] is False
    assert all(a["strategy"] == "prompt" and a["model"] is None and a["lever"] for a in resolution["assignments"])


@pytest.mark.parametrize(
    ("tool", "args", "needle"),
    [
        ("plan_route", {"prompt": "   \n\t "}, "empty"),
        ("plan_route", {"prompt": "fix it", "preference": "fastest"}, "preference"),
        ("plan_route", {"prompt": "x" * 100_001}, "limit"),
        ("resolve_models", {"plan_id": "plan_doesnotexist"}, "unknown plan_id"),
        ("resolve_models", {}, "plan_id"),
        ("resolve_models", {"capabilities": ["wizardry"]}, "capabilities"),
        ("record_outcome", {"model": "sonnet", "success": True, "duration_ms": -5}, "duration_ms"),
        ("record_outcome", {"model": "sonnet", "success": True, "cost_usd": -0.5}, "cost_usd"),
        ("record_outcome", {"model": "sonnet", "success": True, "plan_id": "plan_nope"}, "unknown plan_id"),
        ("record_outcome", {"model": "sonnet", "success": True, "step_id": "s1"}, "plan_id"),
        ("get_stats", {"group_by": ["planet"]}, "group_by"),
    ],
)
async def test_bad_input_is_a_readable_tool_error_and_server_goes_on(
    router: Router, mode: str, tool: str, args: dict[str, Any], needle: str
) -> None:
    async with Client(create_server(router=router), client_info=CLAUDE, mode=mode) as client:
        text = await error_text(client, tool, args)
        assert needle in text
        plan = await call(client, "plan_route", {"prompt": "add a login page"})
        assert plan["steps"]


@pytest.mark.parametrize("field", ["duration_ms", "cost_usd", "input_tokens"])
@pytest.mark.parametrize("value", [math.nan, math.inf, -1])
def test_router_rejects_non_finite_and_negative_numbers(router: Router, field: str, value: float) -> None:
    host = router.identify()
    with pytest.raises(RoutesmithError, match=field):
        router.record_outcome(host=host, model="m", success=True, **{field: value})
    assert router.store is not None and router.store.stats().total_outcomes == 0


async def test_host_profiles_are_resources_and_route_is_a_prompt(router: Router, mode: str) -> None:
    async with Client(create_server(router=router), client_info=CLAUDE, mode=mode) as client:
        listing = await client.read_resource("routesmith://hosts")
        hosts = json.loads(listing.contents[0].text)
        assert {"claude-code", "codex", "generic"} <= {h["id"] for h in hosts}
        profile = json.loads((await client.read_resource("routesmith://hosts/codex")).contents[0].text)
        assert profile["id"] == "codex" and profile["models"] and all(m["source"] for m in profile["models"])
        prompts = {p.name for p in (await client.list_prompts()).prompts}
        assert "route" in prompts
        got = await client.get_prompt("route", {"task": "Add a CSV export, then test it", "preference": "cost"})
        text = got.messages[0].content.text
        assert "plan_id plan_" in text and "record_outcome" in text and "Add a CSV export, then test it" in text
        assert "s1 coding" in text and "s2 testing (after s1)" in text and "run on " in text
        with pytest.raises(MCPError, match="empty"):
            await client.get_prompt("route", {"task": "   "})


async def test_unknown_host_profile_resource_is_an_error(router: Router) -> None:
    async with Client(create_server(router=router), client_info=CLAUDE, mode="legacy") as client:
        with pytest.raises(MCPError, match="unknown host"):
            await client.read_resource("routesmith://hosts/notepad")


def test_recorded_evidence_moves_routing_and_the_reason_cites_it(router: Router) -> None:
    host = router.identify().model_copy(update={"id": "claude-code"})
    default = router.resolve(host=host, capabilities=["coding"]).assignments[0]
    challenger = default.alternatives[0]
    for i in range(60):
        router.record_outcome(host=host, model=default.model, success=i % 3 == 0, capability="coding",
                              task_type="coding", duration_ms=2000.0)
        router.record_outcome(host=host, model=challenger, success=True, capability="coding",
                              task_type="coding", duration_ms=2000.0)
    moved = router.resolve(host=host, capabilities=["coding"]).assignments[0]
    assert moved.model == challenger
    assert "60" in moved.reason  # the sample count behind the move


def test_a_pinned_model_ignores_evidence(router: Router) -> None:
    host = router.identify().model_copy(update={"id": "claude-code"})
    router.settings.pins = {"claude-code": {"coding": "opus"}}
    for _ in range(40):
        router.record_outcome(host=host, model="opus", success=False, capability="coding")
    assignment = router.resolve(host=host, capabilities=["coding"]).assignments[0]
    assert assignment.model == "opus" and "pinned" in assignment.reason
