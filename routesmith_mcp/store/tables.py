"""SQLModel tables: the current schema. Migrations (not `create_all`) build it, so old databases upgrade in place.

Times are stored as UTC epoch seconds (`recorded_at`, `created_at`) plus an integer `day` (days since the epoch):
the same comparisons and GROUP BYs then work unchanged on SQLite and PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Text, text
from sqlmodel import Field, SQLModel

EVIDENCE_INDEX_COLUMNS = ("host", "capability", "model", "recorded_at", "success", "task_type", "day")


class MigrationRow(SQLModel, table=True):
    """One applied migration (simonw/llm style: recorded by function name)."""

    __tablename__ = "_migrations"

    name: str = Field(primary_key=True, max_length=200)
    applied_at: float


class PlanRow(SQLModel, table=True):
    """A stored plan, so resolve_models / record_outcome can refer to it by id."""

    __tablename__ = "plans"

    plan_id: str = Field(primary_key=True, max_length=64)
    created_at: float = Field(index=True)
    host: str = Field(max_length=100)
    preference: str = Field(max_length=20)
    prompt_sha256: str = Field(max_length=64)
    prompt_chars: int
    prompt_text: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    plan_json: str = Field(sa_column=Column(Text, nullable=False))


class OutcomeRow(SQLModel, table=True):
    """One recorded outcome of a step run on a model."""

    __tablename__ = "outcomes"
    __table_args__ = (
        Index("ix_outcomes_recorded_at", "recorded_at"),
        Index("ix_outcomes_plan_id", "plan_id", sqlite_where=text("plan_id IS NOT NULL"),
              postgresql_where=text("plan_id IS NOT NULL")),
        Index("ix_outcomes_evidence", *EVIDENCE_INDEX_COLUMNS),
    )

    id: int | None = Field(default=None, primary_key=True)
    recorded_at: float
    day: int
    host: str = Field(max_length=100)
    client_name: str | None = Field(default=None, max_length=200)
    client_version: str | None = Field(default=None, max_length=100)
    model: str = Field(max_length=200)
    success: bool
    plan_id: str | None = Field(default=None, max_length=64)
    step_id: str | None = Field(default=None, max_length=64)
    task_type: str | None = Field(default=None, max_length=40)
    capability: str | None = Field(default=None, max_length=40)
    duration_ms: float | None = None
    dur_bucket: int | None = None
    input_tokens: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    output_tokens: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))
    cost_usd: float | None = None
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    source: str = Field(default="mcp", max_length=60)


class OutcomeHistRow(SQLModel, table=True):
    """Rollup of outcomes per (model, capability, task_type, host, duration bucket); see store.rollup."""

    __tablename__ = "outcome_hist"

    model: str = Field(primary_key=True)
    capability: str = Field(primary_key=True, description="'' when the outcome had none.")
    dur_bucket: int = Field(primary_key=True, description="-1 when the outcome had no duration.")
    task_type: str = Field(primary_key=True, description="'' when the outcome had none.")
    host: str = Field(primary_key=True)
    n: int = Field(sa_column=Column(BigInteger, nullable=False))
    successes: int = Field(sa_column=Column(BigInteger, nullable=False))
    dur_min: float | None = None
    dur_max: float | None = None
    input_tokens: int = Field(sa_column=Column(BigInteger, nullable=False))
    output_tokens: int = Field(sa_column=Column(BigInteger, nullable=False))
    cost_usd: float
    cost_n: int = Field(sa_column=Column(BigInteger, nullable=False))


class DecisionRow(SQLModel, table=True):
    """A model routesmith chose without a tool call (the Claude Code hook rewriting a subagent's model)."""

    __tablename__ = "decisions"
    __table_args__ = (
        Index("ix_decisions_decided_at", "decided_at"),
        Index("ix_decisions_group", "host", "model", "capability", "source"),
    )

    id: int | None = Field(default=None, primary_key=True)
    decided_at: float
    day: int
    host: str = Field(max_length=100)
    model: str = Field(max_length=200)
    capability: str = Field(max_length=40)
    task_type: str | None = Field(default=None, max_length=40)
    source: str = Field(max_length=60)
    prompt_sha256: str = Field(max_length=64)
    prompt_chars: int


MIGRATIONS_TABLE = MigrationRow.__table__
PLANS = PlanRow.__table__
OUTCOMES = OutcomeRow.__table__
DECISIONS = DecisionRow.__table__
HIST = OutcomeHistRow.__table__
