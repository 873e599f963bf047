"""The review-depth report's numbers from audit records and pull-request histories."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from bot.core.report import Window, build_report
from bot.core.report_trail import PullHistory, ReviewEvent, trails

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # a Monday: ISO week 45
MINUTE = timedelta(minutes=1)
REPO = "acme/shop"


def record(number: int, at: datetime, tier: str = "L2", head: str = "h1", **more: Any) -> dict:
    return {
        "repository": REPO,
        "pull_number": number,
        "outcome": "evaluated",
        "at": at.isoformat(),
        "tier": tier,
        "head_sha": head,
        "requirements": more.pop("requirements", []),
        "facts": more.pop("facts", {}),
        **more,
    }


def history(number: int, merged: datetime | None = None, *reviews: ReviewEvent) -> PullHistory:
    url = f"https://github.com/{REPO}/pull/{number}"
    return PullHistory(url, "dev", T0 - timedelta(hours=1), merged, tuple(reviews))


def approval(at: datetime, user: str = "rev", commit: str = "h1") -> ReviewEvent:
    return ReviewEvent(user, "APPROVED", at, commit)


def report(records: list[dict], histories: dict, minutes: float = 5, **window: Any) -> dict:
    since = window.get("since", T0 - timedelta(days=1))
    until = window.get("until", T0 + timedelta(days=1))
    found = trails(records)
    keyed = {(REPO, n): h for n, h in histories.items()}
    result = build_report(found, keyed, Window(since, until, window.get("oldest", T0), minutes))
    return result


def repo(result: dict) -> dict:
    (only,) = result["repositories"]
    return only


def test_a_window_inside_the_log_says_it_is_covered() -> None:
    result = report([record(1, T0)], {1: history(1)}, since=T0, oldest=T0 - MINUTE)
    assert result["window"]["before_oldest_record"] is False
    assert report([], {}, since=T0, oldest=T0 + MINUTE)["window"]["before_oldest_record"] is True


def test_evaluations_outside_the_window_and_other_outcomes_are_left_out() -> None:
    records = [
        record(1, T0 - timedelta(days=3)),
        {**record(2, T0), "outcome": "closed", "tier": None},
        {**record(3, T0), "outcome": "invalid config", "tier": None},
    ]
    result = report(records, {n: history(n) for n in (1, 2, 3)})
    assert result["repositories"] == []


def test_the_requirements_at_the_last_evaluation_before_merge_decide_the_depth() -> None:
    unmet = [{"name": "architecture review", "obtained": 0, "required": 1, "kind": "approval"}]
    met = [{"name": "architecture review", "obtained": 1, "required": 1, "kind": "approval"}]
    check = [{"name": "test", "obtained": 0, "required": 1, "kind": "check"}]
    records = [
        record(1, T0, "L3", requirements=unmet),
        record(1, T0 + 9 * MINUTE, "L3", requirements=met + check),
        record(2, T0, "L3", requirements=met),
        record(2, T0 + 9 * MINUTE, "L3", requirements=unmet),  # after the merge: not counted
        record(3, T0 + 20 * MINUTE, "L3", requirements=met),  # only after the merge
    ]
    histories = {n: history(n, T0 + 5 * MINUTE) for n in (2, 3)}
    histories[1] = history(1, T0 + 10 * MINUTE)
    out = repo(report(records, histories))
    assert out["tiers"]["L3"] == {"evaluated": 3, "merged": 3, "review_depth": 0.6667}
    assert out["l3_merged_without_required_approval"] == [
        {"pull_number": 3, "url": histories[3].url, "missing": ["no evaluation before merge"]}
    ]


def test_a_merge_after_the_window_is_not_counted() -> None:
    records = [record(1, T0)]
    out = repo(report(records, {1: history(1, T0 + MINUTE)}, until=T0 + 0.5 * MINUTE))
    assert out["tiers"]["L2"] == {"evaluated": 1, "merged": 0, "review_depth": None}


def test_rubber_stamps_are_approvals_soon_after_the_push_of_the_commit_they_approve() -> None:
    records = [
        record(1, T0, head="h1"),
        record(1, T0 + 30 * MINUTE, head="h2"),
        record(2, T0, "L1"),
    ]
    reviews = (
        approval(T0 + 4 * MINUTE),  # h1, pushed at T0: within 5 minutes
        approval(T0 + 31 * MINUTE, commit="h2"),  # within 5 minutes of h2's push
        approval(T0 + 40 * MINUTE, user="other", commit="h2"),  # 10 minutes: not
        approval(T0 + MINUTE, user="dev"),  # the author's own: not counted
        approval(T0 + MINUTE, commit="never-evaluated"),  # unknown push: not counted
        ReviewEvent("rev", "COMMENTED", T0 + MINUTE, "h1"),  # not an approval
    )
    histories = {1: history(1, None, *reviews), 2: history(2, None, approval(T0 + MINUTE))}
    assert repo(report(records, histories))["rubber_stamp_rate"] == 0.6667
    assert repo(report(records, histories, minutes=20))["rubber_stamp_rate"] == 1.0
    assert repo(report(records, histories, minutes=0.5))["rubber_stamp_rate"] == 0.0


def test_first_review_is_the_median_wait_per_tier_without_the_author_or_pending() -> None:
    records = [record(1, T0), record(2, T0), record(3, T0), record(4, T0, "L3")]
    histories = {
        1: history(1, None, ReviewEvent("rev", "COMMENTED", T0, "h1")),  # 1 hour after opening
        2: history(2, None, approval(T0 + timedelta(hours=2)), approval(T0, user="dev")),
        3: history(3, None, ReviewEvent("rev", "PENDING", T0, "h1")),
        4: history(4),
    }
    waits = repo(report(records, histories))["time_to_first_review_seconds"]
    assert waits == {"L1": None, "L2": 7200, "L3": None}


def test_shares_of_ai_assistance_context_and_invariants() -> None:
    ai = {"ai_assisted": True}
    records = [
        record(1, T0, facts={**ai, "generation_context": True, "invariants": ["money"]}),
        record(2, T0, facts=ai),  # written before the fact was kept: not kept
        record(3, T0, facts={"invariants": ["money", "auth"]}),
        record(4, T0 + timedelta(days=7), "L1"),
    ]
    out = repo(report(records, {n: history(n) for n in range(1, 5)}, until=T0 + timedelta(8)))
    assert out["ai_assisted_share"] == 0.5
    assert out["generation_context_coverage"] == 0.5
    assert out["invariant_touch_rate"] == {"auth": 0.25, "money": 0.5}
    assert out["tiers_by_week"] == [
        {"week": "2026-W45", "L1": 0, "L2": 3, "L3": 0},
        {"week": "2026-W46", "L1": 1, "L2": 0, "L3": 0},
    ]


def test_requirements_without_a_kind_are_approvals() -> None:
    old = [{"name": "backend", "obtained": 0, "required": 1}]
    records = [record(1, T0, "L3", requirements=old)]
    out = repo(report(records, {1: history(1, T0 + MINUTE)}))
    assert out["l3_merged_without_required_approval"][0]["missing"] == ["backend"]
