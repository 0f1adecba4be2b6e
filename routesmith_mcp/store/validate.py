"""Checks and normalises one outcome into a table row; shared by record_outcome, the spool and the importer."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from routesmith_mcp.engine.types import CAPABILITIES, STEP_TYPES
from routesmith_mcp.store.errors import StoreInputError
from routesmith_mcp.store.histogram import BUCKETS_PER_E

MAX_LEN = {"model": 200, "host": 100, "client_name": 200, "client_version": 100, "plan_id": 64, "step_id": 64,
           "source": 60, "task_type": 40, "capability": 40}
ERROR_MAX_CHARS = 4000
MAX_DURATION_MS = 30 * 24 * 3600 * 1000.0
MAX_TOKENS = 10**12
MAX_COST_USD = 1_000_000.0
OUTCOME_FIELDS = ("model", "success", "host", "client_name", "client_version", "plan_id", "step_id", "task_type",
                  "capability", "duration_ms", "input_tokens", "output_tokens", "cost_usd", "error", "source",
                  "recorded_at")


def clean_text(value: Any, field: str, *, required: bool = False, max_len: int | None = None) -> str | None:
    """A safe string: NULs and lone surrogates replaced, trimmed; length-checked; None when empty and optional."""
    if value is None:
        if required:
            raise StoreInputError(f"{field} is required: pass a non-empty string")
        return None
    if not isinstance(value, str):
        raise StoreInputError(f"{field} must be a string (got {type(value).__name__})")
    if value.isascii() and "\x00" not in value:  # the common case: nothing to repair
        text = value.strip()
    else:
        text = value.replace("\x00", "\ufffd").encode("utf-8", "replace").decode("utf-8").strip()
    if not text:
        if required:
            raise StoreInputError(f"{field} must not be empty or whitespace")
        return None
    limit = max_len if max_len is not None else MAX_LEN.get(field)
    if limit is not None and len(text) > limit:
        raise StoreInputError(f"{field} is {len(text)} characters long; at most {limit} are allowed")
    return text


def check_number(value: Any, field: str, *, integer: bool, maximum: float, unit: str) -> float | int | None:
    """None, or a finite number in [0, maximum]; the error says what a valid value looks like."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise StoreInputError(f"{field} must be a number of {unit} (got {type(value).__name__})")
    if integer:
        if isinstance(value, float):
            if not math.isfinite(value) or value != int(value):
                raise StoreInputError(f"{field} must be a whole number of {unit} (got {value!r})")
            value = int(value)
    elif not math.isfinite(value):
        raise StoreInputError(f"{field} must be a finite number of {unit} (got {value!r}); omit it if unknown")
    if value < 0:
        raise StoreInputError(f"{field} must be >= 0 {unit} (got {value!r}); omit it if unknown")
    if value > maximum:
        raise StoreInputError(f"{field} is implausibly large ({value!r} > {maximum:g} {unit}); check the unit")
    return value if integer else float(value)


