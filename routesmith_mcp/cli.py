"""The command line. Only `serve` imports the MCP SDK (it costs ~0.6 s); every other command stays light."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from routesmith_mcp import __version__
from routesmith_mcp.config import Settings, load_settings
from routesmith_mcp.engine.types import CAPABILITIES, PREFERENCES, STEP_TYPES
from routesmith_mcp.errors import RoutesmithError

logger = logging.getLogger("routesmith_mcp")

GROUP_KEYS = ("model", "capability", "task_type", "host", "day")


class UsageError(RoutesmithError):
    """Bad command-line input."""


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `routesmith-mcp`; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=os.environ.get("ROUTESMITH_LOG_LEVEL", "WARNING").upper(), stream=sys.stderr,
                        format="routesmith: %(levelname)s %(message)s")
    if not getattr(args, "handler", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.handler(args) or 0)
    except RoutesmithError as exc:
        print(f"routesmith-mcp: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # never a traceback on stdout; details in the log on stderr
        logger.debug("unexpected error", exc_info=True)
        print(f"routesmith-mcp: unexpected {exc.__class__.__name__}: {exc} "
              "(set ROUTESMITH_LOG_LEVEL=DEBUG for details)", file=sys.stderr)
        return 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="routesmith-mcp", description="Route the parts of a coding request "
                                     "to the models your host can use.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(metavar="COMMAND")

    p = sub.add_parser("serve", help="run the MCP server on stdio (what host configs launch)")
    p.set_defaults(handler=cmd_serve)

    p = sub.add_parser("plan", help="split a prompt into typed steps and show the models for this host")
    p.add_argument("prompt", nargs="?", help="the request; read from stdin when omitted or '-'")
    p.add_argument("--host", help="plan as if this host id called (see `routesmith-mcp hosts`)")
    p.add_argument("--preference", choices=PREFERENCES, help="balanced (default), cost or quality")
    p.add_argument("--json", action="store_true", help="print the plan_route result as JSON")
    p.add_argument("--no-resolve", action="store_true", help="show only the steps, not the models")
    p.set_defaults(handler=cmd_plan)

    p = sub.add_parser("stats", help="success rate, latency and cost per model from recorded outcomes")
    p.add_argument("--host")
    p.add_argument("--model")
    p.add_argument("--capability", choices=CAPABILITIES)
    p.add_argument("--task-type", choices=STEP_TYPES)
    p.add_argument("--since-days", type=float)
    p.add_argument("--group-by", default="model,capability", help=f"comma list of {', '.join(GROUP_KEYS)}")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--savings", action="store_true",
                   help="cost of what ran versus always using each host's strongest model for the same tokens")
    p.add_argument("--decisions", action="store_true",
                   help="show the models routesmith chose by itself (the Claude Code hook), not outcomes")
    fmt = p.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true")
    fmt.add_argument("--csv", action="store_true")
    p.set_defaults(handler=cmd_stats)

    p = sub.add_parser("hosts", help="known hosts, how each is recognised, whether it can switch models")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_hosts)

    p = sub.add_parser("doctor", help="which host the environment points at, database health, config files read")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_doctor)

    for name, text in (("install", "register routesmith in a host's config"),
                       ("uninstall", "remove what install added")):
        p = sub.add_parser(name, help=text)
        p.add_argument("host", help="host id, e.g. claude-code, gemini-cli, codex, vscode, cursor, opencode")
        p.add_argument("--scope", choices=("user", "project"), default="user")
        p.add_argument("--dry-run", action="store_true", help="show the diff, write nothing")
        p.add_argument("--agents", action="store_true", help="also write one agent definition per capability")
        p.add_argument("--hook", action="store_true", help="claude-code: route every subagent call via a hook")
        p.set_defaults(handler=cmd_install, uninstall=(name == "uninstall"))

    p = sub.add_parser("hook", help="host hooks (run by the host, not by hand)")
    p.add_argument("event", choices=("claude-pretooluse",))
    p.set_defaults(handler=cmd_hook)

    p = sub.add_parser("import", help="bulk-load outcomes from JSONL or RouteSmith's performance.json")
    p.add_argument("file", type=Path)
    p.set_defaults(handler=cmd_import)

    p = sub.add_parser("prune", help="delete old outcomes")
    p.add_argument("--older-than", type=float, metavar="DAYS")
    p.add_argument("--keep", type=int, metavar="N", help="keep only the newest N outcomes")
    p.set_defaults(handler=cmd_prune)
    return parser


# -- commands ---------------------------------------------------------------------------------------------------


def cmd_serve(args: argparse.Namespace) -> int:
    from routesmith_mcp.server import serve

    serve(load_settings())
    return 0


def cmd_plan(args: argparse.Namespace) -> int:
    from routesmith_mcp.render import table
    from routesmith_mcp.router import Router

    prompt = args.prompt
    if prompt is None or prompt == "-":
        if sys.stdin is None or sys.stdin.isatty():
            raise UsageError('give the prompt as an argument or on stdin, e.g. routesmith-mcp plan "add tests"')
        prompt = sys.stdin.read()
    settings = load_settings()
    if args.host:
        _check_host(args.host)
        settings.host_override = args.host
    router = Router(settings)
    host = router.identify()
    plan = router.plan(prompt, host=host, preference=args.preference)
    if args.json:
        _print_json(plan.model_dump(mode="json"))
        return 0
    print(f"host: {host.id} (confidence {host.confidence:.2f}; {'; '.join(host.evidence[:2]) or 'no evidence'})")
    print(table(["step", "type", "capability", "after", "conf", "text"],
                [[s.id, s.type, s.capability, s.depends_on, s.confidence, s.text] for s in plan.steps]))
    if plan.steps and not args.no_resolve:
        resolution = router.resolve(host=host, plan_id=plan.plan_id)
        print()
        print(table(["step", "strategy", "model", "lever"],
                    [[a.step_id, a.strategy, a.model, a.lever] for a in resolution.assignments]))
        for note in resolution.advisories:
            print(f"note: {note}")
    print(f"\n{plan.rationale}")
    for note in plan.advisories:
        print(f"note: {note}")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from routesmith_mcp.render import csv_text, table

    group_by = [g.strip() for g in args.group_by.split(",") if g.strip()]
    bad = [g for g in group_by if g not in GROUP_KEYS]
    if bad or not group_by:
        raise UsageError(f"--group-by takes a comma list of {', '.join(GROUP_KEYS)}")
    if args.limit < 1:
        raise UsageError("--limit must be at least 1")
    if args.since_days is not None and not 0 < args.since_days < 1e6:
        raise UsageError("--since-days must be a positive number of days")
    if args.decisions:
        return _print_decisions(args)
    if args.savings:
        return _print_savings(args)
    with _store(load_settings()) as store:
        stats = store.stats(host=args.host, model=args.model, capability=args.capability,
                            task_type=args.task_type, since_days=args.since_days, group_by=group_by,
                            limit=args.limit)
    if args.json:
        _print_json(stats.model_dump(mode="json"))
        return 0
    headers = [*group_by, "n", "success", "95% CI", "p50 ms", "p95 ms", "cost $"]
    rows = [[*(getattr(r, g) for g in group_by), r.n, f"{r.success_rate:.0%}",
             f"{r.ci_low:.0%}-{r.ci_high:.0%}", r.p50_ms, r.p95_ms, round(r.cost_usd, 4)] for r in stats.rows]
    if args.csv:
        sys.stdout.write(csv_text(headers, rows))
        return 0
    if not stats.rows:
        print("no outcomes recorded yet (record_outcome, or `routesmith-mcp import FILE`)")
        return 0
    print(table(headers, rows, wrap_last=False))
    print(f"\n{stats.total_outcomes} outcomes")
    return 0


def _print_savings(args: argparse.Namespace) -> int:
    from routesmith_mcp.hosts.profiles import known_host_ids, load_profile
    from routesmith_mcp.render import csv_text, table
    from routesmith_mcp.store import StrongestModel

    def strongest(host_id: str) -> StrongestModel | None:
        if host_id not in known_host_ids():
            return None
        best = load_profile(host_id).strongest_priced()
        if best is None:
            return None
        return StrongestModel(model=best.id, input_usd_per_mtok=best.input_usd_per_mtok or 0.0,
                              output_usd_per_mtok=best.output_usd_per_mtok or 0.0)

    with _store(load_settings()) as store:
        report = store.savings(strongest=strongest, host=args.host, model=args.model, capability=args.capability,
                               task_type=args.task_type, since_days=args.since_days)
    if args.json:
        _print_json(report.model_dump(mode="json"))
        return 0
    headers = ["host", "model", "n", "compared", "actual $", "strongest", "strongest $", "saved $"]
    rows = [[r.host, r.model, r.n, r.compared, round(r.actual_cost_usd, 4), r.strongest_model,
             None if r.strongest_cost_usd is None else round(r.strongest_cost_usd, 4),
             None if r.saved_usd is None else round(r.saved_usd, 4)] for r in report.rows]
    if args.csv:
        sys.stdout.write(csv_text(headers, rows))
        return 0
    print(table(headers, rows, wrap_last=False))
    pct = f" ({report.saved_pct:.0%})" if report.saved_pct is not None else ""
    print(f"\nsaved ${report.saved_usd:.4f}{pct} against ${report.strongest_cost_usd:.4f} on the strongest models; "
          f"{report.not_compared} outcomes not compared (no tokens, cost or price)")
    for note in report.notes:
        print(f"note: {note}")
    return 0


def _print_decisions(args: argparse.Namespace) -> int:
    from routesmith_mcp.render import csv_text, table

    with _store(load_settings()) as store:
        counts = store.decisions(host=args.host, since_days=args.since_days)
    if args.json:
        _print_json([c.model_dump(mode="json") for c in counts])
        return 0
    headers = ["host", "model", "capability", "source", "n", "last"]
    rows = [[c.host, c.model, c.capability, c.source, c.n, c.last_at.strftime("%Y-%m-%d %H:%M")] for c in counts]
    if args.csv:
        sys.stdout.write(csv_text(headers, rows))
    elif not rows:
        print("no routing decisions logged yet (install the hook: routesmith-mcp install claude-code --hook)")
    else:
        print(table(headers, rows, wrap_last=False))
    return 0


def cmd_hosts(args: argparse.Namespace) -> int:
    from routesmith_mcp.hosts.detect import describe_hosts
    from routesmith_mcp.render import table

    hosts = describe_hosts()
    if args.json:
        _print_json(hosts)
        return 0
    print(table(["host", "name", "switch", "recognised by"],
                [[h["id"], h["display_name"], "yes" if h["can_switch"] else "prompt only", h["recognised_by"]]
                 for h in hosts]))
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from routesmith_mcp.doctor import run_doctor

    report = run_doctor(load_settings())
    if args.json:
        _print_json(report)
        return 0 if report["database"]["healthy"] else 1
    print(f"host:      {report['host']['id']} (confidence {report['host']['confidence']:.2f})")
    for line in report["host"]["evidence"]:
        print(f"           - {line}")
    db = report["database"]
    print(f"database:  {db['url']} ({'healthy' if db['healthy'] else 'PROBLEM'})")
    for key in ("backend", "schema_version", "outcomes", "plans", "file_size_bytes", "spool_pending"):
        if db.get(key) is not None:
            print(f"           {key}: {db[key]}")
    for problem in db.get("problems", []):
        print(f"           problem: {problem}")
    for fix in [*db.get("fixes", []), *([db["fix"]] if db.get("fix") else [])]:
        print(f"           fix: {fix}")
    print("config:    " + (", ".join(report["config_files"]) or "no config files found"))
    for note in report["advisories"]:
        print(f"note:      {note}")
    return 0 if db["healthy"] else 1


def cmd_install(args: argparse.Namespace) -> int:
    from routesmith_mcp.install import InstallError, install, uninstall

    action: Callable[..., Any] = uninstall if args.uninstall else install
    try:
        report = action(args.host, scope=args.scope, dry_run=args.dry_run, agents=args.agents, hook=args.hook,
                        home=Path.home(), cwd=Path.cwd(), command=_server_command())
    except InstallError as exc:
        raise UsageError(str(exc)) from exc
    print(report.render())
    return 0


def cmd_hook(args: argparse.Namespace) -> int:
    from routesmith_mcp.hooks_runtime import run_claude_pretooluse

    return run_claude_pretooluse(sys.stdin, sys.stdout)


def cmd_import(args: argparse.Namespace) -> int:
    if not args.file.is_file():
        raise UsageError(f"{args.file} is not a file: pass a JSONL file or a RouteSmith performance.json")
    with _store(load_settings()) as store:
        report = store.import_file(args.file)
    print(f"imported {report.imported:,} outcomes from {report.path} ({report.format}) in {report.seconds:.2f} s; "
          f"{report.rejected:,} rejected")
    for error in report.errors[:20]:
        print(f"  line {error.line}: {error.message}", file=sys.stderr)
    if report.rejected > 20:
        print(f"  … and {report.rejected - 20:,} more", file=sys.stderr)
    return 0 if report.imported or not report.rejected else 1


def cmd_prune(args: argparse.Namespace) -> int:
    if args.older_than is None and args.keep is None:
        raise UsageError("say what to delete: --older-than DAYS and/or --keep N")
    if (args.older_than is not None and args.older_than < 0) or (args.keep is not None and args.keep < 0):
        raise UsageError("--older-than and --keep must not be negative")
    with _store(load_settings()) as store:
        deleted = store.prune(older_than_days=args.older_than, keep=args.keep)
    print(f"deleted {deleted} outcomes")
    return 0


# -- helpers ----------------------------------------------------------------------------------------------------


class _store:
    """Open the telemetry store for one command; a failure becomes a message with the fix."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    def __enter__(self) -> Any:
        from routesmith_mcp.store import StoreError, TelemetryStore

        try:
            self.store = TelemetryStore.open(self.settings.db_url, home=self.settings.home)
        except StoreError as exc:
            raise RoutesmithError(f"{exc} (run `routesmith-mcp doctor`)") from exc
        return self.store

    def __exit__(self, *exc: object) -> None:
        self.store.close()


def _check_host(host_id: str) -> None:
    from routesmith_mcp.hosts.profiles import known_host_ids

    if host_id not in known_host_ids():
        raise UsageError(f"unknown host {host_id!r}; known: {', '.join(known_host_ids())}")


def _server_command() -> list[str]:
    return ["routesmith-mcp", "serve"]


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")
