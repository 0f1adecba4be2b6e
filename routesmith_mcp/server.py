"""The MCP layer: an app factory, a lifespan that opens the telemetry store once, and four thin tools.

Everything the tools do lives in `Router` (no MCP there); this module only translates the connection into a
host identity and `RoutesmithError` into `ToolError`.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import wraps
from typing import Annotated, Any, Literal, ParamSpec, TypeVar

import anyio
from mcp import MCPError
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ToolError
from mcp.types import INVALID_PARAMS, ToolAnnotations
from pydantic import Field

from routesmith_mcp import __version__
from routesmith_mcp.config import Settings, load_settings
from routesmith_mcp.errors import RoutesmithError
from routesmith_mcp.models import HostIdentity, OutcomeRecorded, PlanResult, Resolution, Stats, StatsGroupKey
from routesmith_mcp.router import ClientSignal, Router, open_router

logger = logging.getLogger(__name__)

META_PREFIX = "io.modelcontextprotocol/"

INSTRUCTIONS = """\
routesmith routes the parts of a mixed coding request to the models this host can really use.
- When the user's request holds several kinds of work (plan, implement, debug, test, refactor, document,
  review), call plan_route with the request text before starting. It returns ordered, typed steps.
- Then call resolve_models with the plan_id. Each assignment says which model to run that step on and the
  exact lever to use on this host (e.g. a subagent call with a model), or, where the host cannot switch, a
  prompt strategy for the current model. routesmith never switches a model by itself.
- After a step finishes, call record_outcome with the model that ran it and whether it succeeded; routing
  improves from these records.
- get_stats reports success rates, latency and cost per model when the user asks how routing is doing."""

P = ParamSpec("P")
R = TypeVar("R")

Preference = Literal["balanced", "cost", "quality"]
CapabilityName = Literal["deep_reasoning", "coding", "balanced", "fast"]
TaskType = Literal[
    "planning", "analysis", "debugging", "coding", "testing", "refactor", "documentation", "formatting", "review"
]
PlanId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$",
                              description="The plan_id returned by plan_route.")]
StepId = Annotated[str, Field(min_length=1, max_length=16, description="A step id from the plan, e.g. 's2'.")]
NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Count = Annotated[int, Field(ge=0, le=10**12)]


# Every tool stays on this machine (no open world) and never deletes anything.
READS = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False)
WRITES = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=False)


@dataclass
class AppState:
    """What the lifespan opens once per server process."""

    router: Router


def _tool_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn RoutesmithError into a ToolError the model can read."""

    @wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except RoutesmithError as exc:
            raise ToolError(str(exc)) from exc

    return wrapper


def client_signal(ctx: Context) -> ClientSignal:
    """The client's identity from the handshake, or from the per-request `_meta` (2026-07-28, Copilot CLI)."""
    session = ctx.session
    params = session.client_params
    info = params.client_info if params is not None else None
    name = info.name if info is not None else None
    version = info.version if info is not None else None
    title = getattr(info, "title", None) if info is not None else None
    caps_model = session.client_capabilities
    capabilities: dict[str, Any] = caps_model.model_dump(exclude_none=True) if caps_model is not None else {}
    if name is None:
        meta = _request_meta(ctx)
        raw = meta.get(META_PREFIX + "clientInfo")
        if isinstance(raw, Mapping):
            name = raw.get("name") if isinstance(raw.get("name"), str) else None
            version = raw.get("version") if isinstance(raw.get("version"), str) else None
            title = raw.get("title") if isinstance(raw.get("title"), str) else None
        raw_caps = meta.get(META_PREFIX + "clientCapabilities")
        if not capabilities and isinstance(raw_caps, Mapping):
            capabilities = dict(raw_caps)
    return ClientSignal(name=name, version=version, protocol_version=ctx.protocol_version, capabilities=capabilities,
                        title=title)


def _request_meta(ctx: Context) -> Mapping[str, Any]:
    meta = ctx.request_context.meta
    if meta is None:
        return {}
    if isinstance(meta, Mapping):
        return meta
    dumped = meta.model_dump(by_alias=True) if hasattr(meta, "model_dump") else {}
    return dumped if isinstance(dumped, Mapping) else {}


