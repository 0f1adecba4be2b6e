"""record_outcome, plans, validation, privacy and the public surface of TelemetryStore."""

from __future__ import annotations

import math
import os
import stat
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from routesmith_mcp.models import HostIdentity, PlanResult, Step
from routesmith_mcp.store import StoreInputError, TelemetryStore, default_db_path
from routesmith_mcp.store.migrations import MIGRATIONS


def make_plan(plan_id: str = "p-1") -> PlanResult:
    return PlanResult(
        plan_id=plan_id,
        host=HostIdentity(id="claude-code", confidence=1.0),
        preference="balanced",
        steps=[Step(id="s1", type="planning", text="plan it", capability="deep_reasoning", confidence=0.9),
               Step(id="s2", type="coding", text="build it", capability="coding", depends_on=["s1"],
                    confidence=0.8)],
        rationale="two steps",
    )


def test_record_and_read_back(store: TelemetryStore) -> None:
    got = store.record_outcome(model="sonnet", success=True, host="claude-code", capability="coding",
                               task_type="coding", duration_ms=1200.5, input_tokens=1000, output_tokens=200,
                               cost_usd=0.0123, client_name="claude-code", client_version="2.1.0")
    assert got.outcome_id > 0 and not got.spooled
    assert got.recorded_at.tzinfo is not None
    row = store.stats().rows[0]
    assert (row.model, row.capability, row.n, row.successes) == ("sonnet", "coding", 1, 1)
    assert row.p50_ms == pytest.approx(1200.5) and row.input_tokens == 1000 and row.cost_usd == pytest.approx(0.0123)


def test_ids_increase(store: TelemetryStore) -> None:
    ids = [store.record_outcome(model="m", success=True, host="codex").outcome_id for _ in range(5)]
    assert ids == sorted(ids) and len(set(ids)) == 5


@pytest.mark.parametrize(("field", "value", "needle"), [
    ("duration_ms", -1.0, "duration_ms must be >= 0"),
    ("duration_ms", math.nan, "finite"),
    ("duration_ms", math.inf, "finite"),
    ("cost_usd", -0.5, "cost_usd must be >= 0"),
    ("cost_usd", math.nan, "finite"),
    ("input_tokens", -3, "input_tokens must be >= 0"),
    ("output_tokens", 1.5, "whole number"),
    ("input_tokens", 10**30, "implausibly large"),
    ("task_type", "cooking", "task_type 'cooking' is not one of"),
    ("capability", "genius", "capability 'genius' is not one of"),
    ("model", "  ", "model must not be empty"),
    ("model", "x" * 500, "at most 200"),
    ("success", "yes", "success must be true or false"),
])
def test_bad_input_says_what_to_fix(store: TelemetryStore, field: str, value: object, needle: str) -> None:
    args: dict[str, object] = {"model": "m", "success": True, "host": "claude-code", field: value}
    with pytest.raises(StoreInputError, match=needle.replace("(", r"\(")):
        store.record_outcome(**args)  # type: ignore[arg-type]
    assert store.stats().total_outcomes == 0


def test_hostile_strings_are_stored_safely(store: TelemetryStore) -> None:
    model = "m'; DROP TABLE outcomes; --\x00\ud800"
    store.record_outcome(model=model, success=False, host="generic", error="boom\x00" + "e" * 10_000)
    rows = store.stats(group_by=["model"]).rows
    assert len(rows) == 1 and rows[0].model is not None and "DROP TABLE" in rows[0].model
    assert "\x00" not in rows[0].model
    assert store.stats(model=rows[0].model).total_outcomes == 1


def test_plan_round_trip_and_prompt_privacy(store: TelemetryStore) -> None:
    plan = make_plan()
    store.save_plan(plan, "secret prompt text")
    fresh = TelemetryStore.open(store._url)
    try:
        assert store.load_plan("p-1") == plan  # this process keeps the full plan
        loaded = fresh.load_plan("p-1")  # another process sees it without the prompt's words
        assert loaded is not None and [s.text for s in loaded.steps] == ["", ""]
        assert loaded.model_copy(update={"steps": plan.steps}) == plan
        assert fresh.load_plan("nope") is None
        with fresh.engine.connect() as conn:
            from sqlalchemy import text
            row = conn.execute(text("SELECT prompt_text, prompt_chars, prompt_sha256, host, preference "
                                    "FROM plans")).one()
        assert row[0] is None and row[1] == len("secret prompt text") and len(row[2]) == 64
        assert tuple(row[3:]) == ("claude-code", "balanced")
        fresh.save_plan(make_plan("p-2"), "opt in\x00", store_prompt_text=True)
        with fresh.engine.connect() as conn:
            assert conn.execute(text("SELECT prompt_text FROM plans WHERE plan_id='p-2'")).scalar() == "opt in\ufffd"
            assert "build it" in conn.execute(text("SELECT plan_json FROM plans WHERE plan_id='p-2'")).scalar()
            assert "build it" not in conn.execute(text("SELECT plan_json FROM plans WHERE plan_id='p-1'")).scalar()
    finally:
        fresh.close()


