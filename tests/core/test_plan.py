"""Converge, don't append: plan.diff writes only the difference, in GitHub's own terms."""

from __future__ import annotations

import pytest

from bot.core.actions import (
    AddLabels,
    CheckState,
    CreateComment,
    DeleteComment,
    EditComment,
    RemoveLabel,
    RequestReviewers,
)
from bot.core.config import LabelPolicy
from bot.core.plan import Desired, Observed, check_actions, diff

RUNNING = CheckState("in_progress", None, "L2: waiting", "summary")
PASSED = CheckState("completed", "success", "L2: requirements met", "summary")
FAILED = CheckState("completed", "failure", "L2: over the hard size limit", "summary")


@pytest.mark.parametrize(
    ("observed", "desired", "kinds"),
    [
        (None, RUNNING, ["create_check"]),
        (RUNNING, RUNNING, []),
        (RUNNING, PASSED, ["update_check"]),
        (PASSED, RUNNING, ["create_check"]),  # a completed run cannot be reopened
        (FAILED, PASSED, ["create_check"]),  # nor change its conclusion
        (
            PASSED,
            CheckState("completed", "success", "L2: requirements met", "new text"),
            ["update_check"],
        ),
    ],
)
def test_check_actions(observed, desired, kinds) -> None:
    check_id = None if observed is None else 5
    assert [a.kind for a in check_actions(desired, check_id, observed)] == kinds


def observed(**overrides) -> Observed:
    base = dict(
        check_id=5,
        check=RUNNING,
        labels=("tier/L2", "size/S"),
        requested_users=("amy",),
        requested_teams=("acme/core",),
        reviewed_users=("bob",),
        author="dev",
        comment_id=None,
        comment=None,
    )
    return Observed(**{**base, **overrides})


def desired(**overrides) -> Desired:
    base = dict(
        check=RUNNING,
        labels=("tier/L2", "size/S"),
        remove_labels=(),
        users=("amy", "bob", "dev"),
        teams=("acme/core",),
        comment=None,
    )
    return Desired(**{**base, **overrides})


def test_converged_pull_needs_no_writes() -> None:
    assert diff(desired(), observed(), LabelPolicy()) == ()


def test_stale_managed_labels_go_and_new_ones_come() -> None:
    actions = diff(desired(labels=("tier/L3", "size/S")), observed(), LabelPolicy())
    assert actions == (AddLabels(("tier/L3",)), RemoveLabel("tier/L2"))
    assert [a.describe() for a in actions] == ["add_labels(tier/L3)", "remove_label(tier/L2)"]


def test_review_requests_skip_author_reviewers_and_requested_in_batches_of_15() -> None:
    users = tuple(f"u{i}" for i in range(20))
    actions = diff(desired(users=(*users, "dev", "bob", "amy")), observed(), LabelPolicy())
    batches = [a for a in actions if isinstance(a, RequestReviewers)]
    assert [len(b.users) for b in batches] == [15, 5] and "dev" not in batches[1].users
    assert all(b.teams == () for b in batches) and len(actions) == 2


def test_comment_created_edited_and_deleted() -> None:
    assert diff(desired(comment="x"), observed(), LabelPolicy()) == (CreateComment("x"),)
    assert diff(desired(comment="y"), observed(comment_id=3, comment="x"), LabelPolicy()) == (
        EditComment(3, "y"),
    )
    assert diff(desired(comment="x"), observed(comment_id=3, comment="x"), LabelPolicy()) == ()
    assert diff(desired(), observed(comment_id=3, comment="x"), LabelPolicy()) == (
        DeleteComment(3),
    )
