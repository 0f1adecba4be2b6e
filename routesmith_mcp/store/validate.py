"""Checks and normalises one outcome into a table row; shared by record_outcome, the spool and the importer."""

from __future__ import annotations

import math
import time
from datetime import datetime, timezone
from typing import Any

from routesmith_mcp.engine.types import CAPABILITIES, STEP_TYPES
from routesmith_mcp.store.errors import StoreInputError
from routesmith_mcp.store.histogram import bucket_of

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
        ts = (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).timestamp()
    elif isinstance(value, str):
        try:
            dt = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise StoreInputError(f"{field} must be an ISO-8601 time or epoch seconds (got {value[:40]!r})") from None
        ts = (dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)).timestamp()
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        ts = float(value)
        if ts > 1e11:  # milliseconds since the epoch
            ts /= 1000.0
    else:
        raise StoreInputError(f"{field} must be a time (got {type(value).__name__})")
    if not math.isfinite(ts) or ts < 0 or ts > 32503680000:
        raise StoreInputError(f"{field} is out of range ({value!r})")
    return ts


def outcome_row(**kw: Any) -> dict[str, Any]:
    """Validate one outcome (keyword names as in OUTCOME_FIELDS) and return the `outcomes` row to insert."""
    unknown = set(kw) - set(OUTCOME_FIELDS)
    if unknown:
        raise StoreInputError(f"unknown outcome field(s): {', '.join(sorted(unknown))}")
    success = kw.get("success")
    if isinstance(success, int) and not isinstance(success, bool) and success in (0, 1):
        success = bool(success)
    if not isinstance(success, bool):
        raise StoreInputError(f"success must be true or false (got {success!r})")
    task_type = clean_text(kw.get("task_type"), "task_type")
    if task_type is not None and task_type not in STEP_TYPES:
        raise StoreInputError(f"task_type {task_type!r} is not one of: {', '.join(STEP_TYPES)}")
    capability = clean_text(kw.get("capability"), "capability")
    if capability is not None and capability not in CAPABILITIES:
        raise StoreInputError(f"capability {capability!r} is not one of: {', '.join(CAPABILITIES)}")
    duration = check_number(kw.get("duration_ms"), "duration_ms", integer=False, maximum=MAX_DURATION_MS,
                            unit="milliseconds")
    error = kw.get("error")
    if error is not None:
        error = clean_text(error if isinstance(error, str) else str(error), "error", max_len=10**9)
        error = error[:ERROR_MAX_CHARS] if error else None
    ts = to_epoch(kw.get("recorded_at"))
    return {
        "recorded_at": ts,
        "day": int(ts // 86400),
        "host": clean_text(kw.get("host"), "host", required=True),
        "client_name": clean_text(kw.get("client_name"), "client_name"),
        "client_version": clean_text(kw.get("client_version"), "client_version"),
        "model": clean_text(kw.get("model"), "model", required=True),
        "success": success,
        "plan_id": clean_text(kw.get("plan_id"), "plan_id"),
        "step_id": clean_text(kw.get("step_id"), "step_id"),
        "task_type": task_type,
        "capability": capability,
        "duration_ms": duration,
        "dur_bucket": bucket_of(duration),  # type: ignore[arg-type]
        "input_tokens": check_number(kw.get("input_tokens"), "input_tokens", integer=True, maximum=MAX_TOKENS,
                                     unit="tokens"),
        "output_tokens": check_number(kw.get("output_tokens"), "output_tokens", integer=True, maximum=MAX_TOKENS,
                                      unit="tokens"),
        "cost_usd": check_number(kw.get("cost_usd"), "cost_usd", integer=False, maximum=MAX_COST_USD, unit="USD"),
        "error": error,
        "source": clean_text(kw.get("source"), "source") or "mcp",
    }
