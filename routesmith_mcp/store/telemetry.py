"""TelemetryStore: the one object the server and CLI use to keep plans and outcomes and to read them back.

Failure policy (issue 6): an outcome is never silently dropped. When the database cannot take it (locked past
the busy timeout, read-only, disk full, corrupt, server down) it goes to the spool next to the database and
`OutcomeRecorded.spooled` is True; the spool is flushed on the next successful open or write. A corrupt SQLite
file is moved aside (`<name>.corrupt-<UTC>`) and a fresh one created. When no database can be opened at all
(e.g. a read-only directory) the store is "degraded": plans are kept in memory for this process, outcomes go to
the spool if it is writable (else StoreError says what to fix), stats read the file read-only if it exists, and
the database is retried at most every `retry_s` seconds.
"""

from __future__ import annotations

import hashlib
import logging
import operator
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self

from sqlalchemy import Connection, Engine, and_, delete, func, insert, or_, select
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError

from routesmith_mcp.engine.learn import ModelEvidence
from routesmith_mcp.models import OutcomeRecorded, PlanResult, Stats
from routesmith_mcp.store import db as dbmod
from routesmith_mcp.store import rollup
from routesmith_mcp.store.errors import StoreError, StoreInputError
from routesmith_mcp.store.evidence import load_evidence
from routesmith_mcp.store.importer import detect_format, iter_records, to_outcome_row
from routesmith_mcp.store.migrations import MIGRATIONS, applied_migrations, latest_version, migrate, schema_version
from routesmith_mcp.store.paths import default_db_path, ensure_private_dir, ensure_private_file, spool_path_for
from routesmith_mcp.store.results import DecisionCount, ImportLineError, ImportReport, SavingsReport, StoreHealth
from routesmith_mcp.store.savings import Strongest, query_savings
from routesmith_mcp.store.spool import Spool
from routesmith_mcp.store.stats import filters, query_stats
from routesmith_mcp.store.tables import DECISIONS, OUTCOMES, PLANS
from routesmith_mcp.store.validate import clean_text, outcome_row

log = logging.getLogger(__name__)

_CORRUPT_MARKERS = ("file is not a database", "malformed", "corrupt", "not a database")
_ROW_KEYS = tuple(c.name for c in OUTCOMES.columns if c.name != "id")
_PLAN_CACHE = 256
BULK_IMPORT_BYTES = 16 * 1024 * 1024  # SQLite files this large are imported with the indexes rebuilt afterwards
_HIST_FIELDS = ("model", "capability", "task_type", "host", "dur_bucket", "success", "duration_ms", "input_tokens",
                "output_tokens", "cost_usd")
_row_tuple = operator.itemgetter(*_ROW_KEYS)
_SQLITE_INSERT = (f"INSERT INTO outcomes ({', '.join(_ROW_KEYS)}) VALUES ({', '.join('?' * len(_ROW_KEYS))})")


def _private_copy(plan: PlanResult, keep_text: bool) -> PlanResult:
    """The plan as stored: step texts blanked unless the user opted in to storing prompt text."""
    if keep_text:
        return plan
    return plan.model_copy(update={"steps": [s.model_copy(update={"text": ""}) for s in plan.steps]})


