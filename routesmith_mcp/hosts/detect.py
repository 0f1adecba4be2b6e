"""Who is calling: decide the host from the handshake, the environment and the parent process.

The name, fingerprint, env and parent tables live in `signatures.json` (each entry with `source` and `as_of`);
this module only applies them, in the order: ROUTESMITH_HOST override, clientInfo, handshake fingerprints,
environment probes (most specific first), parent process basename, else `generic`.

Evidence strings name every signal considered. They never carry environment values except for a few known,
non-secret variables listed in the data (e.g. CLAUDE_CODE_ENTRYPOINT), and never the parent's arguments.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Mapping, Sequence
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from routesmith_mcp.models import HostId, HostIdentity

logger = logging.getLogger(__name__)

CANONICAL_IDS: tuple[str, ...] = get_args(HostId)
GENERIC = "generic"

# Never echo a value whose name looks like a credential, even if the data file asks for it.
_SECRET_NAME = re.compile(r"TOKEN|SECRET|KEY|AUTH|PASS|CRED|COOKIE|SESSION", re.IGNORECASE)
_PRINTABLE = re.compile(r"^[A-Za-z0-9_.:@+/-]{1,64}$")


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source: str
    as_of: date


class ClientNameRule(_Entry):
    match: Literal["exact", "prefix"]
    name: str
    host: HostId
    confidence: float = Field(ge=0, le=1)

    def matches(self, client_name: str) -> bool:
        return client_name == self.name if self.match == "exact" else client_name.startswith(self.name)


class NotHostRule(_Entry):
    match: Literal["exact", "prefix"]
    name: str
    why: str

    def matches(self, client_name: str) -> bool:
        return client_name == self.name if self.match == "exact" else client_name.startswith(self.name)


class Fingerprint(_Entry):
    """A handshake detail unique to one host: a client capability path, or clientInfo.title."""

    host: HostId
    capability_path: list[str] = Field(default_factory=list)
    client_title: str | None = None
    confidence: float = Field(ge=0, le=1)

    def label(self) -> str:
        if self.client_title is not None:
            return f"clientInfo.title {self.client_title!r}"
        return "client capability " + repr(".".join(self.capability_path))

    def matches(self, capabilities: Mapping[str, Any] | None, title: str | None) -> bool:
        if self.client_title is not None:
            return title == self.client_title
        if not self.capability_path:
            return False
        node: Any = capabilities
        for key in self.capability_path:
            if not isinstance(node, Mapping) or key not in node:
                return False
            node = node[key]
        return True


class EnvProbe(_Entry):
    host: HostId
    equals: dict[str, str] = Field(default_factory=dict)
    present_any: list[str] = Field(default_factory=list)
    confidence: float = Field(ge=0, le=1)
    show_values: list[str] = Field(default_factory=list)

    def names(self) -> list[str]:
        return [*self.equals, *self.present_any]

    def matched(self, env: Mapping[str, str]) -> list[str] | None:
        """The names that matched (None when the probe does not match)."""
        if self.equals:
            if all(env.get(k) == v for k, v in self.equals.items()):
                return [f"{k}={v}" for k, v in self.equals.items()]
            return None
        present = [k for k in self.present_any if env.get(k)]
        return [f"{k} set" for k in present] or None


class ParentRule(_Entry):
    basename: str
    host: HostId


class Signatures(BaseModel):
    model_config = ConfigDict(extra="forbid")
    about: str
    as_of: date
    override_env: str
    client_names: list[ClientNameRule]
    not_hosts: list[NotHostRule]
    fingerprints: list[Fingerprint]
    env_probes: list[EnvProbe]
    parent_basenames: list[ParentRule]
    parent_interpreters: list[str]
    parent_wrappers: list[str] = Field(description="Launchers skipped when looking for the host process.")
    parent_confidence: float = Field(ge=0, le=1)


@cache
def load_signatures() -> Signatures:
    """The shipped detection tables."""
    text = (resources.files("routesmith_mcp.hosts") / "signatures.json").read_text(encoding="utf-8")
    return Signatures.model_validate(json.loads(text))


def _show(value: str | None) -> str:
    """A client-supplied string, quoted and cut short, safe to put in evidence."""
    if value is None:
        return "none"
    value = value.replace("\n", " ").replace("\r", " ")
    return repr(value if len(value) <= 80 else value[:77] + "...")


def _safe_env_value(name: str, env: Mapping[str, str]) -> str | None:
    value = env.get(name)
    if not value or _SECRET_NAME.search(name) or not _PRINTABLE.match(value):
        return None
    return value


_SCRIPT_SUFFIXES = (".js", ".mjs", ".cjs", ".ts", ".py")


def _executable(argv: Sequence[str], interpreters: Sequence[str]) -> str | None:
    """Basename of the program the parent runs: argv[0], or the script an interpreter (node, bun) runs."""
    if not argv:
        return None
    first = os.path.basename(argv[0].replace("\\", "/"))
    if first not in interpreters:
        return first
    # The script is a path or a file name with a script extension; option values (`--api-key sk-...`) are not.
    script = next((a for a in argv[1:] if a and not a.startswith("-") and ("/" in a or "\\" in a
                                                                            or a.endswith(_SCRIPT_SUFFIXES))), None)
    return os.path.basename(script.replace("\\", "/")) if script else first


def detect_host(
    *,
    client_name: str | None,
    client_version: str | None = None,
    protocol_version: str | None = None,
    client_capabilities: Mapping[str, Any] | None = None,
    env: Mapping[str, str],
    parent_cmdline: Sequence[str] | None = None,
    client_title: str | None = None,
) -> HostIdentity:
    """Decide the calling host; every verdict carries its evidence and a calibrated confidence."""
    sig = load_signatures()
    evidence: list[str] = []
    verdict: tuple[str, float, str] | None = None  # (host, confidence, source)

    def identity(host: str, confidence: float, source: str) -> HostIdentity:
        return HostIdentity(id=host, client_name=client_name, client_version=client_version,
                            protocol_version=protocol_version, confidence=round(confidence, 2),
                            evidence=evidence, source=source)

    # 1. Explicit override.
    override = env.get(sig.override_env)
    if override is not None and override.strip():
        wanted = override.strip()
        if wanted in CANONICAL_IDS:
            evidence.append(f"{sig.override_env}={wanted}: explicit override, all other signals ignored")
            return identity(wanted, 1.0, "override")
        shown = repr(wanted) if _PRINTABLE.match(wanted) else "(an unprintable value)"
        evidence.append(f"{sig.override_env}={shown} is not a known host id, ignored "
                        f"(known: {', '.join(CANONICAL_IDS)})")
    else:
        evidence.append(f"{sig.override_env} not set")

    # 2. clientInfo.
    if client_name is None or not client_name.strip():
        evidence.append("clientInfo: none sent (neither in initialize nor in request _meta)")
    else:
        not_host = next((r for r in sig.not_hosts if r.matches(client_name)), None)
        rule = None if not_host else next((r for r in sig.client_names if r.matches(client_name)), None)
        if not_host:
            evidence.append(f"clientInfo.name {_show(client_name)} is not a host ({not_host.why}); "
                            "falling through to the next signal")
        elif rule:
            how = "equals" if rule.match == "exact" else "starts with"
            evidence.append(f"clientInfo.name {_show(client_name)} {how} {rule.name!r} -> {rule.host} "
                            f"(source: {rule.source}, as of {rule.as_of})")
            verdict = (rule.host, rule.confidence, "client_info")
        else:
            evidence.append(f"clientInfo.name {_show(client_name)} is not a known host name; "
                            "falling through to the next signal")
    if protocol_version:
        evidence.append(f"protocol version {_show(protocol_version)}")

    # 3. Handshake fingerprints: from the connection itself, so they outrank inherited env.
    matched_fp = False
    for fp in sig.fingerprints:
        if not fp.matches(client_capabilities, client_title):
            continue
        matched_fp = True
        if verdict is None:
            evidence.append(f"{fp.label()} is unique to {fp.host} -> {fp.host} (source: {fp.source})")
            verdict = (fp.host, fp.confidence, "client_info")
        elif verdict[0] == fp.host:
            evidence.append(f"{fp.label()} agrees ({fp.host} fingerprint)")
            verdict = (verdict[0], min(0.98, verdict[1] + 0.03), verdict[2])
        else:
            evidence.append(f"{fp.label()} looks like {fp.host}, but a stronger signal outranks it")
    if client_title and not matched_fp:
        evidence.append(f"clientInfo.title {_show(client_title)}")

    # 4. Environment probes, most specific first (KILO before OPENCODE: Kilo sets both).
    env_hits: list[tuple[EnvProbe, list[str]]] = []
    for probe in sig.env_probes:
        matched = probe.matched(env)
        if matched:
            env_hits.append((probe, matched))
    if not env_hits:
        checked = sorted({n for p in sig.env_probes for n in p.names()})
        evidence.append(f"env: no host variable set (checked {', '.join(checked)})")
    for i, (probe, matched) in enumerate(env_hits):
        shown = [f"{n}={v}" for n in probe.show_values if (v := _safe_env_value(n, env))]
        detail = ", ".join(matched + shown)
        if verdict is None and i == 0:
            evidence.append(f"env {detail} -> {probe.host} (inherited signal; source: {probe.source})")
            verdict = (probe.host, probe.confidence, "env")
        elif verdict is not None and verdict[0] == probe.host:
            evidence.append(f"env {detail} agrees with {probe.host}")
        else:
            evidence.append(f"env {detail} points at {probe.host}, but a stronger or more specific signal won "
                            "(env is inherited through shells)")

    # 5. Parent process basename.
    if parent_cmdline is None:
        evidence.append("parent process: unknown")
    else:
        exe = _executable(parent_cmdline, sig.parent_interpreters)
        rule = next((r for r in sig.parent_basenames if r.basename == exe), None)
        if rule is None:
            evidence.append("parent process is not a known host")  # its name is not repeated: argv may hold secrets
        elif verdict is None:
            evidence.append(f"parent process {exe!r} -> {rule.host} (source: {rule.source})")
            verdict = (rule.host, sig.parent_confidence, "parent")
        elif verdict[0] == rule.host:
            evidence.append(f"parent process {exe!r} agrees with {rule.host}")
        else:
            evidence.append(f"parent process {exe!r} points at {rule.host}, but a stronger signal won")

    if verdict is None:
        evidence.append("no signal identified the host -> generic")
        return identity(GENERIC, 0.0, "none")
    return identity(*verdict)


def _read_argv(proc: Path, pid: int) -> list[str] | None:
    raw = (proc / str(pid) / "cmdline").read_bytes()[:65536]
    return [a.decode("utf-8", "replace") for a in raw.split(b"\0") if a] or None


def _read_ppid(proc: Path, pid: int) -> int:
    stat = (proc / str(pid) / "stat").read_text(encoding="utf-8", errors="replace")
    return int(stat.rsplit(")", 1)[1].split()[1])  # field 4, after "(comm)" which may hold spaces


def parent_cmdline(pid: int | None = None, *, proc: Path = Path("/proc"), max_hops: int = 4) -> list[str] | None:
    """argv of the process that launched us, from /proc/<ppid>/cmdline; None when it cannot be read (any error).

    Launchers such as `sh -c`, `uv run` or `uvx` are skipped (up to `max_hops` ancestors), so a server started by
    `uvx routesmith-mcp serve` still sees the host; if only launchers are found, the direct parent is returned.
    """
    try:
        current = os.getppid() if pid is None else int(pid)
        first = _read_argv(proc, current)
        wrappers = set(load_signatures().parent_wrappers)
        argv = first
        for _ in range(max_hops):
            if not argv or _executable(argv, ()) not in wrappers:
                break
            current = _read_ppid(proc, current)
            if current <= 1:
                break
            argv = _read_argv(proc, current)
        return argv if argv and _executable(argv, ()) not in wrappers else first
    except Exception:
        logger.debug("parent command line unavailable", exc_info=True)
        return None


def describe_hosts() -> list[dict[str, Any]]:
    """For each canonical host id: display name, how it is recognised, and whether it can switch models."""
    from routesmith_mcp.hosts.profiles import known_host_ids, load_profile

    sig = load_signatures()
    shipped = set(known_host_ids())
    rows: list[dict[str, Any]] = []
    for host_id in CANONICAL_IDS:
        ways: list[str] = []
        for r in sig.client_names:
            if r.host == host_id:
                ways.append(f"clientInfo {r.name!r}" + ("*" if r.match == "prefix" else ""))
        for fp in sig.fingerprints:
            if fp.host == host_id:
                ways.append(fp.label())
        for p in sig.env_probes:
            if p.host == host_id:
                ways.append("env " + (" ".join(f"{k}={v}" for k, v in p.equals.items()) or "/".join(p.present_any)))
        parents = [r.basename for r in sig.parent_basenames if r.host == host_id]
        if parents:
            ways.append("parent " + "/".join(parents))
        if host_id == GENERIC:
            ways.append("fallback when nothing else matches")
        if not ways:
            ways.append(f"{sig.override_env}={host_id} only")
        profile = load_profile(host_id) if host_id in shipped else None
        rows.append({
            "id": host_id,
            "display_name": profile.display_name if profile else host_id,
            "recognised_by": "; ".join(ways),
            "can_switch": bool(profile and profile.can_switch),
            "switch_note": profile.switch_note if profile else "no profile shipped",
        })
    return rows
