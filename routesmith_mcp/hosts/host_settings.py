"""What the host allows right now: its current model, allow-list and pinned models, read from env and its own files.

Read-only: nothing here writes. A missing file is skipped silently; a malformed one becomes a note in `sources`,
never an exception. `sources` names env variables and file paths only; the values it repeats are model names.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

logger = logging.getLogger(__name__)


class HostConstraints(BaseModel):
    """The host's model settings as routesmith found them."""

    host_id: str
    current_model: str | None = Field(default=None, description="The model the host will use for the main turn.")
    allowed_models: list[str] | None = Field(default=None, description="Allow-list; None means no allow-list.")
    subagent_model: str | None = Field(default=None, description="A model forced on every subagent, if any.")
    pinned_models: dict[str, str] = Field(
        default_factory=dict, description="Alias -> model the host pins it to (e.g. 'opus' -> 'claude-opus-4-8')."
    )
    profile_models: dict[str, str] = Field(default_factory=dict, description="Named config profile -> its model.")
    sources: list[str] = Field(default_factory=list, description="What was read from where (names and paths).")


class _Reading:
    """Accumulates one host's constraints while its readers run."""

    def __init__(self, host_id: str, home: Path) -> None:
        self.c = HostConstraints(host_id=host_id)
        self.home = home

    def show(self, path: Path) -> str:
        try:
            return "~/" + path.relative_to(self.home).as_posix()
        except ValueError:
            return str(path)

    def note(self, text: str) -> None:
        self.c.sources.append(text)

    def env(self, env: Mapping[str, str], name: str) -> str | None:
        value = env.get(name, "").strip()
        return value or None

    def json_file(self, path: Path) -> dict[str, Any] | None:
        """A JSON (or JSON-with-comments) object from `path`; None when absent or malformed (with a note)."""
        text = self._read(path)
        if text is None:
            return None
        try:
            data = json.loads(text)
        except ValueError:
            try:
                data = json.loads(strip_jsonc(text))
            except ValueError as exc:
                self.note(f"{self.show(path)} is not valid JSON ({exc.__class__.__name__} at line "
                          f"{getattr(exc, 'lineno', '?')}); ignored")
                return None
        if not isinstance(data, dict):
            self.note(f"{self.show(path)} does not hold a JSON object; ignored")
            return None
        return data

    def toml_file(self, path: Path) -> dict[str, Any] | None:
        text = self._read(path)
        if text is None:
            return None
        try:
            return tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            self.note(f"{self.show(path)} is not valid TOML ({exc}); ignored")
            return None

    def _read(self, path: Path) -> str | None:
        try:
            if not path.is_file():
                return None
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self.note(f"{self.show(path)} could not be read ({exc.__class__.__name__}); ignored")
            return None


def strip_jsonc(text: str) -> str:
    """Remove // and /* */ comments and trailing commas outside strings (VS Code and opencode allow them)."""
    out: list[str] = []
    i, n, in_str = 0, len(text), False
    while i < n:
        ch = text[i]
        if in_str:
            out.append(ch)
            if ch == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 2
                continue
            if ch == '"':
                in_str = False
        elif ch == '"':
            in_str = True
            out.append(ch)
        elif text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
            continue
        else:
            out.append(ch)
        i += 1
    return re.sub(r",(\s*[}\]])", r"\1", "".join(out))