def _bulk_insert(conn: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert validated outcome rows and add them to the stats rollup, in the caller's transaction."""
    if conn.dialect.name == "sqlite":  # straight to executemany: SQLAlchemy's per-row parameter work is the cost
        conn.exec_driver_sql(_SQLITE_INSERT, [_row_tuple(r) for r in rows])
    else:
        conn.execute(insert(OUTCOMES), rows)
    rollup.add(conn, rollup.aggregate(rows))


_OPEN_ATTEMPTS = 5


def _is_contention(exc: BaseException) -> bool:
    message = str(getattr(exc, "orig", exc)).lower()
    return "locked" in message or "busy" in message


def _is_corrupt(exc: BaseException) -> bool:
    text = str(getattr(exc, "orig", exc)).lower()
    return any(m in text for m in _CORRUPT_MARKERS)


def _fix_for(exc: BaseException, where: str) -> str:
    text = str(getattr(exc, "orig", exc)).lower()
    if "locked" in text or "busy" in text:
        return "another process holds the database lock; outcomes are spooled and written once it is released"
    if isinstance(exc, OSError) or any(m in text for m in ("readonly", "read-only", "unable to open", "permission",
                                                           "not a directory", "denied")):
        return f"make {where} writable by this user, or set ROUTESMITH_HOME / ROUTESMITH_DB_URL to a writable place"
    if "full" in text:
        return "free disk space (or raise the database size limit); spooled outcomes are written afterwards"
    if _is_corrupt(exc):
        return "the database file is damaged; restart routesmith-mcp to move it aside and start a fresh one"
    return f"check that the database at {where} is reachable and writable"


class TelemetryStore:
    """Plans and outcomes in SQLite (default) or PostgreSQL, with a spool for outcomes the database refuses."""

    def __init__(self, url: str, *, busy_timeout_s: float = 5.0, sqlite_pragmas: dict[str, int] | None = None,
                 spool_path: Path | None = None, retry_s: float = 5.0) -> None:
        """Use `TelemetryStore.open`; this only sets fields."""
        self._url = url
        self.backend = dbmod.backend_of(url)
        self.path: Path | None = dbmod.sqlite_file_of(url)
        self._busy = busy_timeout_s
        self._pragmas = dict(sqlite_pragmas or {})
        self._retry_s = retry_s
        if spool_path is None:
            spool_path = spool_path_for(self.path) if self.path else spool_path_for(default_db_path())
        self.spool = Spool(spool_path)
        self._engine: Engine | None = None
        self._ro_engine: Engine | None = None
        self._ready = False
        self._last_try = 0.0
        self._lock = threading.RLock()
        self._mem_plans: OrderedDict[str, PlanResult] = OrderedDict()
        self._plan_cache: OrderedDict[str, PlanResult] = OrderedDict()
        self._version = 0
        self.moved_aside: list[str] = []
        self._problems: dict[str, str] = {}
        self._closed = False

    # ---- opening -------------------------------------------------------------------------------------------
    @classmethod
    def open(cls, url: str | None = None, *, home: Path | None = None, busy_timeout_s: float = 5.0,
             sqlite_pragmas: dict[str, int] | None = None, retry_s: float = 5.0) -> TelemetryStore:
        """Open (creating and migrating as needed) the store at `url`, or the SQLite file under `home`."""
        spool_path = None
        if url is None:
            path = default_db_path(home)
            url = f"sqlite:///{path}"
        elif dbmod.sqlite_file_of(url) is None and home is not None:
            spool_path = spool_path_for(default_db_path(home))
        store = cls(url, busy_timeout_s=busy_timeout_s, sqlite_pragmas=sqlite_pragmas, spool_path=spool_path,
                    retry_s=retry_s)
        store._connect()
        return store

    @property
    def url(self) -> str:
        """The database URL with the password redacted."""
        return dbmod.redact_url(self._url)

    def __repr__(self) -> str:
        return f"TelemetryStore({self.url!r}, ready={self._ready})"

    __str__ = __repr__

    @property
    def engine(self) -> Engine:
        """The live SQLAlchemy engine (StoreError while the database is unavailable)."""
        if not self._maybe_reconnect() or self._engine is None:
            raise StoreError(f"the telemetry database is unavailable: {self._problems.get('open', 'closed')}")
        return self._engine

    @property
    def degraded(self) -> bool:
        """True while the database is unavailable (outcomes spool, plans stay in memory)."""
        return not self._ready

    def _connect(self) -> None:
        with self._lock:
            self._last_try = time.monotonic()
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None
            try:
                if self.path is not None:
                    self._prepare_file(self.path)
                for attempt in range(_OPEN_ATTEMPTS):
                    self._engine = dbmod.make_engine(self._url, busy_timeout_s=self._busy,
                                                     sqlite_pragmas=self._pragmas)
                    try:
                        self._migrate_or_move_aside()
                        break
                    except OperationalError as exc:
                        # Several processes opening a brand-new file at once can see "locked" from the WAL switch
                        # or the first migration even with a busy timeout: wait briefly and try again.
                        if attempt + 1 == _OPEN_ATTEMPTS or not _is_contention(exc):
                            raise
                        self._engine.dispose()
                        time.sleep(0.05 * (attempt + 1))
            except (SQLAlchemyError, OSError) as exc:
                self._ready = False
                where = str(self.path.parent if self.path else self.url)
                self._problems["open"] = f"cannot open the telemetry database: {getattr(exc, 'orig', exc)}"
                self._problems["open_fix"] = _fix_for(exc, where)
                log.warning("telemetry store degraded: %s", self._problems["open"])
                return
            self._ready = True
            self._problems.pop("open", None)
            self._problems.pop("open_fix", None)
        self._flush_spool()

    def _prepare_file(self, path: Path) -> None:
        ensure_private_dir(path.parent)
        problem = dbmod.sqlite_header_problem(path) if path.exists() else None
        if problem:
            log.warning("telemetry database %s is damaged (%s)", path, problem)
            self.moved_aside.append(f"{dbmod.move_aside(path)} ({problem})")
        ensure_private_file(path)

    def _migrate_or_move_aside(self) -> None:
        assert self._engine is not None
        for attempt in (1, 2):
            try:
                migrate(self._engine)
                with self._engine.connect() as conn:
                    names = applied_migrations(conn)
                    conn.execute(select(func.max(OUTCOMES.c.id))).scalar()
                    conn.execute(select(func.count()).select_from(PLANS)).scalar()
                self._version = schema_version(names)
                unknown = sorted(set(names) - {f.__name__ for f in MIGRATIONS})
                if unknown:
                    self._problems["newer"] = (f"the database has migrations this version does not know ({unknown}); "
                                               "upgrade routesmith-mcp")
                    self._problems["newer_fix"] = "pip install -U routesmith-mcp (every process sharing this database)"
                return
            except DBAPIError as exc:
                if attempt == 1 and self.path is not None and _is_corrupt(exc):
                    self._engine.dispose()
                    self.moved_aside.append(f"{dbmod.move_aside(self.path)} ({getattr(exc, 'orig', exc)})")
                    ensure_private_file(self.path)
                    self._engine = dbmod.make_engine(self._url, busy_timeout_s=self._busy,
                                                     sqlite_pragmas=self._pragmas)
                    continue
                raise

    def _maybe_reconnect(self) -> bool:
        if self._ready:
            return True
        if self._closed:  # late calls after close() spool rather than reopen
            return False
        if time.monotonic() - self._last_try >= self._retry_s:
            self._connect()
        return self._ready

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        assert self._engine is not None
        with self._engine.connect() as conn:
            conn.execution_options(write=True)
            with conn.begin():
                yield conn

    def close(self) -> None:
        """Release connections (the spool and any memory plans are kept on disk / dropped)."""
        with self._lock:
            for eng in (self._engine, self._ro_engine):
                if eng is not None:
                    eng.dispose()
            self._engine = self._ro_engine = None
            self._ready = False
            self._closed = True

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- plans ---------------------------------------------------------------------------------------------
    def save_plan(self, plan: PlanResult, prompt: str, *, store_prompt_text: bool = False) -> None:
        """Store a plan with the prompt's sha256 and length; the raw prompt only when `store_prompt_text`.

        Step texts are slices of the prompt, so without the opt-in they are stored blank: a plan loaded by another
        process has ids, types, capabilities and dependencies but no text (this process keeps the full plan cached).
        """
        digest = hashlib.sha256(prompt.encode("utf-8", "surrogatepass")).hexdigest()
        row = {"plan_id": plan.plan_id, "created_at": time.time(), "host": plan.host.id,
               "preference": plan.preference, "prompt_sha256": digest, "prompt_chars": len(prompt),
               "prompt_text": clean_text(prompt, "prompt", max_len=10**9) if store_prompt_text else None,
               "plan_json": _private_copy(plan, store_prompt_text).model_dump_json()}
        self._cache_plan(plan)
        if self._maybe_reconnect():
            try:
                with self._write() as conn:
                    conn.execute(delete(PLANS).where(PLANS.c.plan_id == plan.plan_id))
                    conn.execute(insert(PLANS), [row])
                return
            except SQLAlchemyError as exc:
                self._note_write_failure(exc)
        with self._lock:
            self._mem_plans[plan.plan_id] = plan
            while len(self._mem_plans) > 1000:
                self._mem_plans.popitem(last=False)

    def _cache_plan(self, plan: PlanResult) -> None:
        with self._lock:
            self._plan_cache[plan.plan_id] = plan
            while len(self._plan_cache) > _PLAN_CACHE:
                self._plan_cache.popitem(last=False)

    def load_plan(self, plan_id: str) -> PlanResult | None:
        """A stored plan by id, or None if unknown."""
        if plan_id in self._plan_cache:
            return self._plan_cache[plan_id]
        if plan_id in self._mem_plans:
            return self._mem_plans[plan_id]
        engine = self._engine if self._ready else None
        if engine is None:
            return None
        try:
            with engine.connect() as conn:
                text = conn.execute(select(PLANS.c.plan_json).where(PLANS.c.plan_id == plan_id)).scalar()
        except SQLAlchemyError as exc:
            raise StoreError(f"could not read plan {plan_id!r}: {getattr(exc, 'orig', exc)}; fix: "
                             f"{_fix_for(exc, str(self.path or self.url))}") from exc
        if text is None:
            return None
        plan = PlanResult.model_validate_json(text)
        self._cache_plan(plan)
        return plan

    # ---- outcomes ------------------------------------------------------------------------------------------
    def record_outcome(self, *, model: str, success: bool, host: str, client_name: str | None = None,
                       client_version: str | None = None, plan_id: str | None = None, step_id: str | None = None,
                       task_type: str | None = None, capability: str | None = None,
                       duration_ms: float | None = None, input_tokens: int | None = None,
                       output_tokens: int | None = None, cost_usd: float | None = None, error: str | None = None,
                       source: str = "mcp", recorded_at: datetime | float | None = None) -> OutcomeRecorded:
        """Validate and store one outcome (spooled if the database refuses it); see the module docstring."""
        row = outcome_row(model=model, success=success, host=host, client_name=client_name,
                          client_version=client_version, plan_id=plan_id, step_id=step_id, task_type=task_type,
                          capability=capability, duration_ms=duration_ms, input_tokens=input_tokens,
                          output_tokens=output_tokens, cost_usd=cost_usd, error=error, source=source,
                          recorded_at=recorded_at)
        ready = self._maybe_reconnect()
        if row["plan_id"] is not None:
            self._fill_from_plan(row, must_exist=ready)
        when = datetime.fromtimestamp(row["recorded_at"], tz=UTC)
        if ready:
            try:
                with self._write() as conn:
                    new_id = conn.execute(insert(OUTCOMES), row).inserted_primary_key[0]
                    rollup.add(conn, rollup.aggregate([row]))
                self._problems.pop("write", None)
                self._problems.pop("write_fix", None)
                if self.spool.path.exists():
                    self._flush_spool()
                return OutcomeRecorded(outcome_id=int(new_id), recorded_at=when)
            except SQLAlchemyError as exc:
                self._note_write_failure(exc)
        return self._spool_row(row, when)

    def _fill_from_plan(self, row: dict[str, Any], *, must_exist: bool) -> None:
        try:
            plan = self.load_plan(row["plan_id"])
        except StoreError:
            return
        if plan is None:
            if must_exist:
                raise StoreInputError(f"unknown plan_id {row['plan_id']!r}: pass a plan_id returned by plan_route, "
                                      "or omit it")
            return
        if row["step_id"] is None:
            return
        step = next((s for s in plan.steps if s.id == row["step_id"]), None)
        if step is None:
            ids = ", ".join(s.id for s in plan.steps)
            raise StoreInputError(f"step_id {row['step_id']!r} is not in plan {plan.plan_id} (its steps: {ids})")
        row["task_type"] = row["task_type"] or step.type
        row["capability"] = row["capability"] or step.capability

    def _note_write_failure(self, exc: SQLAlchemyError) -> None:
        where = str(self.path if self.path else self.url)
        self._problems["write"] = f"last database write failed: {getattr(exc, 'orig', exc)}"
        self._problems["write_fix"] = _fix_for(exc, where)
        log.warning("telemetry write failed, spooling: %s", getattr(exc, "orig", exc))
        text = str(getattr(exc, "orig", exc)).lower()
        if isinstance(exc, DBAPIError) and (exc.connection_invalidated or _is_corrupt(exc) or "readonly" in text
                                            or "unable to open" in text):
            self._ready = False
            self._last_try = time.monotonic()

    def _spool_row(self, row: dict[str, Any], when: datetime) -> OutcomeRecorded:
        try:
            with self._lock:
                ensure_private_dir(self.spool.path.parent)
                self.spool.append(row)
        except OSError as exc:
            fix = self._problems.get("write_fix") or self._problems.get("open_fix") or "make the data dir writable"
            raise StoreError(f"the outcome could not be stored: the database is unavailable and the spool "
                             f"{self.spool.path} cannot be written ({exc.strerror or exc}); fix: {fix}") from exc
        return OutcomeRecorded(outcome_id=0, recorded_at=when, spooled=True)

    def _flush_spool(self) -> int:
        """Move spooled outcomes into the database; returns how many were written."""
        if not self._ready or self._engine is None:
            return 0
        written = 0
        with self._lock:
            try:
                claims = self.spool.claims()
            except OSError:
                return 0
            for claim in claims:
                try:
                    rows = [{k: r.get(k) for k in _ROW_KEYS} for r in self.spool.read(claim)]
                    rows = [r for r in rows if r["model"] is not None and r["host"] is not None]
                    if rows:
                        with self._write() as conn:
                            _bulk_insert(conn, rows)
                    claim.unlink()
                    written += len(rows)
                except (SQLAlchemyError, OSError) as exc:
                    log.warning("could not flush the spool yet: %s", getattr(exc, "orig", exc))
                    try:
                        self.spool.give_back(claim)
                    except OSError:
                        pass
                    break
        if written:
            log.info("flushed %d spooled outcome(s) into the database", written)
        return written

    # ---- reading -------------------------------------------------------------------------------------------
    @contextmanager
    def _read(self) -> Iterator[Connection]:
        engine = self._engine if self._maybe_reconnect() else None
        if engine is None and self.path is not None and self.path.exists():
            if self._ro_engine is None:
                self._ro_engine = dbmod.make_engine(self._url, read_only=True)
            engine = self._ro_engine
        if engine is None:
            raise StoreError(f"the telemetry database is unavailable: {self._problems.get('open', 'not open')}; "
                             f"fix: {self._problems.get('open_fix', 'check the database URL')}")
        try:
            with engine.connect() as conn:
                yield conn
        except DBAPIError as exc:
            raise StoreError(f"could not read the telemetry database: {getattr(exc, 'orig', exc)}; fix: "
                             f"{_fix_for(exc, str(self.path or self.url))}") from exc

    def stats(self, *, host: str | None = None, model: str | None = None, capability: str | None = None,
              task_type: str | None = None, since_days: float | None = None,
              group_by: Sequence[str] = ("model", "capability"), limit: int = 50) -> Stats:
        """Grouped success rates (Wilson 95 %), p50/p95 duration, tokens and cost; rows by n desc, then keys."""
        with self._read() as conn:
            return query_stats(conn, group_by=group_by, limit=limit, host=host, model=model, capability=capability,
                               task_type=task_type, since_days=since_days)

    # ---- routing decisions (the Claude Code hook) -----------------------------------------------------------
    def record_decision(self, *, host: str, model: str, capability: str, task_type: str | None, prompt: str,
                        source: str = "hook") -> None:
        """Log a model routesmith chose without a tool call; the prompt is kept only as sha256 and length."""
        now = time.time()
        row = {"decided_at": now, "day": int(now // 86400), "host": clean_text(host, "host", required=True, max_len=100),
               "model": clean_text(model, "model", required=True, max_len=200),
               "capability": clean_text(capability, "capability", required=True, max_len=40),
               "task_type": clean_text(task_type, "task_type", max_len=40),
               "source": clean_text(source, "source", required=True, max_len=60),
               "prompt_sha256": hashlib.sha256(prompt.encode("utf-8", "surrogatepass")).hexdigest(),
               "prompt_chars": len(prompt)}
        if not self._maybe_reconnect():
            raise StoreError("the telemetry database is unavailable; the decision was not logged")
        try:
            with self._write() as conn:
                conn.execute(insert(DECISIONS), row)
        except SQLAlchemyError as exc:
            self._note_write_failure(exc)
            raise StoreError(f"could not log the decision: {getattr(exc, 'orig', exc)}") from exc

    def decisions(self, *, host: str | None = None, since_days: float | None = None) -> list[DecisionCount]:
        """Counts of logged decisions per host, model, capability and source, most frequent first."""
        where = []
        if host is not None:
            where.append(DECISIONS.c.host == host)
        if since_days is not None:
            where.append(DECISIONS.c.decided_at >= time.time() - since_days * 86400)
        keys = (DECISIONS.c.host, DECISIONS.c.model, DECISIONS.c.capability, DECISIONS.c.source)
        query = (select(*keys, func.count().label("n"), func.max(DECISIONS.c.decided_at).label("last"))
                 .where(and_(True, *where)).group_by(*keys).order_by(func.count().desc(), *keys))
        with self._read() as conn:
            rows = conn.execute(query).all()
        return [DecisionCount(host=r.host, model=r.model, capability=r.capability, source=r.source, n=r.n,
                              last_at=datetime.fromtimestamp(r.last, tz=UTC)) for r in rows]

    def evidence(self, *, host: str, capability: str | None, task_type: str | None = None,
                 half_life_days: float = 14.0, now: datetime | float | None = None,
                 recent: int = 30) -> dict[str, ModelEvidence]:
        """Recency-weighted evidence per model for the learner (see store.evidence.load_evidence)."""
        return load_evidence(self.engine, host=host, capability=capability, task_type=task_type,
                             half_life_days=half_life_days, now=now, recent=recent)

    def savings(self, *, strongest: Strongest, host: str | None = None, model: str | None = None,
                capability: str | None = None, task_type: str | None = None,
                since_days: float | None = None) -> SavingsReport:
        """Cost of what ran versus the same tokens on each host's strongest model (`strongest`: host -> price)."""
        where = filters(host=host, model=model, capability=capability, task_type=task_type, since_days=since_days)
        with self._read() as conn:
            return query_savings(conn, where, strongest)

    # ---- bulk ----------------------------------------------------------------------------------------------
    def import_file(self, path: Path, *, batch: int = 20_000) -> ImportReport:
        """Bulk-load outcomes from JSONL or a RouteSmith performance.json; bad records are reported, good kept."""
        started = time.perf_counter()
        path = Path(path)
        if not path.is_file():
            raise StoreInputError(f"{path} is not a file")
        if not self._maybe_reconnect():
            raise StoreError(f"cannot import: {self._problems.get('open')}; fix: {self._problems.get('open_fix')}")
        fmt, doc = detect_format(path)
        source = "import" if fmt == "jsonl" else "routesmith"
        errors: list[ImportLineError] = []
        rejected = imported = 0
        pending: list[dict[str, Any]] = []

        def records() -> Iterator[dict[str, Any]]:
            nonlocal rejected
            for lineno, obj in iter_records(path, fmt, doc):
                try:
                    if isinstance(obj, Exception):
                        raise obj
                    yield to_outcome_row(obj, default_source=source)
                except StoreInputError as exc:
                    rejected += 1
                    if len(errors) < 100:
                        errors.append(ImportLineError(line=lineno, message=str(exc)))

        if self.backend == "sqlite" and path.stat().st_size >= BULK_IMPORT_BYTES:
            imported = self._import_bulk_sqlite(records(), batch)
        else:
            for row in records():
                pending.append(row)
                if len(pending) >= batch:
                    with self._write() as conn:
                        _bulk_insert(conn, pending)
                    imported += len(pending)
                    pending.clear()
            if pending:
                with self._write() as conn:
                    _bulk_insert(conn, pending)
                imported += len(pending)
        return ImportReport(path=str(path), format=fmt, imported=imported, rejected=rejected, errors=errors,
                            seconds=round(time.perf_counter() - started, 3))

    def _import_bulk_sqlite(self, rows: Iterator[dict[str, Any]], batch: int) -> int:
        """One transaction: drop the outcomes indexes, insert, rebuild them sorted, update the rollup once.

        Far faster than random index inserts for large files. Other writers wait (and spool after the busy
        timeout, to be flushed afterwards); readers keep their snapshot. A failure rolls everything back.
        """
        imported = 0
        agg: dict[Any, Any] = {}
        with self._write() as conn:
            conn.exec_driver_sql("PRAGMA cache_size = -131072")
            try:
                indexes = conn.exec_driver_sql("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND "
                                               "tbl_name = 'outcomes' AND sql IS NOT NULL").all()
                for name, _sql in indexes:
                    conn.exec_driver_sql(f'DROP INDEX "{name}"')
                chunk: list[dict[str, Any]] = []
                for row in rows:
                    chunk.append(row)
                    if len(chunk) >= batch:
                        conn.exec_driver_sql(_SQLITE_INSERT, [_row_tuple(r) for r in chunk])
                        rollup.aggregate(chunk, into=agg)
                        imported += len(chunk)
                        chunk.clear()
                if chunk:
                    conn.exec_driver_sql(_SQLITE_INSERT, [_row_tuple(r) for r in chunk])
                    rollup.aggregate(chunk, into=agg)
                    imported += len(chunk)
                rollup.add(conn, agg)
                for _name, sql in indexes:
                    conn.exec_driver_sql(sql)
            finally:
                conn.exec_driver_sql("PRAGMA cache_size = -2000")
        return imported

    def prune(self, *, older_than_days: float | None = None, keep: int | None = None, batch: int = 5000) -> int:
        """Delete outcomes older than N days and/or beyond the newest `keep`, `batch` rows per transaction.

        Returns the number of outcomes deleted; `older_than_days` also drops plans created before the cutoff.
        """
        if older_than_days is None and keep is None:
            raise StoreInputError("say what to prune: older_than_days and/or keep")
        if older_than_days is not None and (isinstance(older_than_days, bool) or
                                            not isinstance(older_than_days, (int, float)) or
                                            not 0 <= older_than_days < float("inf")):
            raise StoreInputError(f"older_than_days must be a finite number >= 0 (got {older_than_days!r})")
        if keep is not None and (isinstance(keep, bool) or not isinstance(keep, int) or keep < 0):
            raise StoreInputError(f"keep must be a whole number >= 0 (got {keep!r})")
        if not self._maybe_reconnect():
            raise StoreError(f"cannot prune: {self._problems.get('open')}; fix: {self._problems.get('open_fix')}")
        assert self._engine is not None
        conds = []
        if older_than_days is not None:
            cutoff = time.time() - float(older_than_days) * 86400.0
            conds.append(OUTCOMES.c.recorded_at < cutoff)
            with self._write() as conn:
                conn.execute(delete(PLANS).where(PLANS.c.created_at < cutoff))
        if keep is not None:
            with self._engine.connect() as conn:
                edge = conn.execute(select(OUTCOMES.c.recorded_at, OUTCOMES.c.id)
                                    .order_by(OUTCOMES.c.recorded_at.desc(), OUTCOMES.c.id.desc())
                                    .limit(1).offset(keep - 1)).first() if keep > 0 else None
            if keep > 0 and edge is None:
                if not conds:
                    return 0
            elif edge is None:
                conds.append(OUTCOMES.c.id.is_not(None))
            else:
                conds.append(or_(OUTCOMES.c.recorded_at < edge[0],
                                 and_(OUTCOMES.c.recorded_at == edge[0], OUTCOMES.c.id < edge[1])))
        victims = select(OUTCOMES.c.id, *[OUTCOMES.c[k] for k in _HIST_FIELDS]).where(or_(*conds)) \
            .limit(max(1, int(batch)))
        total = 0
        while True:
            with self._write() as conn:
                found = [r._asdict() for r in conn.execute(victims)]
                if not found:
                    break
                ids = [r["id"] for r in found]
                conn.execute(delete(OUTCOMES).where(OUTCOMES.c.id.in_(ids)))
                rollup.subtract(conn, rollup.aggregate(found))
            total += len(ids)
            time.sleep(0)  # let waiting writers take the lock between batches
        return total

    # ---- health --------------------------------------------------------------------------------------------
    def health(self) -> StoreHealth:
        """Where the store is, what state it is in, what is wrong and how to fix it."""
        self._maybe_reconnect()
        problems, fixes = [], []
        outcomes = plans = None
        if self._ready and self._engine is not None:
            try:
                with self._engine.connect() as conn:
                    outcomes = int(conn.execute(select(func.count()).select_from(OUTCOMES)).scalar() or 0)
                    plans = int(conn.execute(select(func.count()).select_from(PLANS)).scalar() or 0)
                    self._version = schema_version(applied_migrations(conn))
            except SQLAlchemyError as exc:
                problems.append(f"cannot read the database: {getattr(exc, 'orig', exc)}")
                fixes.append(_fix_for(exc, str(self.path or self.url)))
        for key in ("open", "write", "newer"):
            if key in self._problems:
                problems.append(self._problems[key])
                if key + "_fix" in self._problems:
                    fixes.append(self._problems[key + "_fix"])
        if self._ready and "write" in self._problems and not self.spool.path.exists():
            problems.pop(problems.index(self._problems["write"]))
            fixes = [f for f in fixes if f != self._problems.get("write_fix")]
        pending = self.spool.pending()
        if pending:
            problems.append(f"{pending} outcome(s) are waiting in the spool {self.spool.path}")
            fixes.append("they are written automatically once the database accepts writes again")
        if self.spool.rejected_path.exists():
            problems.append(f"unreadable spool lines were kept in {self.spool.rejected_path}")
            fixes.append("inspect that file; valid lines can be loaded with `routesmith-mcp import`")
        for moved in self.moved_aside:
            problems.append(f"a corrupt database was moved aside: {moved}")
            fixes.append("nothing is lost by this; keep or delete the moved file once you have looked at it")
        size = None
        if self.path is not None and self.path.exists():
            size = sum(p.stat().st_size for p in (self.path, self.path.with_name(self.path.name + "-wal"))
                       if p.exists())
        writable = self._ready
        if self.path is not None and writable:
            writable = os.access(self.path, os.W_OK) and os.access(self.path.parent, os.W_OK)
        return StoreHealth(url=self.url, backend=self.backend, path=str(self.path) if self.path else None,
                           schema_version=self._version, latest_schema_version=latest_version(), outcomes=outcomes,
                           plans=plans, file_size_bytes=size, writable=writable, degraded=not self._ready,
                           spool_path=str(self.spool.path), spool_pending=pending, moved_aside=list(self.moved_aside),
                           problems=problems, fixes=fixes)
