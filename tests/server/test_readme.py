"""The README's tool reference is rendered from list_tools(), so it cannot drift from the schemas.

Regenerate after changing a tool: UPDATE_README=1 python -m pytest tests/server/test_readme.py
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.types import Implementation

from routesmith_mcp.router import Router
from routesmith_mcp.server import create_server

pytestmark = pytest.mark.anyio

README = Path(__file__).resolve().parents[2] / "README.md"
BEGIN, END = "<!-- tool-reference:begin -->", "<!-- tool-reference:end -->"


def _type(schema: dict[str, Any]) -> str:
    if "anyOf" in schema:
        return " \\| ".join(_type(s) for s in schema["anyOf"])
    if "enum" in schema:
        return " \\| ".join(f"`{v}`" for v in schema["enum"])
    if schema.get("type") == "array":
        return f"list of {_type(schema.get('items', {}))}"
    return str(schema.get("type", "object"))


def render(tools: list[Any]) -> str:
    out: list[str] = []
    for tool in sorted(tools, key=lambda t: ["plan_route", "resolve_models", "record_outcome",
                                             "get_stats"].index(t.name)):
        hints = tool.annotations
        flags = [name for name, on in (("read-only", hints.read_only_hint), ("idempotent", hints.idempotent_hint),
                                       ("destructive", hints.destructive_hint)) if on]
        out.append(f"### `{tool.name}`\n")
        out.append(" ".join(tool.description.split("\n\n")[0].split()) + "\n")
        out.append(f"Annotations: {', '.join(flags) or 'writes, not idempotent'}.\n")
        out.append("| parameter | type | default | description |\n| --- | --- | --- | --- |")
        required = set(tool.input_schema.get("required", []))
        for name, schema in tool.input_schema["properties"].items():
            default = "required" if name in required else f"`{schema.get('default')!r}`".replace("None", "null")
            out.append(f"| `{name}` | {_type(schema)} | {default} | {schema.get('description', '')} |")
        fields = ", ".join(f"`{f}`" for f in tool.output_schema["properties"])
        out.append(f"\nReturns: {fields}.\n")
    return "\n".join(out)


async def test_readme_tool_reference_matches_list_tools(router: Router) -> None:
    async with Client(create_server(router=router), client_info=Implementation(name="t", version="1")) as client:
        tools = (await client.list_tools()).tools
    expected = f"{BEGIN}\n{render(tools)}\n{END}"
    text = README.read_text(encoding="utf-8")
    start, end = text.find(BEGIN), text.find(END)
    assert start != -1 and end != -1, "README lacks the tool-reference markers"
    current = text[start: end + len(END)]
    if current != expected and os.environ.get("UPDATE_README") == "1":
        README.write_text(text[:start] + expected + text[end + len(END):], encoding="utf-8")
        current = expected
    assert current == expected, "README tool reference is stale: UPDATE_README=1 python -m pytest " \
                                "tests/server/test_readme.py"
