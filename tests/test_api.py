"""The Python API works without MCP."""

from __future__ import annotations

import subprocess
import sys

import routesmith_mcp
from routesmith_mcp import plan_route, resolve_models


def test_plan_and_resolve_in_process() -> None:
    plan = plan_route("Plan this feature, implement it, add tests, and write docs", host="claude-code")
    assert [s.type for s in plan.steps] == ["planning", "coding", "testing", "documentation"]
    assert plan.host.id == "claude-code"
    resolution = resolve_models(plan.plan_id, host="claude-code")
    assert [a.step_id for a in resolution.assignments] == [s.id for s in plan.steps]
    assert resolve_models(capabilities=["fast"], host="generic").assignments[0].strategy == "prompt"


def test_importing_the_package_is_light() -> None:
    code = "import sys, routesmith_mcp; assert 'sqlmodel' not in sys.modules and 'mcp' not in sys.modules"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True).returncode == 0
    assert routesmith_mcp.__version__
