"""The webhook events the App handles and what each asks for: one handler per event, all of
them registered in EVENTS.

A handler reads a delivery's payload and returns its requests (bot.state.requests), or a Skip
saying why it needs nothing; it raises PayloadError when the payload lacks what it reads.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from bot.core.names import RECHECK_COMMAND
from bot.intake.payload import PayloadError, field_at, number_at, object_at, optional_at
from bot.intake.pushes import read_push
from bot.state.requests import (
    CommitRequest,
    EvaluateRequest,
    LabelClaim,
    Lifecycle,
    LifecycleRequest,
    MergeGroupRequest,
    PushRequest,
    Request,
)

PULL_REQUEST_ACTIONS = frozenset(
    {"opened", "reopened", "synchronize", "ready_for_review", "edited", "labeled", "unlabeled"}
)
REVIEW_ACTIONS = frozenset({"submitted", "dismissed", "edited"})
COMMENT_ACTIONS = frozenset({"created", "edited"})
# The branches GitHub's merge queue creates for its merge groups, one per group head.
MERGE_QUEUE_BRANCH = "gh-readonly-queue/"


@dataclass(frozen=True)
class Skip:
    """A delivery that needs no evaluation, with the reason shown in the response."""

    reason: str


@dataclass(frozen=True)
class Delivery:
    """One verified delivery, as a handler sees it."""

    event: str
    delivery_id: str
    payload: Mapping[str, Any]
    app_id: int

    def ids(self) -> tuple[str, str, int, str, str]:
        """What every request about the delivery's repository starts with: the delivery, the
        event, the installation, the owner and the repository's name."""
        installation_id = optional_at(self.payload, "installation.id", int)
        if installation_id is None:
            raise PayloadError("no installation id: is this delivery for a GitHub App?")
        owner = field_at(self.payload, "repository.owner.login", str)
        repo = field_at(self.payload, "repository.name", str)
        return (self.delivery_id, self.event, installation_id, owner, repo)


Routed = list[Request] | Skip


@dataclass(frozen=True)
class EventRoute:
    handle: Callable[[Delivery], Routed]
    # Ping and installation events concern the App itself: none is caused by the App's own
    # writes, and their reasons stand alone. The events of a repository are skipped when the
    # App's own writes caused them, and their reasons name the event.
    app_level: bool = False


def _pull_request(d: Delivery) -> Routed:
    """A closed pull request ends its state in the App (and its merge is recorded)."""
    if field_at(d.payload, "action", str) != "closed":
        return _pull_event(d, PULL_REQUEST_ACTIONS)
    closed = Lifecycle(
        "closed",
        merged=bool(optional_at(d.payload, "pull_request.merged", bool)),
        merged_at=optional_at(d.payload, "pull_request.merged_at", str),
        head_sha=field_at(d.payload, "pull_request.head.sha", str),
    )
    number = number_at(d.payload, "pull_request.number")
    return [LifecycleRequest(*d.ids(), number, closed)]


def _pull_event(d: Delivery, actions: frozenset[str]) -> Routed:
    payload = d.payload
    action = field_at(payload, "action", str)
    if action not in actions:
        return Skip(f"action {action} is not handled")
    number = _open_pull(payload, "pull_request")
    if isinstance(number, Skip):
        return number
    claim = None
    if action in ("labeled", "unlabeled"):
        claim = LabelClaim(
            action,
            field_at(payload, "label.name", str),
            field_at(payload, "sender.login", str),
            field_at(payload, "pull_request.head.sha", str),
            field_at(payload, "pull_request.base.ref", str),
        )
    return [EvaluateRequest(*d.ids(), number, label=claim)]


def _open_pull(payload: Mapping[str, Any], key: str) -> int | Skip:
    number = number_at(payload, f"{key}.number")
    state = field_at(payload, f"{key}.state", str)
    if state != "open":
        return Skip(f"pull request #{number} is {state}")
    return number


def _comment(d: Delivery) -> Routed:
    payload = d.payload
    action = field_at(payload, "action", str)
    if action not in COMMENT_ACTIONS:
        return Skip(f"action {action} is not handled")
    issue = object_at(payload, "issue")
    if issue.get("pull_request") is None:
        return Skip("comment is on an issue, not a pull request")
    body = optional_at(payload, "comment.body", str) or ""
    lines = body.strip().splitlines()
    # Compare case- and spacing-insensitively: "/Review-Tiers  recheck" is the same request.
    if not lines or " ".join(lines[0].split()).lower() != RECHECK_COMMAND:
        return Skip("comment is not a recheck command")
    actor = field_at(payload, "comment.user.login", str)
    number = _open_pull(payload, "issue")
    if isinstance(number, Skip):
        return number
    return [EvaluateRequest(*d.ids(), number, actor=actor)]


