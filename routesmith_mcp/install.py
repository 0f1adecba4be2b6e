"""Register routesmith in a host's own config (and optionally its agent files and Claude Code hook), or undo it.

Every edit is a merge: unrelated keys and other servers survive, the original is backed up before the first
change, a second run changes nothing and writes no backup, `uninstall` removes only what `install` added, and a
dry run returns the unified diff and writes nothing. Formats follow shared/reference/hosts.md (observed configs).
"""

from __future__ import annotations

import difflib
import json
import os
import re
import shlex
import shutil
import sys
import tempfile
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from routesmith_mcp.engine.types import CAPABILITIES, Capability
from routesmith_mcp.errors import RoutesmithError
from routesmith_mcp.hosts.host_settings import strip_jsonc

Scope = Literal["user", "project"]
SERVER_NAME = "routesmith"
DEFAULT_COMMAND: tuple[str, ...] = ("routesmith-mcp", "serve")
GENERATED_MARK = "generated-by: routesmith-mcp"
HOOK_SUBCOMMAND = ("hook", "claude-pretooluse")
BACKUP_SUFFIX = ".bak-routesmith"


class InstallError(RoutesmithError):
    """install/uninstall cannot proceed; the message says why and what to do."""


class FileChange(BaseModel):
    """What happened (or would happen, in a dry run) to one file."""

    path: str
    action: Literal["create", "update", "unchanged", "remove", "delete", "skip"]
    what: str = Field(description="What routesmith adds or removes in this file.")
    backup: str | None = Field(default=None, description="Where the original was copied before the change.")
    diff: str = ""


class InstallReport(BaseModel):
    """The outcome of install/uninstall."""

    host: str
    scope: Scope
    dry_run: bool
    uninstall: bool = False
    changes: list[FileChange] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(c.action not in ("unchanged", "skip") for c in self.changes)

    @property
    def diff(self) -> str:
        return "".join(c.diff for c in self.changes)

    def render(self) -> str:
        """A readable summary (and the diff for a dry run)."""
        verb = "uninstall" if self.uninstall else "install"
        lines = [f"routesmith {verb} for {self.host} ({self.scope} scope)" + (" — dry run, nothing written"
                                                                            if self.dry_run else "")]
        for c in self.changes:
            action = ("would " + c.action) if self.dry_run and c.action not in ("unchanged", "skip") else c.action
            line = f"  {action:<14} {c.path}: {c.what}"
            if c.backup:
                line += f"  (backup: {c.backup})"
            lines.append(line)
        lines += [f"  note: {n}" for n in self.notes]
        if self.dry_run and self.diff:
            lines += ["", self.diff.rstrip("\n")]
        return "\n".join(lines)


# -- where each host keeps its MCP servers -----------------------------------------------------------------

def _platform_dir(home: Path, mac: str, win: str, linux: str) -> Path:
    if sys.platform == "darwin":
        return home / "Library" / "Application Support" / mac
    if sys.platform.startswith("win"):
        return home / "AppData" / "Roaming" / win
    return home / ".config" / linux


def _codex_home(home: Path, env: Mapping[str, str]) -> Path:
    return Path(env["CODEX_HOME"]) if env.get("CODEX_HOME") else home / ".codex"


def _copilot_home(home: Path, env: Mapping[str, str]) -> Path:
    return Path(env["COPILOT_HOME"]) if env.get("COPILOT_HOME") else home / ".copilot"


PathFor = Callable[[Path, Mapping[str, str]], Path]


@dataclass(frozen=True)
class ConfigTarget:
    """One host's server registration: the file format, where it lives per scope, and where the format is from."""

    fmt: Literal["mcpServers", "vscode", "opencode", "codex"]
    user: PathFor | None
    project: str | None
    source: str
    entry_extra: tuple[tuple[str, Any], ...] = ()
    extra_first: bool = False
    notes: tuple[tuple[Literal["user", "project", "any"], str], ...] = ()

    def path(self, scope: Scope, home: Path, cwd: Path, env: Mapping[str, str]) -> Path | None:
        if scope == "user":
            return self.user(home, env) if self.user else None
        return cwd / self.project if self.project else None


HOSTS_MD = "shared/reference/hosts.md (config that worked)"

