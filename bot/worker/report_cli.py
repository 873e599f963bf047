"""The `review-tiers report` command: its options, and the run from them to the output."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the command's modules load when it runs, not with every command
    from bot.worker.report_run import ReportRequest

DEFAULT_DAYS = 30
BARE_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def add_report(sub: Any) -> argparse.ArgumentParser:
    """Register the command on the CLI's subparsers."""
    rp = sub.add_parser("report", help="review depth, rubber stamps and tiers from the audit log")
    rp.add_argument("--since", help="first day (YYYY-MM-DD or ISO 8601, UTC; default 30 days ago)")
    rp.add_argument("--until", help="last day, inclusive (default: now)")
    rp.add_argument("--repo", help="only this repository (OWNER/NAME)")
    rp.add_argument("--rubber-stamp-minutes", type=float, default=5.0, metavar="N")
    rp.add_argument("--format", choices=("json", "html"), default="json")
    rp.add_argument("--output", help="write to this file instead of standard output")
    rp.set_defaults(handler=cmd_report)
    return rp  # type: ignore[no-any-return]


def cmd_report(args: argparse.Namespace) -> int:
    from redis import Redis
    from redis.exceptions import RedisError

    from bot.ops.audit_store import AuditStoreError
    from bot.ops.errors import ReviewTiersError
    from bot.ops.settings import AppSettings
    from bot.worker.report_run import BudgetSpent, gather_report

    try:
        request = _request(args)
        settings = AppSettings.from_env(os.environ)

        def redis() -> Redis:
            return Redis.from_url(settings.redis_url)

        report = gather_report(settings, os.environ, redis, request)
    except (ValueError, RedisError, ReviewTiersError, AuditStoreError, BudgetSpent) as err:
        print(f"review-tiers: {err}", file=sys.stderr)
        return 1
    if report["window"]["before_oldest_record"]:
        print("review-tiers: the window starts before the oldest audit record", file=sys.stderr)
    if args.format == "html":
        from bot.core.report_html import render_report_html

        output = render_report_html(report)
    else:
        output = json.dumps(report, indent=2) + "\n"
    if args.output:
        Path(args.output).write_text(output, encoding="utf-8")
    else:
        sys.stdout.write(output)
    return 0


def _request(args: argparse.Namespace) -> ReportRequest:
    from bot.worker.report_run import ReportRequest

    now = datetime.now(UTC)
    until = _date(args.until, end_of_day=True) if args.until else now
    since = _date(args.since, end_of_day=False) if args.since else until - timedelta(DEFAULT_DAYS)
    if args.repo is not None and args.repo.count("/") != 1:
        raise ValueError(f"--repo: {args.repo!r} is not OWNER/NAME")
    if args.rubber_stamp_minutes < 0:
        raise ValueError("--rubber-stamp-minutes must be 0 or more")
    return ReportRequest(since, until, args.repo, args.rubber_stamp_minutes)


def _date(text: str, *, end_of_day: bool) -> datetime:
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError as err:
        raise ValueError(f"not a date: {text!r} (use YYYY-MM-DD or ISO 8601)") from err
    parsed = parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    if end_of_day and BARE_DATE.match(text.strip()):
        parsed += timedelta(days=1, microseconds=-1)
    return parsed.astimezone(UTC)
