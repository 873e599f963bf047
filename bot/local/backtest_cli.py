"""The `review-tiers backtest` command: its options, and the run from them to the output."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bot.core.backtest import backtest_json, summarize
from bot.core.backtest_html import render_backtest_html
from bot.core.backtest_text import render_backtest_text
from bot.local.backtest import BacktestRequest, fixed_policy, run_backtest
from bot.local.backtest_progress import ProgressReport
from bot.local.backtest_window import Window, parse_date
from bot.local.offline import InputError

DEFAULT_LIMIT = 1000


def add_backtest(sub: Any) -> argparse.ArgumentParser:
    """Register the command on the CLI's subparsers."""
    bt = sub.add_parser("backtest", help="classify the changes merged into the default branch")
    bt.add_argument("--repo", default=".", help="git repository (default: current directory)")
    bt.add_argument("--branch", help="branch to walk (default: origin/HEAD, main or master)")
    bt.add_argument("--since", help="first day (YYYY-MM-DD or ISO 8601, UTC), inclusive")
    bt.add_argument("--until", help="last day (YYYY-MM-DD or ISO 8601, UTC), inclusive")
    bt.add_argument("--config", help="judge every change by this file, not the policy at its base")
    bt.add_argument("--limit", type=int, default=DEFAULT_LIMIT, help="newest N changes (1000)")
    bt.add_argument("--format", choices=("text", "json", "html"), default="text")
    bt.add_argument("--output", help="write to this file instead of standard output")
    bt.set_defaults(handler=cmd_backtest)
    return bt  # type: ignore[no-any-return]


def cmd_backtest(args: argparse.Namespace) -> int:
    if args.limit < 0:
        raise InputError(f"--limit must be 0 or more, not {args.limit}")
    window = Window(
        since=parse_date(args.since, end_of_day=False) if args.since else None,
        until=parse_date(args.until, end_of_day=True) if args.until else None,
        limit=args.limit,
    )
    req = BacktestRequest(
        repo=Path(args.repo),
        window=window,
        branch=args.branch,
        config_file=Path(args.config) if args.config else None,
        specs=tuple(getattr(args, "spec", None) or ()),
    )
    fixed = fixed_policy(req)
    if fixed is not None and fixed.policy is None:
        print(f"{fixed.source}: invalid configuration", file=sys.stderr)
        for problem in fixed.problems:
            print(f"  {problem.render()}", file=sys.stderr)
        return 1
    progress = ProgressReport(sys.stderr)
    run = run_backtest(req, fixed, progress.update)
    progress.finish()
    summary = summarize(run.results, run.buckets)
    if args.format == "json":
        output = json.dumps(backtest_json(run.results, summary), indent=2) + "\n"
    elif args.format == "html":
        output = render_backtest_html(run.results, summary, run.tip)
    else:
        output = render_backtest_text(run.results, summary)
    _write(output, args.output)
    if not run.results and args.format != "text":
        print("review-tiers: no changes in the window", file=sys.stderr)
    return 0


def _write(output: str, path: str | None) -> None:
    if path is None:
        sys.stdout.write(output)
        return
    try:
        Path(path).write_text(output, encoding="utf-8")
    except OSError as err:
        raise InputError(f"cannot write {path}: {err.strerror or err}") from err
