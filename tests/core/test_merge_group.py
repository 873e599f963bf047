"""The merge group's decision: success only when every pull request passed its own check."""

from __future__ import annotations

import pytest

from bot.core.merge_group import (
    SHOWN_LIMIT,
    GroupFacts,
    GroupMember,
    check_for_group,
    check_for_group_gave_up,
    judge_member,
)

HEAD = "ab" * 20


def member(number: int, status: str | None = "completed", conclusion: str | None = "success"):
    head = f"{number:x}" * 40
    return GroupMember(number, f"Change {number}", head[:40], status, conclusion, "L2")


def group(*members: GroupMember, unread: str = "", shadow: bool = False) -> GroupFacts:
    return GroupFacts(HEAD, "main", 2 * len(members), members, unread, shadow)


@pytest.mark.parametrize(
    ("status", "conclusion", "passed", "why"),
    [
        ("completed", "success", True, "its review-tiers check on 1111111 passed"),
        (None, None, False, "no review-tiers check on its head 1111111"),
        ("in_progress", None, False, "its review-tiers check on 1111111 is in progress"),
        ("queued", None, False, "its review-tiers check on 1111111 is queued"),
        ("completed", "failure", False, "its review-tiers check on 1111111 is failure"),
        # The App's check is neutral only in shadow mode: it blocks nothing (see below).
        (
            "completed",
            "neutral",
            True,
            "its review-tiers check on 1111111 is neutral (shadow mode: nothing enforced)",
        ),
        # GitHub counts skipped as passing; the group does not.
        ("completed", "skipped", False, "its review-tiers check on 1111111 is skipped"),
        ("completed", None, False, "its review-tiers check on 1111111 is no conclusion"),
    ],
)
def test_a_pull_request_passes_only_on_a_successful_check(
    status: str | None, conclusion: str | None, passed: bool, why: str
) -> None:
    verdict = judge_member(member(1, status, conclusion), shadow=True)
    assert (verdict.passed, verdict.why) == (passed, why)


def test_every_pull_request_passed_is_success() -> None:
    state = check_for_group(group(member(2), member(1)))
    assert (state.status, state.conclusion) == ("completed", "success")
    assert state.title == "2 pull request(s), each passed review-tiers"
    assert state.summary.index("| #1 Change 1 | L2 |") < state.summary.index("| #2 Change 2 |")


def test_a_group_with_a_pull_request_in_shadow_mode_is_neutral() -> None:
    state = check_for_group(group(member(1), member(2, "completed", "neutral"), shadow=True))
    assert (state.status, state.conclusion) == ("completed", "neutral")
    assert state.title == "Shadow: 1 of 2 pull request(s) in shadow mode"


def test_a_neutral_check_left_from_shadow_mode_blocks_a_group_that_enforces() -> None:
    # The repository left shadow mode; a pull request not evaluated since keeps its neutral
    # check, which GitHub counts as passing: the group must not pass on it.
    state = check_for_group(group(member(1), member(2, "completed", "neutral")))
    assert (state.status, state.conclusion) == ("completed", "failure")
    assert state.title.startswith("#2 blocks the group: its review-tiers check on 2222222 is")
    assert "enforces now" in state.title


def test_shadow_mode_does_not_hide_a_failing_pull_request() -> None:
    state = check_for_group(
        group(member(1, "completed", "neutral"), member(2, "completed", "failure"), shadow=True)
    )
    assert state.conclusion == "failure"
    assert state.title.startswith("#2 blocks the group")


def test_one_pull_request_not_passed_fails_the_group_and_is_named() -> None:
    state = check_for_group(group(member(1), member(2, "in_progress", None)))
    assert (state.status, state.conclusion) == ("completed", "failure")
    assert state.title == "#2 blocks the group: its review-tiers check on 2222222 is in progress"
    assert "| #2 Change 2 | L2 | ❌ its review-tiers check on 2222222 is in progress |" in (
        state.summary
    )
    assert "| #1 Change 1 | L2 | ✅ its review-tiers check on 1111111 passed |" in state.summary


def test_several_blocking_pull_requests_are_counted_in_the_title() -> None:
    state = check_for_group(
        group(member(3, None, None), member(1), member(2, "completed", "failure"))
    )
    assert state.conclusion == "failure"
    assert state.title.startswith("#2 blocks the group:") and state.title.endswith("(and 1 more)")


def test_no_pull_request_found_fails_closed() -> None:
    state = check_for_group(group())
    assert (state.conclusion, state.title) == (
        "failure",
        "No pull request found in the merge group",
    )
    assert "No open pull request into the group's base branch" in state.summary


def test_a_range_not_read_in_full_fails_closed_whatever_was_found() -> None:
    state = check_for_group(group(member(1), unread="400 commits, of which 300 could be read"))
    assert state.conclusion == "failure"
    assert state.title == "Merge group not read: 400 commits, of which 300 could be read"


def test_a_tier_not_recorded_is_said_so_and_decides_nothing() -> None:
    unknown = GroupMember(1, "Change", "1" * 40, "completed", "success", None)
    state = check_for_group(group(unknown))
    assert state.conclusion == "success"
    assert "| #1 Change | not recorded | ✅" in state.summary


def test_a_title_cannot_break_the_table_or_inject_markup() -> None:
    hostile = GroupMember(1, "a | b <img src=x> [x](y)\n`z`" + "w" * 200, "1" * 40, None, None)
    summary = check_for_group(group(hostile)).summary
    row = next(line for line in summary.splitlines() if line.startswith("| #1 "))
    assert row.count(" | ") == 2 and "<img" not in row and "\\[x\\](y)" in row
    assert len(row) < 300


def test_a_long_group_lists_a_bounded_number_of_pull_requests() -> None:
    many = [member(n) for n in range(1, SHOWN_LIMIT + 11)]
    state = check_for_group(group(*many))
    assert state.conclusion == "success"
    assert state.summary.count("\n| #") == SHOWN_LIMIT
    assert "… and 10 more pull request(s)." in state.summary


def test_giving_up_fails_the_group() -> None:
    state = check_for_group_gave_up(8, "GitHub answered 502\nagain")
    assert (state.status, state.conclusion) == ("completed", "failure")
    assert "GitHub answered 502 again" in state.summary