def _str(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _str_list(value: Any) -> list[str] | None:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return [v.strip() for v in value if v.strip()]
    return None


# -- Claude Code -------------------------------------------------------------------------------------------

def _claude_managed_settings() -> Path:
    if sys.platform == "darwin":
        return Path("/Library/Application Support/ClaudeCode/managed-settings.json")
    if sys.platform.startswith("win"):
        return Path("C:/ProgramData/ClaudeCode/managed-settings.json")
    return Path("/etc/claude-code/managed-settings.json")


def _claude_code(r: _Reading, env: Mapping[str, str], home: Path, cwd: Path, managed: Path | None) -> None:
    # Settings precedence, lowest first; env ANTHROPIC_MODEL beats every file.
    files = [home / ".claude" / "settings.json", cwd / ".claude" / "settings.json",
             cwd / ".claude" / "settings.local.json"]
    model: str | None = None
    allowed: list[str] | None = None
    for path in files:
        data = r.json_file(path)
        if data is None:
            continue
        found = []
        if (value := _str(data.get("model"))) is not None:
            model = value
            found.append(f"model {value!r}")
        if "availableModels" in data:
            listed = _str_list(data["availableModels"])
            if listed is None:
                r.note(f"{r.show(path)}: availableModels is not a list of strings; ignored")
            else:
                allowed = listed
                found.append(f"availableModels {listed}")
        r.note(f"read {r.show(path)}: " + (", ".join(found) if found else "no model settings"))
    if managed is not None:
        data = r.json_file(managed)
        if data is not None and "availableModels" in data:
            listed = _str_list(data["availableModels"])
            if listed is not None:
                # A managed allow-list cannot be widened by user or project settings.
                allowed = listed if allowed is None else [m for m in allowed if m in listed] or listed
                r.note(f"read {managed}: managed availableModels {listed}")
        if data is not None and (value := _str(data.get("model"))) is not None:
            model = value
            r.note(f"read {managed}: managed model {value!r}")
    if (value := r.env(env, "ANTHROPIC_MODEL")) is not None:
        model = value
        r.note(f"env ANTHROPIC_MODEL={value!r} sets the session model")
    elif (value := r.env(env, "ANTHROPIC_DEFAULT_MODEL")) is not None and model is None:
        model = value
        r.note(f"env ANTHROPIC_DEFAULT_MODEL={value!r} sets the starting model")
    for alias in ("opus", "sonnet", "haiku"):
        name = f"ANTHROPIC_DEFAULT_{alias.upper()}_MODEL"
        if (value := r.env(env, name)) is not None:
            r.c.pinned_models[alias] = value
            r.note(f"env {name} pins the alias {alias!r} to {value!r}")
    if (value := r.env(env, "CLAUDE_CODE_SUBAGENT_MODEL")) is not None:
        r.c.subagent_model = value
        r.note(f"env CLAUDE_CODE_SUBAGENT_MODEL={value!r} forces every subagent onto that model")
    r.c.current_model, r.c.allowed_models = model, allowed
    if allowed is not None:
        r.note(f"Claude Code allow-list (availableModels): {', '.join(allowed) or 'empty'}")


# -- Gemini CLI / Qwen Code --------------------------------------------------------------------------------

def _settings_model(data: dict[str, Any]) -> str | None:
    """`model.name` in the current schema; a plain `model` string in the old flat one."""
    value = data.get("model")
    if isinstance(value, dict):
        return _str(value.get("name"))
    return _str(value)


def _gemini_like(folder: str, env_var: str) -> Callable[[_Reading, Mapping[str, str], Path, Path], None]:
    def read(r: _Reading, env: Mapping[str, str], home: Path, cwd: Path) -> None:
        model: str | None = None
        for path in (home / folder / "settings.json", cwd / folder / "settings.json"):
            data = r.json_file(path)
            if data is None:
                continue
            value = _settings_model(data)
            r.note(f"read {r.show(path)}: " + (f"model.name {value!r}" if value else "no model setting"))
            model = value or model
        if (value := r.env(env, env_var)) is not None:
            model = value
            r.note(f"env {env_var}={value!r} sets the session model")
        r.c.current_model = model
    return read


# -- Codex ---------------------------------------------------------------------------------------------------

def _codex(r: _Reading, env: Mapping[str, str], home: Path, cwd: Path) -> None:
    codex_home = Path(env["CODEX_HOME"]) if env.get("CODEX_HOME") else home / ".codex"
    if env.get("CODEX_HOME"):
        r.note("env CODEX_HOME relocates the Codex config")
    model: str | None = None
    active: str | None = None
    for path, label in ((codex_home / "config.toml", ""), (cwd / ".codex" / "config.toml", " (used only if the project is trusted)")):
        data = r.toml_file(path)
        if data is None:
            continue
        found = []
        if (value := _str(data.get("model"))) is not None:
            model = value
            found.append(f"model {value!r}")
        if (value := _str(data.get("profile"))) is not None:
            active = value
            found.append(f"profile {value!r}")
        profiles = data.get("profiles")
        if isinstance(profiles, dict):
            for name, table in profiles.items():
                if isinstance(table, dict) and (value := _str(table.get("model"))) is not None:
                    r.c.profile_models[name] = value
            if r.c.profile_models:
                found.append(f"profiles {sorted(r.c.profile_models)}")
        r.note(f"read {r.show(path)}{label}: " + (", ".join(found) if found else "no model settings"))
    if active and active in r.c.profile_models:
        model = r.c.profile_models[active]
        r.note(f"the active Codex profile {active!r} sets the model to {model!r}")
    r.c.current_model = model


# -- opencode / Kilo -----------------------------------------------------------------------------------------

def _opencode_like(name: str, config_env: str) -> Callable[[_Reading, Mapping[str, str], Path, Path], None]:
    def read(r: _Reading, env: Mapping[str, str], home: Path, cwd: Path) -> None:
        paths = [home / ".config" / name / f"{name}.json", home / ".config" / name / f"{name}.jsonc"]
        if env.get(config_env):
            paths.append(Path(env[config_env]))
            r.note(f"env {config_env} names an extra config file")
        paths += [cwd / f"{name}.json", cwd / f"{name}.jsonc"]
        model: str | None = None
        for path in paths:
            data = r.json_file(path)
            if data is None:
                continue
            value = _str(data.get("model"))
            small = _str(data.get("small_model"))
            parts = ([f"model {value!r}"] if value else []) + ([f"small_model {small!r}"] if small else [])
            r.note(f"read {r.show(path)}: " + (", ".join(parts) if parts else "no model setting"))
            model = value or model
        r.c.current_model = model
    return read


# -- Copilot CLI / Aider -------------------------------------------------------------------------------------

def _copilot(r: _Reading, env: Mapping[str, str], home: Path, cwd: Path) -> None:
    model: str | None = None
    path = home / ".copilot" / "config.json"
    data = r.json_file(path)
    if data is not None:
        model = _str(data.get("model"))
        r.note(f"read {r.show(path)}: " + (f"model {model!r}" if model else "no model setting"))
    if (value := r.env(env, "COPILOT_MODEL")) is not None:
        model = value
        r.note(f"env COPILOT_MODEL={value!r} sets the session model")
    r.c.current_model = model


def _aider(r: _Reading, env: Mapping[str, str], home: Path, cwd: Path) -> None:
    model: str | None = None
    for path in (home / ".aider.conf.yml", cwd / ".aider.conf.yml"):
        text = r._read(path)
        if text is None:
            continue
        match = re.search(r"^model:\s*['\"]?([^'\"#\s]+)", text, re.MULTILINE)
        r.note(f"read {r.show(path)}: " + (f"model {match.group(1)!r}" if match else "no model setting"))
        model = match.group(1) if match else model
    if (value := r.env(env, "AIDER_MODEL")) is not None:
        model = value
        r.note(f"env AIDER_MODEL={value!r} sets the model")
    r.c.current_model = model


_READERS: dict[str, Callable[[_Reading, Mapping[str, str], Path, Path], None]] = {
    "gemini-cli": _gemini_like(".gemini", "GEMINI_MODEL"),
    "qwen-code": _gemini_like(".qwen", "OPENAI_MODEL"),
    "codex": _codex,
    "opencode": _opencode_like("opencode", "OPENCODE_CONFIG"),
    "kilo": _opencode_like("kilo", "KILO_CONFIG"),
    "copilot-cli": _copilot,
    "aider": _aider,
}


def read_host_constraints(
    host_id: str, *, env: Mapping[str, str], home: Path, cwd: Path, managed: Path | None = None
) -> HostConstraints:
    """The host's current model, allow-list and pins, from its env and settings files (never raises)."""
    r = _Reading(host_id, home)
    try:
        if host_id == "claude-code":
            _claude_code(r, env, home, cwd, managed if managed is not None else _claude_managed_settings())
        elif (reader := _READERS.get(host_id)) is not None:
            reader(r, env, home, cwd)
        else:
            r.note(f"routesmith reads no model settings for {host_id}")
    except Exception as exc:
        logger.warning("reading %s settings failed", host_id, exc_info=True)
        r.note(f"reading {host_id} settings failed ({exc.__class__.__name__}); treated as no constraints")
    return r.c