def create_server(settings: Settings | None = None, *, router: Router | None = None) -> MCPServer:
    """Build the MCP server. Pass a ready `router` in tests, or settings to open the store in the lifespan."""

    @asynccontextmanager
    async def lifespan(_server: MCPServer) -> AsyncIterator[AppState]:
        if router is not None:
            yield AppState(router=router)
            return
        live = open_router(settings or load_settings())
        try:
            yield AppState(router=live)
        finally:
            if live.store is not None:
                live.store.close()

    mcp = MCPServer("routesmith", version=__version__, instructions=INSTRUCTIONS, lifespan=lifespan)

    def state(ctx: Context) -> Router:
        return ctx.request_context.lifespan_context.router  # type: ignore[no-any-return]

    def host_of(ctx: Context) -> HostIdentity:
        return state(ctx).identify(client_signal(ctx))

    @mcp.tool(
        title="Plan a route",
        annotations=WRITES,
    )
    @_tool_errors
    def plan_route(
        prompt: Annotated[str, Field(min_length=1, description="The user's request, verbatim. It may ask for "
                                     "several things (plan, implement, test, document...).")],
        ctx: Context,
        preference: Annotated[Preference, Field(description="balanced (default), cost (cheaper models), "
                                                "or quality (stronger models).")] = "balanced",
    ) -> PlanResult:
        """Split a user's coding request into ordered, typed steps, each with a capability class.

        Call this first when a request mixes kinds of work. Each step has its own text from the prompt, a type
        (planning, analysis, debugging, coding, testing, refactor, documentation, formatting, review), the
        capability class it needs and the steps it depends on. Pass the returned plan_id to resolve_models.
        """
        router = state(ctx)
        return router.plan(prompt, host=router.identify(client_signal(ctx)), preference=preference)

    @mcp.tool(
        title="Resolve models",
        annotations=READS,
    )
    @_tool_errors
    def resolve_models(
        ctx: Context,
        plan_id: Annotated[PlanId | None, Field(description="A plan_id from plan_route.")] = None,
        capabilities: Annotated[list[CapabilityName] | None, Field(
            max_length=100, description="Instead of a plan: capability classes to resolve.")] = None,
        preference: Annotated[Preference | None, Field(
            description="balanced, cost or quality; defaults to the plan's preference.")] = None,
    ) -> Resolution:
        """Say which model should run each step on THIS host, and exactly how to apply it.

        For each step: strategy "switch" with a model and a lever (e.g. "delegate with the Agent tool, model:
        haiku"), or strategy "prompt" with a prompt strategy where the host cannot change models. Nothing is
        switched by this call: apply the lever yourself. Advisories say what was read from the host's settings.
        """
        return state(ctx).resolve(host=host_of(ctx), plan_id=plan_id, capabilities=capabilities,
                                  preference=preference)

    @mcp.tool(
        title="Record an outcome",
        annotations=WRITES,
    )
    @_tool_errors
    def record_outcome(
        ctx: Context,
        model: Annotated[str, Field(min_length=1, max_length=200, description="The model id that ran the step.")],
        success: Annotated[bool, Field(description="Did the step achieve what it was asked to?")],
        plan_id: Annotated[PlanId | None, Field(description="The plan the step belongs to.")] = None,
        step_id: Annotated[StepId | None, Field(description="The step id within that plan.")] = None,
        task_type: Annotated[TaskType | None, Field(description="Step type, when there is no plan.")] = None,
        capability: Annotated[CapabilityName | None, Field(description="Capability class, when no plan.")] = None,
        duration_ms: Annotated[NonNegative | None, Field(description="Wall time of the step.")] = None,
        input_tokens: Annotated[Count | None, Field(description="Input tokens used.")] = None,
        output_tokens: Annotated[Count | None, Field(description="Output tokens used.")] = None,
        cost_usd: Annotated[NonNegative | None, Field(description="Cost in US dollars.")] = None,
        error: Annotated[str | None, Field(max_length=2000, description="Short error text on failure.")] = None,
    ) -> OutcomeRecorded:
        """Record how a step went on a model, so later routing can learn from it. Call once per finished step."""
        return state(ctx).record_outcome(
            host=host_of(ctx), model=model, success=success, plan_id=plan_id, step_id=step_id,
            task_type=task_type, capability=capability, duration_ms=duration_ms, input_tokens=input_tokens,
            output_tokens=output_tokens, cost_usd=cost_usd, error=error,
        )

    @mcp.tool(
        title="Routing statistics",
        annotations=READS,
    )
    @_tool_errors
    def get_stats(
        ctx: Context,
        host: Annotated[str | None, Field(max_length=64, description="Only this host id.")] = None,
        model: Annotated[str | None, Field(max_length=200, description="Only this model.")] = None,
        capability: Annotated[CapabilityName | None, Field(description="Only this capability class.")] = None,
        task_type: Annotated[TaskType | None, Field(description="Only this step type.")] = None,
        since_days: Annotated[float | None, Field(gt=0, le=36500, allow_inf_nan=False,
                                                  description="Only the last N days.")] = None,
        group_by: Annotated[list[StatsGroupKey], Field(min_length=1, max_length=5,
                                                       description="Group keys.")] = ["model", "capability"],  # noqa: B006
        limit: Annotated[int, Field(ge=1, le=1000, description="At most this many rows.")] = 50,
    ) -> Stats:
        """Success rate (with a 95% Wilson interval), p50/p95 latency, tokens and cost per group of outcomes."""
        return state(ctx).stats(host=host, model=model, capability=capability, task_type=task_type,
                                since_days=since_days, group_by=list(dict.fromkeys(group_by)), limit=limit)

    @mcp.resource("routesmith://hosts", name="hosts", title="Known hosts", mime_type="application/json")
    def hosts_resource() -> str:
        """Every host routesmith knows: how it is recognised and whether it can switch models."""
        from routesmith_mcp.hosts.detect import describe_hosts

        return json.dumps(describe_hosts(), indent=2)

    @mcp.resource("routesmith://hosts/{host_id}", name="host-profile", title="Host profile",
                  mime_type="application/json")
    def host_profile_resource(host_id: str) -> str:
        """One host's profile: models per capability and preference, levers, prompt strategies, sources."""
        from routesmith_mcp.hosts.profiles import known_host_ids, load_profile

        if host_id not in known_host_ids():
            raise ResourceError(f"unknown host {host_id!r}; known: {', '.join(known_host_ids())}")
        return load_profile(host_id).model_dump_json(indent=2)

    @mcp.prompt(name="route", title="Route a task across models")
    def route_prompt(
        task: Annotated[str, Field(description="The task to plan and route.")],
        ctx: Context,
        preference: Annotated[str, Field(description="balanced, cost or quality")] = "balanced",
    ) -> str:
        """Plan and resolve a task now, then work through the steps on the models (or strategies) they got."""
        router = state(ctx)
        host = router.identify(client_signal(ctx))
        try:
            plan = router.plan(task, host=host, preference=preference)
            resolution = router.resolve(host=host, plan_id=plan.plan_id)
        except RoutesmithError as exc:
            raise MCPError(code=INVALID_PARAMS, message=str(exc)) from exc
        levers = {a.step_id: a for a in resolution.assignments}
        lines = []
        for step in plan.steps:
            a = levers[step.id]
            after = f" (after {', '.join(step.depends_on)})" if step.depends_on else ""
            how = f"run on {a.model}: {a.lever}" if a.strategy == "switch" else f"stay on the current model: {a.lever}"
            lines.append(f"- {step.id} {step.type}{after}: \"{step.text}\"\n  {how}")
        notes = "".join(f"\nNote: {n}" for n in [*plan.advisories, *resolution.advisories])
        return ROUTE_PROMPT.format(plan_id=plan.plan_id, host=host.id, steps="\n".join(lines) or "- (no steps)",
                                   notes=notes, task=task.strip())

    return mcp