TARGETS: dict[str, ConfigTarget] = {
    "claude-code": ConfigTarget(
        "mcpServers", lambda h, e: h / ".claude.json", ".mcp.json", HOSTS_MD,
        notes=(("user", ("running Claude Code sessions rewrite ~/.claude.json: close them first, or use the "
                         "equivalent `claude mcp add -s user routesmith -- routesmith-mcp serve`")),
               ("project", "Claude Code asks once before it starts a server from a project .mcp.json"))),
    "claude-desktop": ConfigTarget(
        "mcpServers", lambda h, e: _platform_dir(h, "Claude", "Claude", "Claude") / "claude_desktop_config.json",
        None, "modelcontextprotocol.io quickstart (claude_desktop_config.json mcpServers)",
        notes=(("any", "restart Claude Desktop to load the server"),)),
    "gemini-cli": ConfigTarget(
        "mcpServers", lambda h, e: h / ".gemini" / "settings.json", ".gemini/settings.json", HOSTS_MD,
        notes=(("any", "Gemini CLI runs MCP servers only in trusted folders (~/.gemini/trustedFolders.json)"),)),
    "qwen-code": ConfigTarget(
        "mcpServers", lambda h, e: h / ".qwen" / "settings.json", ".qwen/settings.json", HOSTS_MD,
        notes=(("any", "Qwen Code runs MCP servers only in trusted folders (~/.qwen/trustedFolders.json)"),)),
    "cursor": ConfigTarget("mcpServers", lambda h, e: h / ".cursor" / "mcp.json", ".cursor/mcp.json",
                           "shared/reference/hosts.md (~/.cursor/mcp.json); cursor.com/docs mcp"),
    "copilot-cli": ConfigTarget(
        "mcpServers", lambda h, e: _copilot_home(h, e) / "mcp-config.json", ".mcp.json",
        HOSTS_MD + "; code.visualstudio.com/docs/agents/reference/mcp-configuration ($COPILOT_HOME/mcp-config.json)",
        entry_extra=(("type", "stdio"), ("tools", ["*"])), extra_first=True,
        notes=(("project", "Copilot CLI ignores a workspace .mcp.json until the folder is trusted"),)),
    "vscode": ConfigTarget(
        "vscode", lambda h, e: _platform_dir(h, "Code/User", "Code/User", "Code/User") / "mcp.json", ".vscode/mcp.json",
        "code.visualstudio.com/docs/copilot/reference/mcp-configuration (mcp.json: top-level servers, type stdio)"),
    "opencode": ConfigTarget("opencode", lambda h, e: h / ".config" / "opencode" / "opencode.json", "opencode.json",
                             HOSTS_MD),
    "kilo": ConfigTarget("opencode", lambda h, e: h / ".config" / "kilo" / "kilo.json", "kilo.json", HOSTS_MD,
                         notes=(("user", ("the user-level kilo.json path follows opencode's layout and was not "
                                          "observed; the project kilo.json was")),)),
    "codex": ConfigTarget("codex", lambda h, e: _codex_home(h, e) / "config.toml", ".codex/config.toml", HOSTS_MD,
                          notes=(("project", "Codex reads a project .codex/config.toml only for trusted projects"),)),
}


# -- agent files -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class AgentFormat:
    user: PathFor | None
    project: str | None
    suffix: str
    kind: Literal["claude", "gemini", "codex", "copilot", "cursor", "opencode"]

    def folder(self, scope: Scope, home: Path, cwd: Path, env: Mapping[str, str]) -> Path | None:
        if scope == "user":
            return self.user(home, env) if self.user else None
        return cwd / self.project if self.project else None


AGENT_FORMATS: dict[str, AgentFormat] = {
    "claude-code": AgentFormat(lambda h, e: h / ".claude" / "agents", ".claude/agents", ".md", "claude"),
    "gemini-cli": AgentFormat(lambda h, e: h / ".gemini" / "agents", ".gemini/agents", ".md", "gemini"),
    "codex": AgentFormat(lambda h, e: _codex_home(h, e) / "agents", ".codex/agents", ".toml", "codex"),
    "copilot-cli": AgentFormat(lambda h, e: _copilot_home(h, e) / "agents", ".github/agents", ".agent.md", "copilot"),
    "vscode": AgentFormat(None, ".github/agents", ".agent.md", "copilot"),
    "cursor": AgentFormat(lambda h, e: h / ".cursor" / "agents", ".cursor/agents", ".md", "cursor"),
    "opencode": AgentFormat(lambda h, e: h / ".config" / "opencode" / "agents", ".opencode/agents", ".md", "opencode"),
}

