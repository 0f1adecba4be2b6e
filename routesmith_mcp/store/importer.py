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
from functools import lru_cache
from pathlib import Path
from typing import Any

from routesmith_mcp.store.errors import StoreInputError
from routesmith_mcp.store.validate import outcome_row_from

_ALIASES = {"host_name": "host", "capability_class": "capability", "timestamp": "recorded_at", "ts": "recorded_at",
            "latency_ms": "duration_ms", "ok": "success"}
_ALIAS_KEYS = frozenset(_ALIASES)
_HOSTS = {"unknown": "generic", "copilot": "copilot-cli", "gemini": "gemini-cli", "claude": "claude-code",
          "vs-code": "vscode", "qwen": "qwen-code"}


@lru_cache(maxsize=256)
def _canonical(name: str) -> str:
    h = name.strip().lower().replace("_", "-")
    return _HOSTS.get(h, h) or "generic"


def canonical_host(name: Any) -> Any:
    """Map the original's host names (claude_code, gemini_cli, unknown) onto canonical ids."""
    return _canonical(name) if isinstance(name, str) else name


def to_outcome_row(obj: Any, *, default_source: str) -> dict[str, Any]:
    """One JSON object -> a validated `outcomes` row (raises StoreInputError); unknown keys are ignored."""
    if not isinstance(obj, dict):
        raise StoreInputError(f"expected a JSON object, got {type(obj).__name__}")
    if not _ALIAS_KEYS.isdisjoint(obj):
        obj = dict(obj)
        for key, name in _ALIASES.items():
            if key in obj and name not in obj:
                obj[name] = obj[key]
    return outcome_row_from(obj, default_host="generic", default_source=default_source, host_map=_canonical)


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
    decode = json.JSONDecoder().decode  # per line: joining lines into one array would let lines merge
    with path.open("r", encoding="utf-8", errors="replace", newline="\n") as fh:
        for lineno, raw in enumerate(fh, start=1):
            if not raw or raw.isspace():
                continue
            try:
                yield lineno, decode(raw)
            except ValueError as exc:
                yield lineno, StoreInputError(f"not valid JSON ({exc})")