ROUTE_PROMPT = """\
routesmith planned this task for {host} (plan_id {plan_id}). Work through the steps in order, respecting the
dependencies. Apply each step's lever exactly as written: routesmith has not switched any model itself, so do not
claim a switch you did not make. After each step, call record_outcome with plan_id "{plan_id}", the step id, the
model that actually ran it and whether it succeeded.

Steps:
{steps}
{notes}

Task:
{task}"""


def serve(settings: Settings | None = None) -> None:
    """Run the stdio server (what host configs launch) until stdin closes or the host process goes away."""
    anyio.run(serve_stdio, create_server(settings))


async def serve_stdio(server: MCPServer, *, poll_s: float = 1.0, grace_s: float = 3.0) -> None:
    """Serve stdio; stop when the parent process changes (a host that died without closing our stdin).

    The SDK reads stdin on a worker thread that a cancel cannot interrupt, so if shutting down takes longer than
    `grace_s` the process exits hard. Nothing is lost by that: an outcome is committed or appended (fsync'd) to
    the spool before its reply is written. A host that stops reading our stdout (broken pipe) also ends the
    server cleanly instead of with a traceback.
    """
    try:
        await _serve_until_orphaned(server, poll_s, grace_s)
    except* (BrokenPipeError, ConnectionResetError):
        logger.warning("the host stopped reading the server's output; exiting")


async def _serve_until_orphaned(server: MCPServer, poll_s: float, grace_s: float) -> None:
    parent = os.getppid()

    async with anyio.create_task_group() as tg:

        async def watch_parent() -> None:
            if parent <= 1:  # started by init, or pid 1 of a container: there is no host to watch
                return
            while os.getppid() == parent:
                await anyio.sleep(poll_s)
            logger.warning("the host process (pid %d) went away without closing stdin; exiting", parent)
            timer = threading.Timer(grace_s, _exit_now)
            timer.daemon = True
            timer.start()
            tg.cancel_scope.cancel()

        tg.start_soon(watch_parent)
        await server.run_stdio_async()
        tg.cancel_scope.cancel()


def _exit_now() -> None:
    logging.shutdown()
    os._exit(0)
