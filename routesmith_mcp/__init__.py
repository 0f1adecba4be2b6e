"""routesmith-mcp: split a mixed coding prompt into typed steps and route each to a model the host can use.

    >>> from routesmith_mcp import plan_route, resolve_models
    >>> plan = plan_route("Plan this feature, implement it, add tests, and write docs", host="claude-code")
    >>> [s.type for s in plan.steps]
    ['planning', 'coding', 'testing', 'documentation']
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["__version__", "plan_route", "resolve_models"]

if TYPE_CHECKING:
    from routesmith_mcp.api import plan_route, resolve_models


def __getattr__(name: str) -> Any:
    # Lazy, so `import routesmith_mcp` (and the CLI) stays fast.
    if name in ("plan_route", "resolve_models"):
        from routesmith_mcp import api

        return getattr(api, name)
    raise AttributeError(name)