def _check_event(d: Delivery, key: str) -> Routed:
    action = field_at(d.payload, "action", str)
    ours = optional_at(d.payload, f"{key}.app.id", int) == d.app_id
    # A re-run of our check arrives as check_run rerequested, or as check_suite rerequested
    # for "Re-run all checks"; completions of other apps' checks may satisfy a requirement.
    if (action == "rerequested" and ours) or (action == "completed" and not ours):
        return _check_pulls(d, key)
    whose = "our own" if ours else "another app's"
    return Skip(f"action {action} on {whose} check is not handled")


def _check_pulls(d: Delivery, key: str) -> list[Request]:
    entries = field_at(d.payload, f"{key}.pull_requests", list)
    repo_id = optional_at(d.payload, "repository.id", int)
    numbers: list[int] = []
    for index, entry in enumerate(entries):
        where = f"{key}.pull_requests[{index}]"
        # GitHub may list pull requests of other repositories that share the head commit.
        base_repo = optional_at(entry, "base.repo.id", int, where)
        if repo_id is not None and base_repo is not None and base_repo != repo_id:
            continue
        number = number_at(entry, "number", where)
        if number not in numbers:
            numbers.append(number)
    if numbers:
        ids = d.ids()
        return [EvaluateRequest(*ids, n) for n in numbers]
    # The list is empty for pull requests from forks, so fall back to a lookup by head commit.
    sha = field_at(d.payload, f"{key}.head_sha", str)
    if field_at(d.payload, "action", str) == "rerequested" and _in_merge_queue(d, key):
        # A merge group's head belongs to no pull request: re-run the group's own check.
        return [MergeGroupRequest(*d.ids(), sha)]
    return [CommitRequest(*d.ids(), sha)]


def _in_merge_queue(d: Delivery, key: str) -> bool:
    at = "check_suite.head_branch" if key == "check_suite" else f"{key}.check_suite.head_branch"
    return (optional_at(d.payload, at, str) or "").startswith(MERGE_QUEUE_BRANCH)


def _merge_group(d: Delivery) -> Routed:
    """A merge group asks for checks on its head, or is destroyed (merged, dequeued or
    invalidated), which ends what the App kept for it."""
    action = field_at(d.payload, "action", str)
    if action not in ("checks_requested", "destroyed"):
        return Skip(f"action {action} is not handled")
    head = field_at(d.payload, "merge_group.head_sha", str)
    if action == "destroyed":
        return [MergeGroupRequest(*d.ids(), head, ended=True)]
    base_sha = field_at(d.payload, "merge_group.base_sha", str)
    base_ref = field_at(d.payload, "merge_group.base_ref", str)
    return [MergeGroupRequest(*d.ids(), head, base_sha, base_ref)]


def _status(d: Delivery) -> Routed:
    sha = field_at(d.payload, "sha", str)
    return [CommitRequest(*d.ids(), sha)]


def _push(d: Delivery) -> Routed:
    scope = read_push(d.payload)
    if isinstance(scope, str):
        return Skip(scope)
    return [PushRequest(*d.ids(), scope.branch, scope.default_branch, scope.policy_changed)]


# The installation events that end state, and the payload list naming their repositories.
_INSTALLATION_ACTIONS: dict[tuple[str, str], tuple[str, str | None]] = {
    ("installation", "deleted"): ("installation deleted", None),
    ("installation_repositories", "removed"): ("repositories removed", "repositories_removed"),
    ("installation_repositories", "added"): ("repositories added", "repositories_added"),
}


def _installation(d: Delivery) -> Routed:
    payload = d.payload
    found = _INSTALLATION_ACTIONS.get((d.event, field_at(payload, "action", str)))
    if found is None:
        return Skip("installation event logged")
    action, listed = found
    repos: list[tuple[str, str]] = []
    for index, entry in enumerate(field_at(payload, listed, list) if listed else []):
        owner, _, name = field_at(entry, "full_name", str, f"{listed}[{index}]").partition("/")
        repos.append((owner, name))
    installation_id = field_at(payload, "installation.id", int)
    account = optional_at(payload, "installation.account.login", str) or ""
    lifecycle = Lifecycle(action, repos=tuple(repos))
    return [LifecycleRequest(d.delivery_id, d.event, installation_id, account, "", None, lifecycle)]


# Every event the App handles. GitHub sends an App only the events its registration subscribes
# to (app.yml's default_events), plus ping and installation events; any other is skipped.
EVENTS: dict[str, EventRoute] = {
    "ping": EventRoute(lambda _: Skip("ping"), app_level=True),
    "installation": EventRoute(_installation, app_level=True),
    "installation_repositories": EventRoute(_installation, app_level=True),
    "pull_request": EventRoute(_pull_request),
    "pull_request_review": EventRoute(lambda d: _pull_event(d, REVIEW_ACTIONS)),
    "issue_comment": EventRoute(_comment),
    "check_run": EventRoute(lambda d: _check_event(d, "check_run")),
    "check_suite": EventRoute(lambda d: _check_event(d, "check_suite")),
    "status": EventRoute(_status),
    "merge_group": EventRoute(_merge_group),
    "push": EventRoute(_push),
}