_USE_IT = "Use it when routesmith's resolve_models assigns a step to it."
AGENT_PURPOSE: dict[Capability, tuple[str, str]] = {
    "deep_reasoning": (
        f"routesmith route for deep-reasoning steps: planning, architecture, code review, hard debugging. {_USE_IT}",
        ("You handle one planning, review or hard-debugging step. Restate the goal, list constraints and unknowns, "
         "compare at least two approaches, then commit to one. Return the plan or verdict with the evidence "
         "(files, lines) it rests on. Do not write production code unless the step asks for it."),
    ),
    "coding": (
        f"routesmith route for coding steps: implementation, tests, refactors, ordinary debugging. {_USE_IT}",
        ("You handle one coding step. Read the files you will change first, make the smallest complete change, "
         "run the build or the tests, and report what you changed and what you verified."),
    ),
    "balanced": (
        f"routesmith route for balanced steps: analysis, explanations, documentation. {_USE_IT}",
        ("You handle one analysis or documentation step. Answer directly, cite the files or lines you relied on, "
         "and keep the write-up proportional to the question."),
    ),
    "fast": (
        f"routesmith route for fast, mechanical steps: formatting, renames, lint fixes. {_USE_IT}",
        ("You handle one mechanical step. Apply the tool or the exact edit asked for, with no redesign and no "
         "commentary beyond a one-line summary."),
    ),
}


def _q(value: str) -> str:
    """A double-quoted string valid in both YAML and TOML."""
    out = []
    for ch in value:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def render_agent(host_id: str, capability: Capability) -> tuple[str, str]:
    """(file name, content) of the agent routesmith writes for one capability on this host."""
    from routesmith_mcp.hosts.profiles import load_profile

    fmt = AGENT_FORMATS[host_id]
    profile = load_profile(host_id)
    name = profile.agent_name(capability)
    model = profile.routes[capability]["balanced"][0]
    description, body = AGENT_PURPOSE[capability]
    extra = profile.agent_fields.get(capability, {})
    mark = (f"{GENERATED_MARK}: `routesmith-mcp install {host_id} --agents` may update this file and "
            "`uninstall --agents` delete it; delete this line to make the file yours")
    if fmt.kind == "codex":
        lines = [f"# {mark}", f"name = {_q(name)}", f"description = {_q(description)}", f"model = {_q(model)}"]
        lines += [f"{k} = {_q(v)}" for k, v in extra.items()]
        lines.append(f"developer_instructions = {_q(body)}")
        return name + fmt.suffix, "\n".join(lines) + "\n"
    front: list[tuple[str, str]] = []
    if fmt.kind != "opencode":
        front.append(("name", name))
    front.append(("description", description))
    if fmt.kind == "gemini":
        front.append(("kind", "local"))
    if fmt.kind == "opencode":
        front.append(("mode", "subagent"))
    front.append(("model", model))
    if fmt.kind == "claude":
        front += list(extra.items())
    head = "\n".join(f"{k}: {_q(v)}" for k, v in front)
    return name + fmt.suffix, f"---\n{head}\n---\n\n{body}\n\n<!-- {mark} -->\n"


# -- plan: compute every file's new text, then write (or not) -----------------------------------------------

@dataclass
class _Edit:
    path: Path
    old: str | None
    new: str | None  # None = delete the file
    what: str
    generated: bool = False  # our own agent file: no backup needed

    @property
    def action(self) -> str:
        if self.old == self.new:
            return "unchanged"
        if self.old is None:
            return "create"
        if self.new is None:
            return "delete"
        return "update"


@dataclass
class _Plan:
    host: str
    scope: Scope
    uninstall: bool
    edits: list[_Edit] = field(default_factory=list)
    skipped: list[FileChange] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _read(path: Path) -> str | None:
    try:
        if not path.exists():
            return None
        with path.open(encoding="utf-8", newline="") as fh:  # keep CRLF as written
            return fh.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise InstallError(f"cannot read {path}: {exc}") from exc


def _indent_of(text: str | None) -> int:
    match = re.search(r"\n( +)\S", text or "")
    return len(match.group(1)) if match and len(match.group(1)) in (2, 4) else 2


