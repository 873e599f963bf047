"""Gather the review-depth report: the audit records of the window (the durable trail when
configured, else the Redis stream), then each evaluated pull request's history read from GitHub
through the App's installation of its repository, once per pull request, while the rate limit
lasts."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from redis import Redis

from bot.core.report import Window, build_report
from bot.core.report_trail import PullHistory, PullId, parse_time, trails
from bot.evaluation.ports import RepoRef
from bot.gh.app_client import AppClient
from bot.gh.report_reads import HistoryReads
from bot.ops.audit_source import audit_records
from bot.ops.errors import PermanentGitHubError
from bot.ops.settings import AppSettings

log = logging.getLogger(__name__)

# Requests left in an installation's hourly budget under which the report stops reading: the
# App's evaluations need them more.
MIN_REMAINING = 200


class BudgetSpent(Exception):
    """An installation's rate limit fell under the floor before the report was read."""


@dataclass(frozen=True)
class ReportRequest:
    since: datetime
    until: datetime
    repository: str | None = None  # owner/name; None: every repository
    rubber_stamp_minutes: float = 5


def gather_report(
    settings: AppSettings,
    environ: Mapping[str, str],
    redis: Callable[[], Redis],
    request: ReportRequest,
) -> dict[str, Any]:
    """The report as JSON data. Raises BudgetSpent, or the errors of the audit source and of
    GitHub; a repository the App is no longer installed on is left out, with a warning."""
    records = [
        r
        for r in audit_records(environ, request.since, redis)
        if request.repository in (None, r.get("repository"))
    ]
    found = trails(records)
    window = Window(
        request.since, request.until, _oldest(environ, redis), request.rubber_stamp_minutes
    )
    histories = _histories(settings, redis(), found)
    return build_report(found, histories, window)


def _oldest(environ: Mapping[str, str], redis: Callable[[], Redis]) -> datetime | None:
    for record in audit_records(environ, None, redis):
        return parse_time(str(record["at"])) if record.get("at") else None
    return None


def _histories(
    settings: AppSettings, redis: Redis, found: Mapping[PullId, object]
) -> dict[PullId, PullHistory]:
    app = AppClient(settings)
    installed: dict[str, int | None] = {}
    readers: dict[int, HistoryReads] = {}
    histories: dict[PullId, PullHistory] = {}
    try:
        for name, number in sorted(found):
            if name not in installed:
                owner, repo = name.split("/", 1)
                installed[name] = app.repo_installation(owner, repo)
                if installed[name] is None:
                    log.warning("%s: the App is not installed there; left out", name)
            installation = installed[name]
            if installation is None:
                continue
            reader = readers.setdefault(installation, HistoryReads(settings, redis, installation))
            _check_budget(reader)
            ref = RepoRef(installation, *name.split("/", 1))
            try:
                histories[(name, number)] = reader.pull_history(ref, number)
            except PermanentGitHubError as err:  # e.g. a deleted pull request
                log.warning("%s#%d: not read (%s); left out", name, number, err)
    finally:
        app.close()
        for reader in readers.values():
            reader.close()
    return histories


def _check_budget(reader: HistoryReads) -> None:
    remaining = reader.rate_limit_remaining
    if remaining is not None and remaining < MIN_REMAINING:
        raise BudgetSpent(
            f"installation {reader.installation_id} has {remaining} requests left this hour, "
            f"under {MIN_REMAINING}: try again after its reset"
        )
