"""The `review-tiers` command line: evaluate, check-config, schema, serve, worker."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bot.core.diff import DiffError
from bot.core.models import Mode
from bot.core.names import CONFIG_PATH
from bot.core.policy import PolicyResult, parse_policy
from bot.core.render import decision_json, render_markdown, render_text
from bot.core.schema import policy_schema
from bot.local.backtest_cli import add_backtest
from bot.local.local_git import GitError
from bot.local.offline import InputError, LocalRequest, read_text, run_local
from bot.local.spec_checkouts import SpecNotGiven, checkout_loader, parse_spec_option
from bot.ops import env
from bot.ops.errors import SettingsError
from bot.ops.logs import quiet_libraries
from bot.worker.report_cli import add_report

if TYPE_CHECKING:
    from redis import Redis

Handler = Callable[[argparse.Namespace], int]
SHADOW_NOTE = (
    "mode: shadow (the App shows this tier in a neutral check and writes no labels, "
    "review requests or comments)"
)


def _print_problems(result: PolicyResult) -> None:
    print(f"{result.source}: invalid configuration", file=sys.stderr)
    for problem in result.problems:
        print(f"  {problem.render()}", file=sys.stderr)


def cmd_evaluate(args: argparse.Namespace) -> int:
    req = LocalRequest(
        repo=Path(args.repo),
        base=args.base,
        head=args.head,
        config_file=Path(args.config) if args.config else None,
        diff_file=Path(args.diff) if args.diff else None,
        labels=tuple(args.label or ()),
        specs=tuple(args.spec or ()),
    )
    result, evaluation = run_local(req)
    if evaluation is None:
        _print_problems(result)
        return 1
    facts, decision = evaluation.facts, evaluation.decision
    # The exit status never depends on the mode: it says whether the evaluation ran.
    mode = result.policy.mode if result.policy else Mode.ENFORCE
    if args.format == "json":
        shown = {**decision_json(facts, decision), "config": result.source, "mode": mode.value}
        print(json.dumps(shown, indent=2))
    elif args.format == "markdown":
        print(render_markdown(facts, decision), end="")
    else:
        print(render_text(facts, decision) + f"config: {result.source}")
    if mode is Mode.SHADOW:
        print(SHADOW_NOTE, file=sys.stderr if args.format != "text" else sys.stdout)
    return 0


def cmd_check_config(args: argparse.Namespace) -> int:
    loader = checkout_loader(dict(args.spec or ()))
    result = parse_policy(read_text(Path(args.file)), args.file, loader)
    if result.problems:
        _print_problems(result)
        return 1
    # With --resolved, stdout holds only the merged policy (JSON), so it can be piped.
    status = sys.stderr if args.resolved else sys.stdout
    print(f"{args.file}: valid (version 1)", file=status)
    if result.specs:
        print(f"  extends: {', '.join(s.origin for s in result.specs)}", file=status)
    if args.resolved:
        print(json.dumps(result.data, indent=2))
    # Warnings leave the file valid (exit status 0) but point at weak spots, such as a
    # required check that any app could report.
    for warning in result.warnings:
        print(f"  warning: {warning.render()}", file=sys.stderr)
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    print(json.dumps(policy_schema(), indent=2))
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from bot import service

    port = args.port if args.port is not None else int(os.environ.get("PORT", "8080"))
    return service.run_or_exit(service.serve, args.host, port)


def cmd_worker(args: argparse.Namespace) -> int:
    from bot import service

    return service.run_or_exit(service.work, args.burst)


def cmd_audit_export(args: argparse.Namespace) -> int:
    from bot.ops.audit import parse_since
    from bot.ops.audit_source import audit_records
    from bot.ops.audit_store import AuditStoreError
    from bot.service import StartupError, connect_redis

    def redis() -> Redis:
        return connect_redis(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"))

    try:
        since = parse_since(args.since) if args.since else None
        for record in audit_records(os.environ, since, redis):
            print(json.dumps(record, sort_keys=True))
    except (ValueError, StartupError, SettingsError, AuditStoreError) as err:
        print(f"review-tiers: {err}", file=sys.stderr)
        return 1
    return 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    """Exit 0 when the chain holds, 1 when it is broken, 2 when it could not be read."""
    from bot.ops.audit_chain import check_chain
    from bot.ops.audit_store import AuditStore, AuditStoreError

    try:
        url = env.audit_database_url(os.environ)
        if not url:
            raise SettingsError("REVIEW_TIERS_AUDIT_DATABASE_URL is not set: nothing to verify")
        with AuditStore(url) as store:
            report = check_chain(store.chain(), args.expect_head or "")
    except (SettingsError, AuditStoreError) as err:
        print(f"review-tiers: {err}", file=sys.stderr)
        return 2
    head = f"head record {report.head_seq} {report.head_hash}"
    if report.broken is not None:
        print(f"audit chain {report.broken.render()} ({report.records} intact before it)")
        return 1
    if args.expect_head and not report.known_found:
        print(f"audit chain rewritten: no record is sealed by {args.expect_head} ({head})")
        return 1
    print(f"audit chain intact: {report.records} record(s), {head}")
    return 0


def _spec_option(text: str) -> tuple[str, Path]:
    try:
        return parse_spec_option(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from err


def _spec_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--spec",
        action="append",
        type=_spec_option,
        metavar="OWNER/REPO=PATH",
        help="a local checkout of a spec repository that `extends` names (repeatable)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="review-tiers", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    ev = sub.add_parser("evaluate", help="classify a local branch or a diff file, offline")
    ev.add_argument("--repo", default=".", help="git repository (default: current directory)")
    ev.add_argument(
        "--base",
        help="base ref (default: the default branch); the change is measured from its merge-base",
    )
    ev.add_argument("--head", help="head ref (default: HEAD)")
    ev.add_argument("--config", help=f"config file (default: {CONFIG_PATH} at the base's tip)")
    ev.add_argument("--diff", help="a unified diff file instead of git refs")
    ev.add_argument("--label", action="append", help="simulate a PR label (repeatable)")
    ev.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    _spec_argument(ev)
    ev.set_defaults(handler=cmd_evaluate)
    cc = sub.add_parser("check-config", help="validate a config file; exit 1 on error")
    cc.add_argument("file")
    _spec_argument(cc)
    cc.add_argument(
        "--resolved", action="store_true", help="print the policy merged with its specs (JSON)"
    )
    cc.set_defaults(handler=cmd_check_config)
    sc = sub.add_parser("schema", help="print the JSON Schema of the config file")
    sc.set_defaults(handler=cmd_schema)
    sv = sub.add_parser("serve", help="run the webhook server")
    sv.add_argument("--host", default="0.0.0.0")
    sv.add_argument("--port", type=int, default=None, help="default: $PORT, else 8080")
    sv.set_defaults(handler=cmd_serve)
    wk = sub.add_parser("worker", help="run an evaluation worker")
    wk.add_argument("--burst", action="store_true", help="exit when the queue is empty")
    wk.set_defaults(handler=cmd_worker)
    au = sub.add_parser("audit", help="the audit log")
    au_sub = au.add_subparsers(dest="audit_command", required=True)
    ex = au_sub.add_parser("export", help="write audit records as JSON lines")
    ex.add_argument("--since", help="ISO date or date-time (UTC unless it says otherwise)")
    ex.set_defaults(handler=cmd_audit_export)
    ve = au_sub.add_parser("verify", help="check the durable trail's hash chain; exit 1 if broken")
    ve.add_argument("--expect-head", help="a head hash printed earlier: it must still be there")
    ve.set_defaults(handler=cmd_audit_verify)
    _spec_argument(add_backtest(sub))
    add_report(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    quiet_libraries()
    handler: Handler = args.handler
    try:
        return handler(args)
    except (GitError, DiffError, InputError, SpecNotGiven) as err:
        print(f"review-tiers: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