def _load_json(path: Path, text: str | None, snippet: str) -> dict[str, Any]:
    if text is None or not text.strip():
        return {}
    try:
        data = json.loads(text)
    except ValueError:
        try:
            json.loads(strip_jsonc(text))
        except ValueError as exc:
            raise InstallError(f"{path} is not valid JSON ({exc}); fix it first, routesmith will not rewrite it") \
                from exc
        raise InstallError(f"{path} has comments or trailing commas; routesmith will not rewrite it and lose them. "
                           f"Add this by hand:\n{snippet}") from None
    if not isinstance(data, dict):
        raise InstallError(f"{path} does not hold a JSON object; fix it first")
    return data


def _dump_json(data: dict[str, Any], like: str | None) -> str:
    return json.dumps(data, indent=_indent_of(like), ensure_ascii=False) + "\n"


def _container(data: dict[str, Any], key: str, path: Path) -> dict[str, Any]:
    value = data.setdefault(key, {})
    if not isinstance(value, dict):
        raise InstallError(f"{path}: '{key}' is not an object; fix it first")
    return value


def server_entry(host_id: str, command: Sequence[str]) -> tuple[str, dict[str, Any]]:
    """(top-level key, entry) that registers routesmith for this host's JSON config."""
    target = TARGETS[host_id]
    if target.fmt == "vscode":
        return "servers", {"type": "stdio", "command": command[0], "args": list(command[1:])}
    if target.fmt == "opencode":
        return "mcp", {"type": "local", "command": list(command), "enabled": True}
    base = {"command": command[0], "args": list(command[1:])}
    extra = dict(target.entry_extra)
    if target.extra_first:
        return "mcpServers", {**{k: v for k, v in extra.items() if k == "type"}, **base,
                              **{k: v for k, v in extra.items() if k != "type"}}
    return "mcpServers", {**base, **extra}


def _covers(existing: Any, wanted: Mapping[str, Any]) -> bool:
    return isinstance(existing, dict) and all(existing.get(k) == v for k, v in wanted.items())


def _json_server_edit(host_id: str, path: Path, command: Sequence[str], uninstall: bool) -> _Edit:
    text = _read(path)
    key, entry = server_entry(host_id, command)
    snippet = json.dumps({key: {SERVER_NAME: entry}}, indent=2)
    data = _load_json(path, text, snippet)
    what = f"{key}.{SERVER_NAME}"
    if uninstall:
        if text is None or not isinstance(data.get(key), dict) or SERVER_NAME not in data[key]:
            return _Edit(path, text, text, what)
        del data[key][SERVER_NAME]
        if not data[key]:
            del data[key]
        return _Edit(path, text, _dump_json(data, text) if data else None, what)
    servers = _container(data, key, path)
    if _covers(servers.get(SERVER_NAME), entry):
        return _Edit(path, text, text, what)
    current = servers.get(SERVER_NAME)
    servers[SERVER_NAME] = {**current, **entry} if isinstance(current, dict) else entry
    return _Edit(path, text, _dump_json(data, text), what)


# -- Codex TOML, edited as text so comments and layout survive ----------------------------------------------

_TOML_HEADER = re.compile(r"^\s*\[\[?\s*[A-Za-z0-9_\"'.\- ]+\]\]?\s*(#.*)?$")
_OUR_HEADER = re.compile(r"""^\s*\[\s*mcp_servers\s*\.\s*(?:routesmith|"routesmith"|'routesmith')\s*(\]|\.)""")
_KEY_LINE = re.compile(r"^\s*(command|args)\s*=")
_TOML_MARK = "# routesmith-mcp: registered by `routesmith-mcp install codex`"


def _toml_block(command: Sequence[str]) -> list[str]:
    return [_TOML_MARK, f"[mcp_servers.{SERVER_NAME}]", f"command = {_q(command[0])}",
            "args = [" + ", ".join(_q(a) for a in command[1:]) + "]"]


def codex_snippet(command: Sequence[str] = DEFAULT_COMMAND) -> str:
    return "\n".join(_toml_block(command)) + "\n"


