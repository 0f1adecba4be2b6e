"""Ordered schema migrations, recorded by name in `_migrations` and run on every open (simonw/llm style).

Each function receives a Connection inside its own write transaction and must only ever be appended to
MIGRATIONS, never edited once released: databases written by older versions replay only what they lack.
The DDL is written out per migration (not derived from the current tables) so history stays exact.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from sqlalchemy import Connection, Engine, bindparam, text

from routesmith_mcp.store.histogram import bucket_of
from routesmith_mcp.store.rollup import rebuild_sql

log = logging.getLogger(__name__)

Migration = Callable[[Connection], None]
MIGRATIONS: list[Migration] = []
_PG_LOCK_KEY = 72_310_455_001  # pg_advisory_xact_lock key: one migrator at a time per database


def migration(fn: Migration) -> Migration:
    """Register a migration (order of definition = order of application)."""
    MIGRATIONS.append(fn)
    return fn


def _types(conn: Connection) -> dict[str, str]:
    if conn.dialect.name == "postgresql":
        return {"pk": "BIGSERIAL PRIMARY KEY", "float": "DOUBLE PRECISION", "bigint": "BIGINT"}
    return {"pk": "INTEGER PRIMARY KEY", "float": "REAL", "bigint": "BIGINT"}


@migration
def m001_initial(conn: Connection) -> None:
    """Plans and outcomes as the first release wrote them."""
    t = _types(conn)
    conn.execute(text(f"""
        CREATE TABLE plans (
            plan_id TEXT PRIMARY KEY,
            created_at {t['float']} NOT NULL,
            host TEXT NOT NULL,
            preference TEXT NOT NULL,
            prompt_sha256 TEXT NOT NULL,
            prompt_chars INTEGER NOT NULL,
            prompt_text TEXT,
            plan_json TEXT NOT NULL
        )"""))
    conn.execute(text("CREATE INDEX ix_plans_created_at ON plans (created_at)"))
    conn.execute(text(f"""
        CREATE TABLE outcomes (
            id {t['pk']},
            recorded_at {t['float']} NOT NULL,
            day INTEGER NOT NULL,
            host TEXT NOT NULL,
            client_name TEXT,
            client_version TEXT,
            model TEXT NOT NULL,
            success BOOLEAN NOT NULL,
            plan_id TEXT,
            step_id TEXT,
            task_type TEXT,
            capability TEXT,
            duration_ms {t['float']},
            cost_usd {t['float']},
            error TEXT,
            source TEXT NOT NULL
        )"""))
    conn.execute(text("CREATE INDEX ix_outcomes_recorded_at ON outcomes (recorded_at)"))
    conn.execute(text("CREATE INDEX ix_outcomes_plan_id ON outcomes (plan_id)"))


@migration
def m002_tokens_and_stats_rollup(conn: Connection) -> None:
    """Token columns, a duration histogram bucket (backfilled), the evidence index and the stats rollup."""
    t = _types(conn)
    conn.execute(text(f"ALTER TABLE outcomes ADD COLUMN input_tokens {t['bigint']}"))
    conn.execute(text(f"ALTER TABLE outcomes ADD COLUMN output_tokens {t['bigint']}"))
    conn.execute(text("ALTER TABLE outcomes ADD COLUMN dur_bucket INTEGER"))
    last = -1
    update = text("UPDATE outcomes SET dur_bucket = :b WHERE id = :i").bindparams(bindparam("b"), bindparam("i"))
    while True:
        rows = conn.execute(
            text("SELECT id, duration_ms FROM outcomes WHERE id > :last AND duration_ms IS NOT NULL "
                 "ORDER BY id LIMIT 20000"), {"last": last}).all()
        if not rows:
            break
        conn.execute(update, [{"b": bucket_of(d), "i": i} for i, d in rows])
        last = rows[-1][0]
    # Most outcomes (all imported ones) have no plan: index only those that do.
    conn.execute(text("DROP INDEX ix_outcomes_plan_id"))
    conn.execute(text("CREATE INDEX ix_outcomes_plan_id ON outcomes (plan_id) WHERE plan_id IS NOT NULL"))
    # The learner's evidence query reads only this index (per host + capability, newest first per model).
    conn.execute(text("CREATE INDEX ix_outcomes_evidence ON outcomes (host, capability, model, recorded_at, success, "
                      "task_type, day)"))
    # Clustered (WITHOUT ROWID) in the order of the default grouping, so get_stats streams through it unsorted.
    conn.execute(text(f"""
        CREATE TABLE outcome_hist (
            model TEXT NOT NULL,
            capability TEXT NOT NULL,
            task_type TEXT NOT NULL,
            host TEXT NOT NULL,
            dur_bucket INTEGER NOT NULL,
            n {t['bigint']} NOT NULL,
            successes {t['bigint']} NOT NULL,
            dur_min {t['float']},
            dur_max {t['float']},
            input_tokens {t['bigint']} NOT NULL,
            output_tokens {t['bigint']} NOT NULL,
            cost_usd {t['float']} NOT NULL,
            cost_n {t['bigint']} NOT NULL,
            PRIMARY KEY (model, capability, dur_bucket, task_type, host)
        ){' WITHOUT ROWID' if conn.dialect.name == 'sqlite' else ''}"""))
    conn.execute(text(rebuild_sql()))


@migration
def m003_routing_decisions(conn: Connection) -> None:
    """Routing decisions made without a tool call (the Claude Code hook), so stats can show which model ran."""
    t = _types(conn)
    conn.execute(text(f"""
        CREATE TABLE decisions (
            id {t['pk']},
            decided_at {t['float']} NOT NULL,
            day INTEGER NOT NULL,
            host TEXT NOT NULL,
            model TEXT NOT NULL,
            capability TEXT NOT NULL,
            task_type TEXT,
            source TEXT NOT NULL,
            prompt_sha256 TEXT NOT NULL,
            prompt_chars INTEGER NOT NULL
        )"""))
    conn.execute(text("CREATE INDEX ix_decisions_decided_at ON decisions (decided_at)"))
    conn.execute(text("CREATE INDEX ix_decisions_group ON decisions (host, model, capability, source)"))


def latest_version() -> int:
    """The schema version this code writes (number of known migrations)."""
    return len(MIGRATIONS)


def applied_migrations(conn: Connection) -> list[str]:
    """Names recorded in `_migrations` (empty when the table does not exist yet)."""
    from sqlalchemy import inspect

    if not inspect(conn).has_table("_migrations"):
        return []
    return [r[0] for r in conn.execute(text("SELECT name FROM _migrations ORDER BY applied_at, name"))]


def schema_version(names: list[str]) -> int:
    """How many of the known migrations, in order, are applied."""
    known = [fn.__name__ for fn in MIGRATIONS]
    v = 0
    for name in known:
        if name not in names:
            break
        v += 1
    return v


def _lock(conn: Connection) -> None:
    # SQLite: the write transaction (BEGIN IMMEDIATE) already serialises migrators.
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})


def migrate(engine: Engine) -> list[str]:
    """Apply every migration not yet recorded, each in its own locked transaction; return the names applied."""
    done: list[str] = []
    with engine.connect() as conn, conn.begin():  # the common case needs no write lock: all applied already
        if set(applied_migrations(conn)) >= {fn.__name__ for fn in MIGRATIONS}:
            return done
    with engine.connect() as conn:
        conn.execution_options(write=True)
        with conn.begin():
            _lock(conn)
            conn.execute(text(f"CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, "
                              f"applied_at {_types(conn)['float']} NOT NULL)"))
        for fn in MIGRATIONS:
            with conn.begin():
                _lock(conn)
                exists = conn.execute(text("SELECT 1 FROM _migrations WHERE name = :n"), {"n": fn.__name__}).first()
                if exists:
                    continue
                log.info("applying migration %s", fn.__name__)
                fn(conn)
                conn.execute(text("INSERT INTO _migrations (name, applied_at) VALUES (:n, :t)"),
                             {"n": fn.__name__, "t": time.time()})
                done.append(fn.__name__)
    return done