def test_outcome_fills_type_and_capability_from_plan(store: TelemetryStore) -> None:
    store.save_plan(make_plan(), "p")
    store.record_outcome(model="opus", success=True, host="claude-code", plan_id="p-1", step_id="s1")
    store.record_outcome(model="sonnet", success=True, host="claude-code", plan_id="p-1", step_id="s2",
                         capability="fast")
    rows = {r.model: r for r in store.stats(group_by=["model", "capability", "task_type"]).rows}
    assert (rows["opus"].capability, rows["opus"].task_type) == ("deep_reasoning", "planning")
    assert (rows["sonnet"].capability, rows["sonnet"].task_type) == ("fast", "coding")


def test_unknown_plan_or_step_is_an_input_error(store: TelemetryStore) -> None:
    store.save_plan(make_plan(), "p")
    with pytest.raises(StoreInputError, match="unknown plan_id"):
        store.record_outcome(model="m", success=True, host="codex", plan_id="missing")
    with pytest.raises(StoreInputError, match="s9.*its steps: s1, s2"):
        store.record_outcome(model="m", success=True, host="codex", plan_id="p-1", step_id="s9")


def test_password_is_redacted() -> None:
    s = TelemetryStore("postgresql+psycopg://alice:hunter2@db.example:5432/rs")
    assert "hunter2" not in s.url and "hunter2" not in repr(s) and "hunter2" not in str(s)
    assert "alice" in s.url


def test_default_path_and_private_modes(_routesmith_home: Path) -> None:
    assert default_db_path() == _routesmith_home / "routesmith.db"
    assert default_db_path(Path("/x")) == Path("/x/routesmith.db")
    s = TelemetryStore.open()
    try:
        s.record_outcome(model="m", success=True, host="codex")
        assert s.path == _routesmith_home / "routesmith.db"
        assert stat.S_IMODE(os.stat(_routesmith_home).st_mode) == 0o700
        for name in ("routesmith.db", "routesmith.db-wal"):
            assert stat.S_IMODE(os.stat(_routesmith_home / name).st_mode) == 0o600, name
    finally:
        s.close()


def test_health_reports_counts(store: TelemetryStore) -> None:
    store.record_outcome(model="m", success=True, host="codex")
    store.save_plan(make_plan(), "p")
    h = store.health()
    assert (h.outcomes, h.plans) == (1, 1)
    assert h.schema_version == h.latest_schema_version == len(MIGRATIONS)
    assert h.writable and not h.degraded and h.problems == [] and h.spool_pending == 0
    assert h.backend in ("sqlite", "postgresql")


def test_threads_share_one_store(store: TelemetryStore) -> None:
    import threading

    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            for i in range(40):
                store.record_outcome(model=f"t{k}", success=i % 2 == 0, host="codex", duration_ms=float(i))
                store.stats(group_by=["model"])
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    stats = store.stats(group_by=["model"])
    assert stats.total_outcomes == 240 and all(r.n == 40 for r in stats.rows)


def test_outcome_after_close_is_spooled_not_lost(store: TelemetryStore) -> None:
    store.close()
    assert store.record_outcome(model="late", success=True, host="codex").spooled
    again = TelemetryStore.open(store._url)  # the next open flushes it
    try:
        assert again.stats(model="late").total_outcomes == 1
    finally:
        again.close()


_any = st.one_of(st.none(), st.booleans(), st.integers(min_value=-10**20, max_value=10**20), st.floats(),
                 st.text(max_size=300), st.lists(st.integers(), max_size=3))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(model=_any, success=_any, host=_any, duration_ms=_any, cost_usd=_any, input_tokens=_any, task_type=_any,
       capability=_any, error=_any, recorded_at=_any)
def test_any_input_is_stored_or_refused_cleanly(store: TelemetryStore, **kw: object) -> None:
    before = store.stats(group_by=[]).total_outcomes
    try:
        got = store.record_outcome(**kw)  # type: ignore[arg-type]
    except StoreInputError as exc:
        assert str(exc)
        assert store.stats(group_by=[]).total_outcomes == before
    else:
        assert not got.spooled and store.stats(group_by=[]).total_outcomes == before + 1


def test_routing_decisions_are_logged_and_counted(store: TelemetryStore) -> None:
    for model in ("haiku", "sonnet", "sonnet"):
        store.record_decision(host="claude-code", model=model, capability="coding", task_type="coding",
                              prompt="fix the flaky login test", source="hook")
    counts = store.decisions()
    assert [(c.model, c.n) for c in counts] == [("sonnet", 2), ("haiku", 1)]
    assert store.decisions(host="codex") == []
    with store.engine.connect() as conn:
        stored = conn.execute(text("SELECT prompt_sha256, prompt_chars FROM decisions")).all()
    assert all(len(sha) == 64 and chars == len("fix the flaky login test") for sha, chars in stored)
