"""The review-depth report: per repository, from the audit trail of the pull requests evaluated
in a window and their history on GitHub (README "Measure review depth" defines each number)."""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.core.report_trail import Evaluated, PullHistory, PullId

TIERS = ("L1", "L2", "L3")
STAMPED_TIERS = ("L2", "L3")
NO_EVALUATION = "no evaluation before merge"


@dataclass(frozen=True)
class Window:
    since: datetime
    until: datetime
    oldest_record: datetime | None  # the oldest audit record kept, whatever the window
    rubber_stamp_minutes: float = 5


@dataclass(frozen=True)
class Pull:
    """One evaluated pull request: the evaluation that stands for it and its history."""

    number: int
    url: str
    decided: Evaluated  # the last evaluation before the merge, else the last one
    evaluations: tuple[Evaluated, ...]
    history: PullHistory
    merged: bool
    before_merge: bool  # ``decided`` was made before the merge


def build_report(
    trails: Mapping[PullId, Sequence[Evaluated]],
    histories: Mapping[PullId, PullHistory],
    window: Window,
) -> dict[str, Any]:
    """The report as JSON data; ``trails`` hold the evaluations made in the window."""
    by_repo: dict[str, list[Pull]] = {}
    for key in sorted(trails):
        inside = [e for e in trails[key] if window.since <= e.at <= window.until]
        if inside and key in histories:
            by_repo.setdefault(key[0], []).append(_pull(key[1], inside, histories[key], window))
    return {
        "window": {
            "since": _iso(window.since),
            "until": _iso(window.until),
            "oldest_audit_record": _iso(window.oldest_record) if window.oldest_record else None,
            "before_oldest_record": window.oldest_record is None
            or window.since < window.oldest_record,
        },
        "repositories": [_repository(name, pulls, window) for name, pulls in by_repo.items()],
    }


def _pull(number: int, inside: Sequence[Evaluated], history: PullHistory, window: Window) -> Pull:
    merged_at = history.merged_at
    merged = merged_at is not None and merged_at <= window.until
    earlier = [e for e in inside if merged_at is None or e.at <= merged_at] if merged else []
    decided = earlier[-1] if earlier else inside[-1]
    return Pull(number, history.url, decided, tuple(inside), history, merged, bool(earlier))


def _repository(name: str, pulls: Sequence[Pull], window: Window) -> dict[str, Any]:
    ai = [p for p in pulls if p.decided.ai_assisted]
    invariants = sorted({i for p in pulls for i in p.decided.invariants})
    return {
        "repository": name,
        "tiers": {
            tier: _tier(tier, [p for p in pulls if p.decided.tier == tier]) for tier in TIERS
        },
        "rubber_stamp_rate": rubber_stamp_rate(pulls, window.rubber_stamp_minutes),
        "l3_merged_without_required_approval": [
            {"pull_number": p.number, "url": p.url, "missing": missing_approvals(p)}
            for p in pulls
            if p.merged and p.decided.tier == "L3" and missing_approvals(p)
        ],
        "invariant_touch_rate": {
            i: _share(sum(i in p.decided.invariants for p in pulls), len(pulls)) for i in invariants
        },
        "ai_assisted_share": _share(len(ai), len(pulls)),
        "generation_context_coverage": _share(
            sum(p.decided.generation_context for p in ai), len(ai)
        ),
        "time_to_first_review_seconds": {
            tier: first_review_seconds([p for p in pulls if p.decided.tier == tier])
            for tier in TIERS
        },
        "tiers_by_week": tiers_by_week(pulls),
    }


def _tier(tier: str, pulls: Sequence[Pull]) -> dict[str, Any]:
    merged = [p for p in pulls if p.merged]
    counts: dict[str, Any] = {"evaluated": len(pulls), "merged": len(merged)}
    if tier != "L1":
        counts["review_depth"] = _share(sum(not missing_approvals(p) for p in merged), len(merged))
    return counts


def missing_approvals(pull: Pull) -> list[str]:
    """The approval groups a merged pull request lacked at its last evaluation before merge."""
    if not pull.before_merge:
        return [NO_EVALUATION]
    return [r.name for r in pull.decided.requirements if r.approval and not r.met]


def rubber_stamp_rate(pulls: Sequence[Pull], minutes: float) -> float | None:
    """Approvals of L2/L3 pull requests given within ``minutes`` of the push of the commit
    they approve (the App's first evaluation of that commit), over all such approvals."""
    limit = timedelta(minutes=minutes)
    quick = total = 0
    for pull in pulls:
        if pull.decided.tier not in STAMPED_TIERS:
            continue
        pushed = _pushes(pull.evaluations)
        for review in pull.history.reviews:
            at = pushed.get(review.commit_id)
            if review.state != "APPROVED" or review.user == pull.history.author or at is None:
                continue
            total += 1
            quick += review.submitted_at - at <= limit
    return _share(quick, total)


def _pushes(evaluations: Sequence[Evaluated]) -> dict[str, datetime]:
    first: dict[str, datetime] = {}
    for item in evaluations:
        first.setdefault(item.head_sha, item.at)
    return first


def first_review_seconds(pulls: Sequence[Pull]) -> int | None:
    """The median time from opening to the first review by someone else, over the pull
    requests that had one."""
    waits = []
    for pull in pulls:
        times = [
            r.submitted_at
            for r in pull.history.reviews
            if r.user != pull.history.author and r.state != "PENDING"
        ]
        if times:
            waits.append((min(times) - pull.history.created_at).total_seconds())
    return round(statistics.median(waits)) if waits else None


def tiers_by_week(pulls: Sequence[Pull]) -> list[dict[str, Any]]:
    """Pull requests per ISO week of the evaluation that stands for them, by tier."""
    weeks: dict[str, dict[str, int]] = {}
    for pull in pulls:
        year, week, _ = pull.decided.at.isocalendar()
        row = weeks.setdefault(f"{year}-W{week:02d}", dict.fromkeys(TIERS, 0))
        row[pull.decided.tier] = row.get(pull.decided.tier, 0) + 1
    return [{"week": week, **weeks[week]} for week in sorted(weeks)]


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")