def to_epoch(value: Any, field: str = "recorded_at") -> float:
    """Epoch seconds from a datetime, an ISO-8601 string or a number of seconds (None -> now)."""
    if value is None:
        return time.time()
    if isinstance(value, datetime):
        ts = (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()
    elif isinstance(value, str):
        try:
            dt = datetime.fromisoformat(value.strip())
        except ValueError:
            raise StoreInputError(f"{field} must be an ISO-8601 time or epoch seconds (got {value[:40]!r})") from None
        ts = (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).timestamp()
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        ts = float(value)
        if ts > 1e11:  # milliseconds since the epoch
            ts /= 1000.0
    else:
        raise StoreInputError(f"{field} must be a time (got {type(value).__name__})")
    if not math.isfinite(ts) or ts < 0 or ts > 32503680000:
        raise StoreInputError(f"{field} is out of range ({value!r})")
    return ts


_FIELDS = frozenset(OUTCOME_FIELDS)
_STEPS = frozenset(STEP_TYPES)
_CAPS = frozenset(CAPABILITIES)


def _text(value: Any, field: str, required: bool = False) -> str | None:
    """clean_text with a fast path for ordinary ASCII strings (bulk import speed)."""
    if value.__class__ is str and value.isascii() and "\x00" not in value:
        text = value.strip()
        if text and len(text) <= MAX_LEN[field]:
            return text
    return clean_text(value, field, required=required)


def _num(value: Any, field: str, integer: bool, maximum: float, unit: str) -> float | int | None:
    """check_number with a fast path for plain in-range values."""
    if value is None:
        return None
    cls = value.__class__
    if cls is float and not integer and 0.0 <= value <= maximum:  # NaN fails the comparison
        return value
    if cls is int and 0 <= value <= maximum:
        return value if integer else float(value)
    return check_number(value, field, integer=integer, maximum=maximum, unit=unit)


def outcome_row(**kw: Any) -> dict[str, Any]:
    """Validate one outcome (keyword names as in OUTCOME_FIELDS) and return the `outcomes` row to insert."""
    if not _FIELDS.issuperset(kw):
        raise StoreInputError(f"unknown outcome field(s): {', '.join(sorted(set(kw) - _FIELDS))}")
    return outcome_row_from(kw)


def outcome_row_from(kw: Mapping[str, Any], *, default_host: str | None = None, default_source: str = "mcp",
                     host_map: Callable[[str], str] | None = None) -> dict[str, Any]:
    """outcome_row for a mapping; keys outside OUTCOME_FIELDS are ignored (the importer's lenient mode)."""
    get = kw.get
    success = get("success")
    if success is not True and success is not False:
        if isinstance(success, int) and not isinstance(success, bool) and success in (0, 1):
            success = bool(success)
        else:
            raise StoreInputError(f"success must be true or false (got {success!r})")
    task_type = get("task_type")
    if task_type is not None:
        task_type = _text(task_type, "task_type")
        if task_type is not None and task_type not in _STEPS:
            raise StoreInputError(f"task_type {task_type!r} is not one of: {', '.join(STEP_TYPES)}")
    capability = get("capability")
    if capability is not None:
        capability = _text(capability, "capability")
        if capability is not None and capability not in _CAPS:
            raise StoreInputError(f"capability {capability!r} is not one of: {', '.join(CAPABILITIES)}")
    duration = _num(get("duration_ms"), "duration_ms", False, MAX_DURATION_MS, "milliseconds")
    error = get("error")
    if error is not None:
        error = clean_text(error if isinstance(error, str) else str(error), "error", max_len=10**9)
        error = error[:ERROR_MAX_CHARS] if error else None
    ts = get("recorded_at")
    if ts.__class__ is not float or not 0.0 <= ts <= 1e11:
        ts = to_epoch(ts)
    optional = {}
    for name in ("client_name", "client_version", "plan_id", "step_id"):
        v = get(name)
        optional[name] = None if v is None else _text(v, name)
    source = get("source")
    host = get("host")
    host = _text(default_host if host is None else host, "host", required=True)
    return {
        "recorded_at": ts,
        "day": int(ts // 86400),
        "host": host if host_map is None else host_map(host),  # type: ignore[arg-type]
        **optional,
        "model": _text(get("model"), "model", required=True),
        "success": success,
        "task_type": task_type,
        "capability": capability,
        "duration_ms": duration,
        "dur_bucket": None if duration is None else math.floor(math.log1p(duration) * BUCKETS_PER_E),
        "input_tokens": _num(get("input_tokens"), "input_tokens", True, MAX_TOKENS, "tokens"),
        "output_tokens": _num(get("output_tokens"), "output_tokens", True, MAX_TOKENS, "tokens"),
        "cost_usd": _num(get("cost_usd"), "cost_usd", False, MAX_COST_USD, "USD"),
        "error": error,
        "source": (None if source is None else _text(source, "source")) or default_source,
    }
