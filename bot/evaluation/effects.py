"""Observe the pull request's current state and apply planned actions through the port."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from bot.core.names import CHECK_NAME, COMMENT_MARKER
from bot.core.plan import Action, CheckState, Observed
from bot.evaluation.ports import CheckRunInfo, GitHubPort, PullInfo, RepoRef
from bot.ops.errors import ReviewTiersError, TransientGitHubError

log = logging.getLogger(__name__)
PRIMARY = frozenset({"create_check", "update_check"})


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


def _output(check: CheckState | None) -> CheckState:
    assert check is not None
    return check


def _run(port: GitHubPort, repo: RepoRef, pull: PullInfo, action: Action) -> None:
    number = pull.number
    if action.kind == "create_check":
        port.create_check_run(repo, pull.head_sha, CHECK_NAME, _output(action.check))
    elif action.kind == "update_check":
        port.update_check_run(repo, action.target or 0, _output(action.check))
    elif action.kind == "add_labels":
        port.add_labels(repo, number, action.names)
    elif action.kind == "remove_label":
        port.remove_label(repo, number, action.names[0])
    elif action.kind == "request_reviewers":
        port.request_reviewers(repo, number, action.names, action.teams)
    elif action.kind == "create_comment":
        port.create_comment(repo, number, action.body)
    elif action.kind == "edit_comment":
        port.edit_comment(repo, action.target or 0, action.body)
    elif action.kind == "delete_comment":
        port.delete_comment(repo, action.target or 0)
    else:
        raise ValueError(f"unknown action {action.kind}")


def describe(action: Action) -> str:
    detail = ", ".join((*action.names, *(f"team:{t}" for t in action.teams)))
    if action.check is not None:
        detail = f"{action.check.status}/{action.check.conclusion or '-'}"
    return f"{action.kind}({detail})" if detail else action.kind


def apply(
    port: GitHubPort, repo: RepoRef, pull: PullInfo, actions: tuple[Action, ...] | list[Action]
) -> Outcome:
    """The check is primary and must succeed (errors propagate so the job retries); labels,
    review requests and the comment are best effort: logged, and retried by the next run."""
    outcome = Outcome()
    for action in actions:
        if action.kind in PRIMARY:
            _run(port, repo, pull, action)
            outcome.done.append(describe(action))
            continue
        try:
            _run(port, repo, pull, action)
        except ReviewTiersError as err:
            log.warning("secondary write failed: %s: %s", describe(action), err)
            outcome.failed.append(f"{describe(action)}: {err}")
            if isinstance(err, TransientGitHubError):
                outcome.retry = True
                waits = [w for w in (outcome.retry_after, err.retry_after) if w is not None]
                outcome.retry_after = max(waits) if waits else None
        else:
            outcome.done.append(describe(action))
    return outcome
