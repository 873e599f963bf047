"""Observe the pull request's current state and apply planned actions through the port."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import assert_never

from bot.core.actions import (
    Action,
    AddLabels,
    CheckState,
    CreateCheck,
    CreateComment,
    DeleteComment,
    EditComment,
    RemoveLabel,
    RequestReviewers,
    UpdateCheck,
)
from bot.core.names import CHECK_NAME, COMMENT_MARKER
from bot.core.plan import Observed
from bot.evaluation.ports import CheckRunInfo, GitHubPort, PullInfo, RepoRef
from bot.ops.errors import ReviewTiersError, TransientGitHubError

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    done: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    retry: bool = False  # a secondary write failed transiently: run again later
    retry_after: float | None = None  # the longest wait GitHub asked for, if any


def observed_check(existing: CheckRunInfo | None) -> tuple[int | None, CheckState | None]:
    if existing is None:
        return None, None
    return existing.id, existing.output


def observe(port: GitHubPort, repo: RepoRef, pull: PullInfo, reviewed: tuple[str, ...]) -> Observed:
    """What is on GitHub now: the check on this head, labels, requests, the sticky comment."""
    check_id, check = observed_check(port.fetch_check_run(repo, pull.head_sha, CHECK_NAME))
    comment = port.fetch_sticky_comment(repo, pull.number, COMMENT_MARKER)
    return Observed(
        check_id=check_id,
        check=check,
        labels=pull.labels,
        requested_users=pull.requested_users,
        requested_teams=pull.requested_teams,
        reviewed_users=reviewed,
        author=pull.author,
        comment_id=comment.id if comment else None,
        comment=comment.body if comment else None,
    )


def run(port: GitHubPort, repo: RepoRef, pull: PullInfo, action: Action) -> None:
    """Make one write through the port; mypy checks that every kind of action has a branch."""
    number = pull.number
    match action:
        case CreateCheck(check=check):
            port.create_check_run(repo, pull.head_sha, CHECK_NAME, check)
        case UpdateCheck(check_id=check_id, check=check):
            port.update_check_run(repo, check_id, check)
        case AddLabels(names=names):
            port.add_labels(repo, number, names)
        case RemoveLabel(name=name):
            port.remove_label(repo, number, name)
        case RequestReviewers(users=users, teams=teams):
            port.request_reviewers(repo, number, users, teams)
        case CreateComment(body=body):
            port.create_comment(repo, number, body)
        case EditComment(comment_id=comment_id, body=body):
            port.edit_comment(repo, comment_id, body)
        case DeleteComment(comment_id=comment_id):
            port.delete_comment(repo, comment_id)
        case _:
            assert_never(action)


def apply(port: GitHubPort, repo: RepoRef, pull: PullInfo, actions: Sequence[Action]) -> Outcome:
    """The check is primary and must succeed (errors propagate so the job retries); labels,
    review requests and the comment are best effort: logged, and retried by the next run."""
    outcome = Outcome()
    for action in actions:
        if action.primary:
            run(port, repo, pull, action)
            outcome.done.append(action.describe())
            continue
        try:
            run(port, repo, pull, action)
        except ReviewTiersError as err:
            log.warning("secondary write failed: %s: %s", action.describe(), err)
            outcome.failed.append(f"{action.describe()}: {err}")
            if isinstance(err, TransientGitHubError):
                outcome.retry = True
                waits = [w for w in (outcome.retry_after, err.retry_after) if w is not None]
                outcome.retry_after = max(waits) if waits else None
        else:
            outcome.done.append(action.describe())
    return outcome
