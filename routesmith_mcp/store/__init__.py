"""Telemetry store: SQLModel tables, engine setup, migrations, queries (SQLite by default, PostgreSQL for teams).

Modules: `tables` (current schema), `db` (engines, SQLite pragmas, redaction, corrupt-file handling), `migrations`
(ordered, recorded in `_migrations`, run on open), `validate` (one outcome -> one row), `rollup` (the
`outcome_hist` aggregate behind get_stats), `histogram` (duration buckets and percentiles), `stats`, `savings`,
`evidence` (the learner's query), `importer` (JSONL and RouteSmith performance.json), `spool` (outcomes the
database refused), `results` (pydantic result types), `telemetry` (TelemetryStore, the one entry point).
"""

from __future__ import annotations

from routesmith_mcp.store.errors import StoreError, StoreInputError
from routesmith_mcp.store.paths import default_db_path
from routesmith_mcp.store.results import (
    DecisionCount,
    ImportLineError,
    ImportReport,
    SavingsReport,
    SavingsRow,
    StoreHealth,
    StrongestModel,
)
from routesmith_mcp.store.telemetry import TelemetryStore

__all__ = [
    "DecisionCount", "ImportLineError", "ImportReport", "SavingsReport", "SavingsRow", "StoreError", "StoreHealth",
    "StoreInputError", "StrongestModel", "TelemetryStore", "default_db_path",
]
