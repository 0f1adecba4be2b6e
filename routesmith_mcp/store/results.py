"""Pydantic result types the store returns beyond the shared contract models (health, import, savings, evidence)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class StoreHealth(BaseModel):
    """What `doctor` shows about the telemetry store."""

    url: str = Field(description="Database URL with any password redacted.")
    backend: str = Field(description="'sqlite' or 'postgresql'.")
    path: str | None = Field(default=None, description="SQLite file path, when the backend is a file.")
    schema_version: int
    latest_schema_version: int
    outcomes: int | None = None
    plans: int | None = None
    file_size_bytes: int | None = Field(default=None, description="SQLite file + WAL size.")
    writable: bool
    degraded: bool = Field(description="True when outcomes currently go to the spool and plans to memory.")
    spool_path: str | None = None
    spool_pending: int = 0
    moved_aside: list[str] = Field(default_factory=list, description="Corrupt files moved aside at open.")
    problems: list[str] = Field(default_factory=list)
    fixes: list[str] = Field(default_factory=list)


class ImportLineError(BaseModel):
    """One record that was not imported."""

    line: int = Field(description="1-based line (JSONL) or record index (performance.json).")
    message: str


class ImportReport(BaseModel):
    """What `import_file` did."""

    path: str
    format: str = Field(description="'jsonl', 'routesmith-performance-v1' or 'routesmith-performance-v2'.")
    imported: int
    rejected: int
    errors: list[ImportLineError] = Field(default_factory=list, description="The first 100 rejected records.")
    seconds: float


class StrongestModel(BaseModel):
    """A host's strongest model and its list prices, the baseline of the savings view."""

    model: str
    input_usd_per_mtok: float = Field(ge=0)
    output_usd_per_mtok: float = Field(ge=0)


class SavingsRow(BaseModel):
    """What ran on one (host, model) versus running the same steps on the host's strongest model."""

    host: str
    model: str
    n: int = Field(description="Outcomes in this group.")
    compared: int = Field(description="Outcomes with tokens and a known actual cost, so the baseline can be priced.")
    actual_cost_usd: float = Field(description="Cost of the compared outcomes as they ran.")
    strongest_model: str | None = None
    strongest_cost_usd: float | None = Field(default=None, description="Same tokens at the strongest model's prices.")
    saved_usd: float | None = None


class SavingsReport(BaseModel):
    """The savings view: cost of what ran versus always using each host's strongest model."""

    rows: list[SavingsRow]
    actual_cost_usd: float
    strongest_cost_usd: float
    saved_usd: float
    saved_pct: float | None = Field(default=None, description="saved / strongest, when the baseline is > 0.")
    not_compared: int = Field(description="Outcomes left out: no token counts, no cost, or no baseline price.")
    notes: list[str] = Field(default_factory=list)


class DecisionCount(BaseModel):
    """How often routesmith chose one model for one capability on one host, without a tool call."""

    host: str
    model: str
    capability: str
    source: str
    n: int
    last_at: datetime
