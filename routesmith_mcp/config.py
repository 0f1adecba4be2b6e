"""Settings from the environment, the user's config file and the repository's `.routesmith.toml`.

Trust rule: anything that could run code or change where data goes (plugins, database URL, data dir,
storing prompt text) is read only from the environment and the user's own config. A project file may
set routing preferences and overrides; any other key it sets is ignored with an advisory.
"""

from __future__ import annotations

import logging
import math
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from routesmith_mcp.engine.capabilities import CapabilityMapError, validate_overrides
from routesmith_mcp.engine.types import CAPABILITIES, PREFERENCES, Capability, Preference, StepType

logger = logging.getLogger(__name__)

APP_NAME = "routesmith-mcp"
PROJECT_FILE = ".routesmith.toml"
DEFAULT_MAX_PROMPT_CHARS = 100_000

# Keys a repository's project file may set. Everything else is user-only.
PROJECT_KEYS = frozenset({"preference", "capabilities", "models"})
USER_KEYS = PROJECT_KEYS | frozenset(
    {"db_url", "store_prompts", "max_prompt_chars", "plugins", "pin", "half_life_days", "learning", "hook"}
)


class ConfigError(ValueError):
    """A setting has a value routesmith cannot use; the message says how to fix it."""


@dataclass
class Settings:
    """Everything configurable, resolved once per process."""

    home: Path
    db_url: str | None = None
    host_override: str | None = None
    max_prompt_chars: int = DEFAULT_MAX_PROMPT_CHARS
    store_prompts: bool = False
    preference: Preference = "balanced"
    capability_overrides: dict[StepType, Capability] = field(default_factory=dict)
    model_overrides: dict[str, dict[Capability, list[str]]] = field(default_factory=dict)
    pins: dict[str, dict[Capability, str]] = field(default_factory=dict)
    plugins: list[str] = field(default_factory=list)
    half_life_days: float = 14.0
    learning: bool = True
    hook_enabled: bool = True
    cwd: Path = field(default_factory=Path.cwd)
    files_read: list[str] = field(default_factory=list)
    advisories: list[str] = field(default_factory=list)


def default_home(env: Mapping[str, str]) -> Path:
    """ROUTESMITH_HOME, else the per-user data dir."""
    if env.get("ROUTESMITH_HOME"):
        return Path(env["ROUTESMITH_HOME"]).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def user_config_path(env: Mapping[str, str], home: Path) -> Path:
    """ROUTESMITH_CONFIG, else config.toml in the routesmith home."""
    if env.get("ROUTESMITH_CONFIG"):
        return Path(env["ROUTESMITH_CONFIG"]).expanduser()
    return home / "config.toml"


def find_project_file(cwd: Path) -> Path | None:
    """The nearest `.routesmith.toml` from cwd up to the repository root (a dir holding .git)."""
    for folder in (cwd, *cwd.parents):
        candidate = folder / PROJECT_FILE
        if candidate.is_file():
            return candidate
        if (folder / ".git").exists():
            return None
    return None


def _read_toml(path: Path, advisories: list[str]) -> dict[str, Any] | None:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        return None
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        advisories.append(f"ignored {path}: it is not valid TOML ({exc}); fix or remove it")
        return None


def load_settings(env: Mapping[str, str] | None = None, cwd: Path | None = None) -> Settings:
    """Build settings: defaults < user config < project file (routing keys only) < environment."""
    env = os.environ if env is None else env
    home = default_home(env)
    settings = Settings(home=home, cwd=cwd or Path.cwd())

    user_path = user_config_path(env, home)
    user = _read_toml(user_path, settings.advisories)
    if user is not None:
        settings.files_read.append(str(user_path))
        _apply(settings, user, allowed=USER_KEYS, origin=str(user_path))

    project_path = find_project_file(settings.cwd)
    if project_path is not None:
        project = _read_toml(project_path, settings.advisories)
        if project is not None:
            settings.files_read.append(str(project_path))
            _apply(settings, project, allowed=PROJECT_KEYS, origin=str(project_path))

    _apply_env(settings, env)
    return settings


def _apply(settings: Settings, data: Mapping[str, Any], *, allowed: frozenset[str], origin: str) -> None:
    for key, value in data.items():
        if key not in allowed:
            if key in USER_KEYS:
                settings.advisories.append(
                    f"ignored '{key}' in {origin}: a project file may not set it (it could run code or move "
                    f"data); set it in your user config instead"
                )
            else:
                settings.advisories.append(f"ignored unknown key '{key}' in {origin}")
            continue
        try:
            _set(settings, key, value)
        except ConfigError as exc:
            settings.advisories.append(f"ignored '{key}' in {origin}: {exc}")


