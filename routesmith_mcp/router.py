"""The service layer: wires the engine, host knowledge and the telemetry store. No MCP imports.

The MCP server, the CLI and the Python API all call a `Router`; each turns `RoutesmithError` into its own
kind of error message.
"""

from __future__ import annotations

import logging
import math
import os
import uuid
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from routesmith_mcp.config import Settings
from routesmith_mcp.engine.learn import LearningParams, ModelEvidence, combine_evidence
from routesmith_mcp.engine.plan import plan_steps, rationale
from routesmith_mcp.engine.resolve import EvidenceLookup, HostLimits, ResolveItem, ResolveOptions, resolve
from routesmith_mcp.engine.types import CAPABILITIES, PREFERENCES, Capability, Preference, StepType
from routesmith_mcp.errors import RoutesmithError
from routesmith_mcp.hosts.detect import detect_host
from routesmith_mcp.hosts.host_settings import read_host_constraints
from routesmith_mcp.hosts.profiles import load_profile
from routesmith_mcp.models import (
    Assignment,
    HostIdentity,
    OutcomeRecorded,
    PlanResult,
    Resolution,
    Stats,
    Step,
)
from routesmith_mcp.policies import LoadedPolicy, apply_policies, load_policies

if TYPE_CHECKING:
    from routesmith_mcp.store import TelemetryStore

logger = logging.getLogger(__name__)

PLAN_CACHE_SIZE = 512


@dataclass(frozen=True)
class ClientSignal:
    """What the MCP connection told us about the client."""

    name: str | None = None
    version: str | None = None
    protocol_version: str | None = None
    capabilities: Mapping[str, Any] = field(default_factory=dict)
    title: str | None = None


