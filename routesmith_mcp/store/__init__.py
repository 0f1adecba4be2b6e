"""Telemetry store: SQLModel tables, engine setup, migrations, queries (SQLite by default, PostgreSQL for teams)."""

from __future__ import annotations

from routesmith_mcp.store.errors import StoreError, StoreInputError
from routesmith_mcp.store.paths import default_db_path
from routesmith_mcp.store.results import (
    ImportLineError,
    ImportReport,
    SavingsReport,
    SavingsRow,
    StoreHealth,
    StrongestModel,
)
from routesmith_mcp.store.telemetry import TelemetryStore

__all__ = [
    "ImportLineError", "ImportReport", "SavingsReport", "SavingsRow", "StoreError",
    "StoreHealth", "StoreInputError", "StrongestModel", "TelemetryStore", "default_db_path",
]