def _toml_parse(path: Path, text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InstallError(f"{path} is not valid TOML ({exc}); fix it first, routesmith will not rewrite it") from exc


def _without_ours(data: dict[str, Any]) -> dict[str, Any]:
    data = json.loads(json.dumps(data, default=str))
    servers = data.get("mcp_servers")
    if isinstance(servers, dict):
        servers.pop(SERVER_NAME, None)
        if not servers:
            data.pop("mcp_servers")
    return data


def _our_blocks(lines: list[str]) -> list[tuple[int, int]]:
    """Line ranges [start, end) of our table with its sub-tables, our marker comment and the blank line before."""
    ranges = []
    i = 0
    while i < len(lines):
        if not _OUR_HEADER.match(lines[i]):
            i += 1
            continue
        start = i - 1 if i > 0 and lines[i - 1].strip() == _TOML_MARK else i
        if start > 0 and not lines[start - 1].strip():
            start -= 1
        end = i + 1
        while end < len(lines) and not (_TOML_HEADER.match(lines[end]) and not _OUR_HEADER.match(lines[end])):
            end += 1
        # Comments just above the next table belong to it.
        while end - 1 > i and lines[end - 1].lstrip().startswith("#"):
            end -= 1
        ranges.append((start, end))
        i = end
    return ranges


def _codex_edit(path: Path, command: Sequence[str], uninstall: bool) -> _Edit:
    text = _read(path)
    what = f"[mcp_servers.{SERVER_NAME}]"
    old = _toml_parse(path, text or "")
    current = (old.get("mcp_servers") or {}).get(SERVER_NAME) if isinstance(old.get("mcp_servers"), dict) else None
    lines = (text or "").splitlines()
    nl = "\r\n" if "\r\n" in (text or "") else "\n"
    blocks = _our_blocks(lines)
    if uninstall:
        if current is None:
            return _Edit(path, text, text, what)
        if not blocks:
            raise InstallError(f"{path} defines mcp_servers.{SERVER_NAME} in a form routesmith does not edit "
                               "(an inline table or dotted keys); remove it by hand")
        keep = [ln for idx, ln in enumerate(lines) if not any(s <= idx < e for s, e in blocks)]
        while keep and not keep[-1].strip():
            keep.pop()
        new = nl.join(keep) + nl if any(ln.strip() for ln in keep) else None
        _check_toml(path, new or "", lambda d: _without_ours(d) == _without_ours(old) and
                    SERVER_NAME not in (d.get("mcp_servers") or {}))
        return _Edit(path, text, new, what)
    wanted = {"command": command[0], "args": list(command[1:])}
    if _covers(current, wanted):
        return _Edit(path, text, text, what)
    if current is None:
        while lines and not lines[-1].strip():
            lines.pop()
        new = nl.join([*lines, "", *_toml_block(command)] if lines else _toml_block(command)) + nl
    else:
        if not blocks:
            raise InstallError(f"{path} defines mcp_servers.{SERVER_NAME} in a form routesmith does not edit "
                               "(an inline table or dotted keys); update it by hand:\n" + codex_snippet(command))
        start, end = blocks[0]
        header = next(i for i in range(start, end) if _OUR_HEADER.match(lines[i]))
        end = next((i for i in range(header + 1, end) if _TOML_HEADER.match(lines[i])), end)
        body_lines, i = [], header + 1
        while i < end:
            if _KEY_LINE.match(lines[i]):
                # Drop our keys, including a multi-line array value.
                depth = lines[i].count("[") - lines[i].count("]")
                i += 1
                while depth > 0 and i < end:
                    depth += lines[i].count("[") - lines[i].count("]")
                    i += 1
                continue
            body_lines.append(lines[i])
            i += 1
        new_lines = lines[:header + 1] + _toml_block(command)[2:] + body_lines + lines[end:]
        new = nl.join(new_lines) + nl
    _check_toml(path, new, lambda d: _without_ours(d) == _without_ours(old) and
                _covers((d.get("mcp_servers") or {}).get(SERVER_NAME), wanted))
    return _Edit(path, text, new, what)


def _check_toml(path: Path, text: str, ok: Callable[[dict[str, Any]], bool]) -> None:
    try:
        good = ok(tomllib.loads(text))
    except tomllib.TOMLDecodeError:
        good = False
    if not good:
        raise InstallError(f"could not edit {path} safely (its layout is unusual); nothing was written. "
                           f"Edit it by hand; the entry is:\n{codex_snippet()}")


# -- Claude Code hook ------------------------------------------------------------------------------------------

def hook_command(command: Sequence[str]) -> str:
    """The shell command Claude Code runs for the PreToolUse hook, derived from the server command."""
    base = list(command[:-1]) if command and command[-1] == "serve" else list(command)
    return shlex.join(base + list(HOOK_SUBCOMMAND))


def _is_our_hook(hook: Any) -> bool:
    return isinstance(hook, dict) and isinstance(hook.get("command"), str) and \
        " ".join(HOOK_SUBCOMMAND) in hook["command"] and "routesmith" in hook["command"]


def _hook_edit(path: Path, command: Sequence[str], uninstall: bool) -> _Edit:
    text = _read(path)
    cmd = hook_command(command)
    group = {"matcher": "Agent|Task", "hooks": [{"type": "command", "command": cmd, "timeout": 10}]}
    data = _load_json(path, text, json.dumps({"hooks": {"PreToolUse": [group]}}, indent=2))
    what = "hooks.PreToolUse (Agent|Task) -> " + cmd
    hooks = data.get("hooks")
    groups = hooks.get("PreToolUse") if isinstance(hooks, dict) else None
    if uninstall:
        if not isinstance(groups, list):
            return _Edit(path, text, text, what)
        kept = []
        for g in groups:
            if isinstance(g, dict) and isinstance(g.get("hooks"), list) and any(_is_our_hook(h) for h in g["hooks"]):
                rest = [h for h in g["hooks"] if not _is_our_hook(h)]
                if rest:
                    kept.append({**g, "hooks": rest})
            else:
                kept.append(g)
        if kept == groups:
            return _Edit(path, text, text, what)
        if kept:
            hooks["PreToolUse"] = kept
        else:
            del hooks["PreToolUse"]
            if not hooks:
                del data["hooks"]
        return _Edit(path, text, _dump_json(data, text) if data else None, what)
    if isinstance(groups, list) and any(isinstance(g, dict) and isinstance(g.get("hooks"), list)
                                        and any(_is_our_hook(h) for h in g["hooks"]) for g in groups):
        return _Edit(path, text, text, what)
    hooks = _container(data, "hooks", path)
    groups = hooks.setdefault("PreToolUse", [])
    if not isinstance(groups, list):
        raise InstallError(f"{path}: hooks.PreToolUse is not a list; fix it first")
    groups.append(group)
    return _Edit(path, text, _dump_json(data, text), what)


# -- the public API ------------------------------------------------------------------------------------------

def installable_hosts() -> list[str]:
    return sorted(TARGETS)


def _check(host_id: str, scope: str, hook: bool) -> ConfigTarget:
    from routesmith_mcp.hosts.detect import CANONICAL_IDS

    if host_id not in CANONICAL_IDS:
        raise InstallError(f"unknown host {host_id!r}; known hosts: {', '.join(CANONICAL_IDS)} "
                           f"(install supports: {', '.join(installable_hosts())})")
    if host_id not in TARGETS:
        raise InstallError(f"routesmith cannot register itself in {host_id} automatically; see host_configs/README.md "
                           f"for the snippet (install supports: {', '.join(installable_hosts())})")
    if scope not in ("user", "project"):
        raise InstallError(f"unknown scope {scope!r}; use 'user' or 'project'")
    if hook and host_id != "claude-code":
        raise InstallError("--hook exists only for claude-code (a PreToolUse hook on the Agent tool)")
    return TARGETS[host_id]


def _plan(host_id: str, *, scope: Scope, agents: bool, hook: bool, home: Path, cwd: Path,
          command: Sequence[str], env: Mapping[str, str], uninstall: bool) -> _Plan:
    target = _check(host_id, scope, hook)
    if not command:
        raise InstallError("the server command is empty")
    path = target.path(scope, home, cwd, env)
    if path is None:
        raise InstallError(f"{host_id} has no {scope}-level config; use --scope "
                           f"{'user' if scope == 'project' else 'project'}")
    plan = _Plan(host_id, scope, uninstall)
    if target.fmt == "codex":
        plan.edits.append(_codex_edit(path, command, uninstall))
    else:
        plan.edits.append(_json_server_edit(host_id, path, command, uninstall))
    if not uninstall:
        plan.notes.extend(text for when, text in target.notes if when in ("any", scope))
    if hook:
        settings = (home / ".claude" / "settings.json") if scope == "user" else (cwd / ".claude" / "settings.json")
        plan.edits.append(_hook_edit(settings, command, uninstall))
    if agents:
        _plan_agents(plan, host_id, scope, home, cwd, env)
    return plan


def _plan_agents(plan: _Plan, host_id: str, scope: Scope, home: Path, cwd: Path, env: Mapping[str, str]) -> None:
    fmt = AGENT_FORMATS.get(host_id)
    folder = fmt.folder(scope, home, cwd, env) if fmt else None
    if fmt is None or folder is None:
        plan.notes.append(f"{host_id} has no agent files routesmith can write at {scope} scope; nothing written "
                          "for --agents")
        return
    from routesmith_mcp.hosts.profiles import load_profile

    if not load_profile(host_id).can_switch:
        plan.notes.append(f"{host_id} cannot switch models, so no agents were written")
        return
    for capability in CAPABILITIES:
        name, content = render_agent(host_id, capability)
        path = folder / name
        old = _read(path)
        what = f"agent for {capability}"
        if old is not None and GENERATED_MARK not in old:
            plan.skipped.append(FileChange(path=str(path), action="skip",
                                           what=what + ": exists and was not written by routesmith; left alone"))
            continue
        plan.edits.append(_Edit(path, old, None if plan.uninstall else content, what, generated=True))


def _diff(edit: _Edit) -> str:
    if edit.old == edit.new:
        return ""
    return "".join(difflib.unified_diff(
        (edit.old or "").splitlines(keepends=True), (edit.new or "").splitlines(keepends=True),
        fromfile=str(edit.path) if edit.old is not None else "/dev/null",
        tofile=str(edit.path) if edit.new is not None else "/dev/null"))


def _backup(path: Path) -> Path:
    backup = path.with_name(path.name + BACKUP_SUFFIX)
    if backup.exists():
        backup = path.with_name(f"{path.name}{BACKUP_SUFFIX}-{datetime.now():%Y%m%dT%H%M%S%f}")
    shutil.copy2(path, backup)
    return backup


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else None
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _apply(plan: _Plan, dry_run: bool) -> InstallReport:
    report = InstallReport(host=plan.host, scope=plan.scope, dry_run=dry_run, uninstall=plan.uninstall,
                           notes=list(plan.notes))
    for edit in plan.edits:
        action = edit.action
        if plan.uninstall and action == "update":
            action = "remove"
        change = FileChange(path=str(edit.path), action=action, what=edit.what, diff=_diff(edit))  # type: ignore[arg-type]
        if action != "unchanged" and not dry_run:
            if edit.old is not None and not edit.generated:
                change.backup = str(_backup(edit.path))
            if edit.new is None:
                edit.path.unlink(missing_ok=True)
            else:
                _write(edit.path, edit.new)
        report.changes.append(change)
    report.changes.extend(plan.skipped)
    return report


def install(
    host_id: str, *, scope: Scope = "user", dry_run: bool = False, agents: bool = False, hook: bool = False,
    home: Path, cwd: Path, command: Sequence[str] = DEFAULT_COMMAND, env: Mapping[str, str] | None = None,
) -> InstallReport:
    """Register routesmith with `host_id` (and optionally write its agents / the Claude Code hook)."""
    plan = _plan(host_id, scope=scope, agents=agents, hook=hook, home=home, cwd=cwd, command=list(command),
                 env=os.environ if env is None else env, uninstall=False)
    return _apply(plan, dry_run)


def uninstall(
    host_id: str, *, scope: Scope = "user", dry_run: bool = False, agents: bool = False, hook: bool = False,
    home: Path, cwd: Path, command: Sequence[str] = DEFAULT_COMMAND, env: Mapping[str, str] | None = None,
) -> InstallReport:
    """Remove what `install` added: the server entry, and with agents/hook those too. Never touches other files."""
    plan = _plan(host_id, scope=scope, agents=agents, hook=hook, home=home, cwd=cwd, command=list(command),
                 env=os.environ if env is None else env, uninstall=True)
    return _apply(plan, dry_run)


def snippet(host_id: str, command: Sequence[str] = DEFAULT_COMMAND) -> str:
    """The exact text install writes into an empty config for this host (what host_configs/ ships)."""
    _check(host_id, "user", False)
    if TARGETS[host_id].fmt == "codex":
        return codex_snippet(command)
    key, entry = server_entry(host_id, command)
    return json.dumps({key: {SERVER_NAME: entry}}, indent=2) + "\n"
