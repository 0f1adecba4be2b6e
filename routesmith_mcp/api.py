"""A small Python API for use without MCP: plan and resolve in-process (plans are kept in memory)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache

from routesmith_mcp.config import load_settings
from routesmith_mcp.models import HostIdentity, PlanResult, Resolution
from routesmith_mcp.router import Router


@cache
def _router() -> Router:
    return Router(load_settings())


def _host(router: Router, host: str | None) -> HostIdentity:
    if host is None:
        return router.identify()
    from dataclasses import replace

    return Router(replace(router.settings, host_override=host), env={}).identify()


def plan_route(prompt: str, *, host: str | None = None, preference: str | None = None) -> PlanResult:
    """Split `prompt` into typed, ordered steps. `host` is a host id (default: detected from the environment)."""
    router = _router()
    return router.plan(prompt, host=_host(router, host), preference=preference)


def resolve_models(
    plan_id: str | None = None,
    capabilities: Sequence[str] | None = None,
    *,
    host: str | None = None,
    preference: str | None = None,
) -> Resolution:
    """Resolve a plan from `plan_route` (or bare capability classes) to models and levers on `host`."""
    router = _router()
    return router.resolve(host=_host(router, host), plan_id=plan_id, capabilities=capabilities,
                          preference=preference)