class Router:
    """Plans, resolves, records and reports for one process."""

    def __init__(
        self,
        settings: Settings,
        store: TelemetryStore | None = None,
        *,
        env: Mapping[str, str] | None = None,
        parent_cmdline: Sequence[str] | None = None,
        store_problem: str | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.store_problem = store_problem
        self._env = dict(os.environ if env is None else env)
        self._parent = list(parent_cmdline) if parent_cmdline is not None else None
        self._plans: OrderedDict[str, PlanResult] = OrderedDict()
        self._loaded_policies: list[LoadedPolicy] | None = None
        self._policy_advisories: list[str] = []

    # -- host -----------------------------------------------------------------------------------------------

    def identify(self, client: ClientSignal | None = None) -> HostIdentity:
        """Decide the host from the connection, the environment and the parent process."""
        env = dict(self._env)
        if self.settings.host_override:
            env["ROUTESMITH_HOST"] = self.settings.host_override
        client = client or ClientSignal()
        return detect_host(
            client_name=client.name,
            client_version=client.version,
            protocol_version=client.protocol_version,
            client_capabilities=client.capabilities,
            client_title=client.title,
            env=env,
            parent_cmdline=self._parent,
        )

    # -- plan -----------------------------------------------------------------------------------------------

    def plan(self, prompt: str, *, host: HostIdentity, preference: str | None = None) -> PlanResult:
        """Split the prompt into typed, ordered steps and store the plan for resolve_models."""
        pref = self._preference(preference)
        self._check_prompt(prompt)
        prompt = well_formed(prompt)  # lone surrogates would make the plan unserialisable (JSON, UTF-8, SQLite)
        planned = plan_steps(prompt, self.settings.capability_overrides)
        steps = [
            Step(id=p.draft.id, type=p.draft.type, text=p.draft.text, capability=p.capability,
                 depends_on=list(p.draft.depends_on), confidence=round(p.draft.confidence, 3))
            for p in planned
        ]
        advisories = list(self.settings.advisories)
        if not steps:
            advisories.append("nothing to route: the prompt asks only for git operations (commit, push, a PR), "
                              "which need no model choice")
        result = PlanResult(
            plan_id=f"plan_{uuid.uuid4().hex[:16]}",
            host=host,
            preference=pref,
            steps=steps,
            rationale=rationale(planned),
            advisories=advisories,
        )
        if self.store is not None:
            try:  # the store keeps this process's plans (with their text) in its own cache
                self.store.save_plan(result, prompt, store_prompt_text=self.settings.store_prompts)
            except Exception as exc:  # the plan still works from memory in this process
                logger.warning("could not store plan %s: %s", result.plan_id, exc)
                result.advisories.append(f"the plan is kept in memory only (database: {exc})")
                self._remember(result)
            if self.store.degraded:
                result.advisories.append(self._degraded_note())
        else:
            self._remember(result)
            if self.store_problem:
                result.advisories.append(f"telemetry store unavailable ({self.store_problem}); plan kept in memory")
        return result

    def _degraded_note(self) -> str:
        assert self.store is not None
        try:
            problems = self.store.health().problems
        except Exception as exc:  # health is best effort here
            problems = [str(exc)]
        why = problems[0] if problems else "the database is unavailable"
        return (f"telemetry store degraded ({why}): routing from host profiles alone, the plan is kept in memory "
                "and outcomes are spooled; run `routesmith-mcp doctor` for the fix")

    def _check_prompt(self, prompt: str) -> None:
        if not isinstance(prompt, str) or not prompt.strip():
            raise RoutesmithError("the prompt is empty: pass the user's request text, e.g. "
                                  "'plan this feature, implement it and add tests'")
        limit = self.settings.max_prompt_chars
        if len(prompt) > limit:
            raise RoutesmithError(
                f"the prompt has {len(prompt):,} characters; the limit is {limit:,}. Pass the request itself "
                "(leave out pasted files or logs), or raise ROUTESMITH_MAX_PROMPT_CHARS"
            )

    def _remember(self, plan: PlanResult) -> None:
        self._plans[plan.plan_id] = plan
        while len(self._plans) > PLAN_CACHE_SIZE:
            self._plans.popitem(last=False)

    def get_plan(self, plan_id: str) -> PlanResult:
        """A plan made by this process or stored in the database."""
        plan = self._plans.get(plan_id)
        if plan is None and self.store is not None:
            try:
                plan = self.store.load_plan(plan_id)
            except Exception as exc:
                logger.warning("could not load plan %s: %s", plan_id, exc)
        if plan is None:
            raise RoutesmithError(f"unknown plan_id {plan_id!r}: call plan_route first and pass the plan_id it "
                                  "returns, or pass capabilities instead")
        return plan

    # -- resolve --------------------------------------------------------------------------------------------

    def resolve(
        self,
        *,
        host: HostIdentity,
        plan_id: str | None = None,
        capabilities: Sequence[str] | None = None,
        preference: str | None = None,
    ) -> Resolution:
        """Map a stored plan's steps, or bare capability classes, to models and levers on this host."""
        if plan_id and capabilities:
            raise RoutesmithError("pass either plan_id or capabilities, not both")
        advisories: list[str] = []
        evidence_notes: list[str] = []
        if plan_id:
            plan = self.get_plan(plan_id)
            pref = self._preference(preference or plan.preference)
            items = [ResolveItem(capability=s.capability, step_id=s.id, task_type=s.type, text=s.text)
                     for s in plan.steps]
            if plan.host.id != host.id:
                advisories.append(f"plan {plan_id} was made for {plan.host.id}; resolved for {host.id}, the caller")
        elif capabilities:
            bad = [c for c in capabilities if c not in CAPABILITIES]
            if bad:
                raise RoutesmithError(f"unknown capability {bad[0]!r}; use one of {', '.join(CAPABILITIES)}")
            pref = self._preference(preference)
            items = [ResolveItem(capability=c) for c in capabilities]  # type: ignore[arg-type]
        else:
            raise RoutesmithError("pass plan_id (from plan_route) or a list of capabilities "
                                  f"({', '.join(CAPABILITIES)})")

        profile = load_profile(host.id)
        constraints = read_host_constraints(profile.id, env=self._env, home=Path.home(), cwd=self.settings.cwd)
        advisories.extend(constraints.sources)
        learning = LearningParams(half_life_days=self.settings.half_life_days)
        options = ResolveOptions(
            preference=pref,
            limits=HostLimits(
                allowed_models=frozenset(constraints.allowed_models) if constraints.allowed_models is not None
                else None,
                current_model=constraints.current_model,
            ),
            model_overrides=self.settings.model_overrides.get(profile.id, {}),
            pins=self.settings.pins.get(profile.id, {}),
            evidence=self._evidence_lookup(profile.id, evidence_notes, learning),
            learning=learning,
        )
        if self._policies() and items:
            resolved = []
            for item in items:
                item, pin = self._apply_policies(item, profile.id, pref, advisories)
                item_options = replace(options, pins={**options.pins, item.capability: pin}) if pin else options
                one, notes = resolve(profile, [item], item_options)
                resolved.extend(one)
                advisories.extend(notes)
        else:
            resolved, notes = resolve(profile, items, options)
            advisories.extend(notes)
        advisories.extend(evidence_notes[:1])
        if constraints.current_model:
            advisories.append(f"the host is running {constraints.current_model} now")
        if constraints.subagent_model:
            advisories.append(f"every subagent runs on {constraints.subagent_model} (the host forces it), so a "
                              "per-step model lever will not take effect until that setting is removed")
        for alias, target in sorted(constraints.pinned_models.items()):
            advisories.append(f"on this host '{alias}' resolves to {target}")
        return Resolution(
            host=host,
            can_switch=profile.can_switch,
            preference=pref,
            assignments=[Assignment(step_id=r.step_id, capability=r.capability, strategy=r.strategy,  # type: ignore[arg-type]
                                    model=r.model, lever=r.lever, alternatives=r.alternatives, reason=r.reason)
                         for r in resolved],
            advisories=list(dict.fromkeys(advisories)),
        )

    def _policies(self) -> list[LoadedPolicy]:
        if self._loaded_policies is None:
            self._loaded_policies, self._policy_advisories = load_policies(self.settings.plugins)
        return self._loaded_policies

    def _apply_policies(self, item: ResolveItem, host_id: str, preference: Preference,
                        advisories: list[str]) -> tuple[ResolveItem, str | None]:
        advisories.extend(self._policy_advisories)
        adjustment, notes = apply_policies(self._policies(), {
            "step_id": item.step_id, "task_type": item.task_type, "text": item.text,
            "capability": item.capability, "host": host_id, "preference": preference,
        })
        advisories.extend(notes)
        if adjustment.capability:
            item = replace(item, capability=adjustment.capability)  # type: ignore[arg-type]
        return item, adjustment.model

    def _evidence_lookup(self, host_id: str, notes: list[str], params: LearningParams) -> EvidenceLookup | None:
        """Evidence per (capability, task type) for one resolve call: task-type evidence where a model has
        enough of it, else the capability's; each query runs once per call."""
        if self.store is None or not self.settings.learning:
            return None
        store = self.store
        fetched: dict[tuple[str, str | None], Mapping[str, ModelEvidence]] = {}

        def fetch(capability: Capability, task_type: StepType | None) -> Mapping[str, ModelEvidence]:
            key = (capability, task_type)
            if key not in fetched:
                try:
                    fetched[key] = store.evidence(host=host_id, capability=capability, task_type=task_type,
                                                  half_life_days=params.half_life_days)
                except Exception as exc:
                    logger.warning("evidence unavailable, routing from the profile alone: %s", exc)
                    notes.append(f"recorded outcomes could not be read ({exc}); routed from the host profile alone")
                    fetched[key] = {}
            return fetched[key]

        def lookup(capability: Capability, task_type: StepType | None) -> Mapping[str, ModelEvidence]:
            by_capability = fetch(capability, None)
            # A model cannot have more outcomes of one task type than of its whole capability class.
            if task_type is None or all(e.raw_n < params.task_type_min_samples for e in by_capability.values()):
                return by_capability
            return combine_evidence(fetch(capability, task_type), by_capability, params)

        return lookup

    # -- outcomes and stats ---------------------------------------------------------------------------------

    def record_outcome(self, *, host: HostIdentity, model: str, success: bool, **fields: Any) -> OutcomeRecorded:
        """Store one outcome (the host comes from the connection, never from arguments)."""
        if not model or not model.strip():
            raise RoutesmithError("model is empty: pass the model id that ran the step, e.g. 'sonnet'")
        for name in ("duration_ms", "cost_usd", "input_tokens", "output_tokens"):
            value = fields.get(name)
            if value is not None and (not math.isfinite(value) or value < 0):
                raise RoutesmithError(f"{name} must be a finite number >= 0, got {value!r}")
        plan_id, step_id = fields.get("plan_id"), fields.get("step_id")
        if plan_id:
            plan = self.get_plan(plan_id)
            if step_id:
                step = next((s for s in plan.steps if s.id == step_id), None)
                if step is None:
                    raise RoutesmithError(f"plan {plan_id} has no step {step_id!r}; its steps are "
                                          f"{', '.join(s.id for s in plan.steps) or 'none'}")
                fields.setdefault("task_type", None)
                fields["task_type"] = fields["task_type"] or step.type
                fields["capability"] = fields.get("capability") or step.capability
        elif step_id:
            raise RoutesmithError("step_id needs the plan_id it belongs to")
        if self.store is None:
            raise RoutesmithError(f"the telemetry store is unavailable ({self.store_problem}); "
                                  "run `routesmith-mcp doctor` for the fix")
        from routesmith_mcp.store import StoreError

        try:
            return self.store.record_outcome(model=model.strip(), success=success, host=host.id,
                                             client_name=host.client_name, client_version=host.client_version,
                                             **fields)
        except StoreError as exc:  # bad input, or neither the database nor the spool can take it
            raise RoutesmithError(str(exc)) from exc

    def stats(self, **filters: Any) -> Stats:
        """Aggregated outcomes; see TelemetryStore.stats."""
        if self.store is None:
            raise RoutesmithError(f"the telemetry store is unavailable ({self.store_problem}); "
                                  "run `routesmith-mcp doctor` for the fix")
        from routesmith_mcp.store import StoreError

        for key in ("host", "model"):  # match what the store wrote: NUL -> U+FFFD, lone surrogates -> '?'
            if isinstance(filters.get(key), str):
                filters[key] = filters[key].replace("\x00", "\ufffd").encode("utf-8", "replace").decode("utf-8")
        try:
            return self.store.stats(**filters)
        except StoreError as exc:  # bad input, or the database cannot be read
            raise RoutesmithError(str(exc)) from exc

    # -- helpers --------------------------------------------------------------------------------------------

    def _preference(self, value: str | None) -> Preference:
        pref = value or self.settings.preference
        if pref not in PREFERENCES:
            raise RoutesmithError(f"unknown preference {pref!r}; use one of {', '.join(PREFERENCES)}")
        return pref  # type: ignore[return-value]


def well_formed(text: str) -> str:
    """`text` with lone UTF-16 surrogates replaced by U+FFFD (valid pairs joined); unchanged when already valid."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def open_router(settings: Settings, *, env: Mapping[str, str] | None = None) -> Router:
    """A Router with the telemetry store opened; routing keeps working from profiles if the store cannot open."""
    from routesmith_mcp.hosts.detect import parent_cmdline
    from routesmith_mcp.store import TelemetryStore

    store: TelemetryStore | None = None
    problem: str | None = None
    try:
        store = TelemetryStore.open(settings.db_url, home=settings.home)
    except Exception as exc:
        problem = str(exc) or exc.__class__.__name__
        logger.error("telemetry store unavailable, routing from host profiles alone: %s", problem)
    return Router(settings, store, env=env, parent_cmdline=parent_cmdline(), store_problem=problem)