def _set(settings: Settings, key: str, value: Any) -> None:
    if key in _SCALARS:
        attr, parse = _SCALARS[key]
        setattr(settings, attr, parse(value, key))
    elif key == "capabilities":
        if not isinstance(value, dict):
            raise ConfigError("expected a table of task type = capability")
        try:
            settings.capability_overrides.update(validate_overrides(value))
        except CapabilityMapError as exc:
            raise ConfigError(str(exc)) from exc
    elif key == "models":
        settings.model_overrides.update(_host_capability_table(value, many=True))  # type: ignore[arg-type]
    elif key == "pin":
        settings.pins.update(_host_capability_table(value, many=False))  # type: ignore[arg-type]
    elif key == "plugins":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError("expected a list of 'module:callable' strings")
        settings.plugins = list(value)


def _host_capability_table(value: Any, *, many: bool) -> dict[str, dict[str, Any]]:
    if not isinstance(value, dict):
        raise ConfigError("expected [table.<host>] with capability = model entries")
    out: dict[str, dict[str, Any]] = {}
    for host, caps in value.items():
        if not isinstance(caps, dict):
            raise ConfigError(f"expected a table for host {host!r}")
        entry: dict[str, Any] = {}
        for cap, models in caps.items():
            if cap not in CAPABILITIES:
                raise ConfigError(f"unknown capability {cap!r} for host {host!r}; use one of {', '.join(CAPABILITIES)}")
            if many:
                models = [models] if isinstance(models, str) else models
                if not isinstance(models, list) or not models or not all(isinstance(m, str) and m for m in models):
                    raise ConfigError(f"{host}.{cap} must be a model id or a non-empty list of model ids")
            elif not isinstance(models, str) or not models:
                raise ConfigError(f"{host}.{cap} must be one model id")
            entry[cap] = models
        out[host] = entry
    return out


def _apply_env(settings: Settings, env: Mapping[str, str]) -> None:
    for var, key in _ENV_KEYS.items():
        if env.get(var):
            attr, parse = _SCALARS[key]
            try:
                setattr(settings, attr, parse(env[var], var))
            except ConfigError as exc:
                settings.advisories.append(f"ignored {var}: {exc}")
    if env.get("ROUTESMITH_HOST"):
        settings.host_override = env["ROUTESMITH_HOST"].strip()
    if env.get("ROUTESMITH_HOOK_DISABLE", "").strip() in {"1", "true", "yes"}:
        settings.hook_enabled = False


def _preference(value: Any) -> Preference:
    if value not in PREFERENCES:
        raise ConfigError(f"preference must be one of {', '.join(PREFERENCES)}, not {value!r}")
    return value  # type: ignore[no-any-return]


def _string(value: Any, key: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{key} must be a non-empty string")
    return value.strip()


def _bool(value: Any, key: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"1", "true", "yes", "on", "0", "false", "no", "off"}:
        return value.strip().lower() in {"1", "true", "yes", "on"}
    raise ConfigError(f"{key} must be true or false")


def _positive_int(value: Any, key: str) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{key} must be a positive whole number") from None
    if number <= 0 or isinstance(value, bool):
        raise ConfigError(f"{key} must be a positive whole number")
    return number


def _positive_float(value: Any, key: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{key} must be a positive number") from None
    if not math.isfinite(number) or number <= 0:
        raise ConfigError(f"{key} must be a positive number")
    return number


# Config key -> (Settings attribute, parser). Parsers take (value, name to show in the error).
_SCALARS: dict[str, tuple[str, Callable[[Any, str], Any]]] = {
    "preference": ("preference", lambda v, _k: _preference(v)),
    "db_url": ("db_url", _string),
    "store_prompts": ("store_prompts", _bool),
    "max_prompt_chars": ("max_prompt_chars", _positive_int),
    "half_life_days": ("half_life_days", _positive_float),
    "learning": ("learning", _bool),
    "hook": ("hook_enabled", _bool),
}
_ENV_KEYS = {
    "ROUTESMITH_DB_URL": "db_url",
    "ROUTESMITH_PREFERENCE": "preference",
    "ROUTESMITH_MAX_PROMPT_CHARS": "max_prompt_chars",
    "ROUTESMITH_STORE_PROMPTS": "store_prompts",
    "ROUTESMITH_HALF_LIFE_DAYS": "half_life_days",
}
