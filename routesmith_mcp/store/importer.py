"""Reading outcome files for `import`: our JSONL and the original RouteSmith's `.routesmith/performance.json`.

performance.json, as written by the original (sidrat2612/routesmith, src/routesmith/performance.py):
  v1: {"version": 1, "records": [{"model", "task_type", "capability_class", "success", "duration_ms",
       "timestamp" (epoch seconds)}]}  (a missing version also means v1)
  v2: {"schema_version": 2, "updated": ..., "store": {...}, "records": [... v1 fields + "host_name"
       (e.g. "claude_code", "unknown"), "source" ("runtime" | "synthetic")]}
JSONL: one object per line with record_outcome's field names; `host_name`, `capability_class`, `timestamp`/`ts`
are accepted as aliases, `recorded_at` may be ISO-8601 or epoch seconds, and unknown fields are ignored.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from routesmith_mcp.store.errors import StoreInputError
from routesmith_mcp.store.validate import OUTCOME_FIELDS

_ALIASES = {"host_name": "host", "capability_class": "capability", "timestamp": "recorded_at", "ts": "recorded_at",
            "latency_ms": "duration_ms", "ok": "success"}
_HOSTS = {"unknown": "generic", "copilot": "copilot-cli", "gemini": "gemini-cli", "claude": "claude-code",
          "vs-code": "vscode", "qwen": "qwen-code"}


def canonical_host(name: Any) -> Any:
    """Map the original's host names (claude_code, gemini_cli, unknown) onto canonical ids."""
    if not isinstance(name, str):
        return name
    h = name.strip().lower().replace("_", "-")
    return _HOSTS.get(h, h) or "generic"


def to_outcome_kwargs(obj: Any, *, default_source: str) -> dict[str, Any]:
    """One JSON object -> keyword arguments for validate.outcome_row (raises StoreInputError)."""
    if not isinstance(obj, dict):
        raise StoreInputError(f"expected a JSON object, got {type(obj).__name__}")
    kw: dict[str, Any] = {}
    for key, value in obj.items():
        name = _ALIASES.get(key, key)
        if name in OUTCOME_FIELDS and name not in kw:
            kw[name] = value
    kw["host"] = canonical_host(kw.get("host")) if kw.get("host") is not None else "generic"
    kw.setdefault("source", default_source)
    return kw


def detect_format(path: Path) -> tuple[str, Any]:
    """('routesmith-performance-v1'|'-v2', parsed document) or ('jsonl', None)."""
    with path.open("rb") as fh:
        first = fh.readline()
    try:
        head = json.loads(first) if first.strip() else None
    except ValueError:
        head = "partial"
    if head == "partial" or (isinstance(head, dict) and "records" in head):
        try:
            doc = json.loads(path.read_bytes())
        except ValueError:
            return "jsonl", None
        if isinstance(doc, dict) and isinstance(doc.get("records"), list):
            version = int(doc.get("schema_version") or doc.get("version") or 1)
            return f"routesmith-performance-v{min(max(version, 1), 2)}", doc
    return "jsonl", None


def iter_records(path: Path, fmt: str, doc: Any) -> Iterator[tuple[int, Any]]:
    """(line number or record index, decoded object or an Exception) for every record in the file."""
    if fmt.startswith("routesmith-performance"):
        for i, rec in enumerate(doc["records"], start=1):
            if isinstance(rec, dict):
                rec = dict(rec)
                src = rec.get("source", "runtime")
                rec["source"] = f"routesmith:{src}" if isinstance(src, str) else "routesmith:runtime"
            yield i, rec
        return
    with path.open("rb") as fh:
        for lineno, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                yield lineno, json.loads(raw)
            except ValueError as exc:
                yield lineno, StoreInputError(f"not valid JSON ({exc})")
