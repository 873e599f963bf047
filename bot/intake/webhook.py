"""Pure webhook handling: signature check and routing a delivery to evaluation requests."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from bot.core.names import RECHECK_COMMAND
from bot.state.requests import (
    CommitRequest,
    EvaluateRequest,
    LabelClaim,
    Lifecycle,
    LifecycleRequest,
    Request,
)

PULL_REQUEST_ACTIONS = frozenset(
    {"opened", "reopened", "synchronize", "ready_for_review", "edited", "labeled", "unlabeled"}
)
REVIEW_ACTIONS = frozenset({"submitted", "dismissed", "edited"})
COMMENT_ACTIONS = frozenset({"created", "edited"})

_T = TypeVar("_T")


class PayloadError(ValueError):
    """A delivery whose JSON lacks a field the router needs, or holds the wrong type."""


@dataclass(frozen=True)
class Skip:
    """A delivery that needs no evaluation, with the reason shown in the response."""

    reason: str


@dataclass(frozen=True)
class _Target:
    number: int | None
    sha: str | None = None
    actor: str | None = None
    label: LabelClaim | None = None
    lifecycle: Lifecycle | None = None


def verify_signature(secret: str, body: bytes, header: str | None) -> bool:
    """Check an ``X-Hub-Signature-256`` header against the raw body, in constant time."""
    if not secret:
        return False
    return signature_matches(hmac.new(secret.encode(), body, hashlib.sha256).hexdigest(), header)


def signature_matches(expected: str, header: str | None) -> bool:
    """Compare an HMAC-SHA256 hex digest with an ``X-Hub-Signature-256`` header, in constant
    time."""
    if header is None:
        return False
    prefix, _, received = header.strip().partition("=")
    if prefix != "sha256" or not received:
        return False
    # compare_digest refuses non-ASCII str, so compare bytes; header values may hold anything.
    return hmac.compare_digest(expected.encode(), received.lower().encode("utf-8", "replace"))


def route(
    event: str, delivery_id: str, payload: Mapping[str, Any], *, app_id: int, app_slug: str
) -> list[Request] | Skip:
    """Decide which pull requests a delivery asks to evaluate, or why it needs nothing."""
    if not isinstance(payload, Mapping):
        raise PayloadError("payload is not a JSON object")
    if event == "ping":
        return Skip("ping")
    if event in ("installation", "installation_repositories"):
        return _installation(event, delivery_id, payload)
    if event.startswith("installation"):
        return Skip("installation event logged")
    if _optional(payload, "sender.login", str) == f"{app_slug}[bot]":
        return Skip("event caused by the app itself")
    handler = _HANDLERS.get(event)
    if handler is None:
        return Skip(f"event {event} is not handled")
    targets = handler(payload, app_id)
    if isinstance(targets, Skip):
        return Skip(f"{event}: {targets.reason}")
    return _requests(event, delivery_id, payload, targets)


def _requests(
    event: str, delivery_id: str, payload: Mapping[str, Any], targets: list[_Target]
) -> list[Request]:
    installation_id = _optional(payload, "installation.id", int)
    if installation_id is None:
        raise PayloadError("no installation id: is this delivery for a GitHub App?")
    owner = _field(payload, "repository.owner.login", str)
    repo = _field(payload, "repository.name", str)
    ids = (delivery_id, event, installation_id, owner, repo)
    return [_request(ids, t) for t in targets]


def _request(ids: tuple[str, str, int, str, str], target: _Target) -> Request:
    if target.lifecycle is not None:
        return LifecycleRequest(*ids, target.number, target.lifecycle)
    if target.number is None:
        return CommitRequest(*ids, target.sha or "")
    return EvaluateRequest(*ids, target.number, target.actor, target.label)


# The installation events that end state, and the payload list naming their repositories.
_INSTALLATION_ACTIONS: dict[tuple[str, str], tuple[str, str | None]] = {
    ("installation", "deleted"): ("installation deleted", None),
    ("installation_repositories", "removed"): ("repositories removed", "repositories_removed"),
    ("installation_repositories", "added"): ("repositories added", "repositories_added"),
}


def _installation(event: str, delivery_id: str, payload: Mapping[str, Any]) -> list[Request] | Skip:
    found = _INSTALLATION_ACTIONS.get((event, _field(payload, "action", str)))
    if found is None:
        return Skip("installation event logged")
    action, listed = found
    repos: list[tuple[str, str]] = []
    for index, entry in enumerate(_field(payload, listed, list) if listed else []):
        owner, _, name = _field(entry, "full_name", str, f"{listed}[{index}]").partition("/")
        repos.append((owner, name))
    installation_id = _field(payload, "installation.id", int)
    account = _optional(payload, "installation.account.login", str) or ""
    lifecycle = Lifecycle(action, repos=tuple(repos))
    return [LifecycleRequest(delivery_id, event, installation_id, account, "", None, lifecycle)]


def _pull_request(payload: Mapping[str, Any]) -> list[_Target] | Skip:
    """A closed pull request ends its state in the App (and its merge is recorded)."""
    if _field(payload, "action", str) != "closed":
        return _pull_event(payload, PULL_REQUEST_ACTIONS)
    closed = Lifecycle(
        "closed",
        merged=bool(_optional(payload, "pull_request.merged", bool)),
        merged_at=_optional(payload, "pull_request.merged_at", str),
        head_sha=_field(payload, "pull_request.head.sha", str),
    )
    return [_Target(_number(payload, "pull_request.number"), lifecycle=closed)]


def _pull_event(payload: Mapping[str, Any], actions: frozenset[str]) -> list[_Target] | Skip:
    action = _field(payload, "action", str)
    if action not in actions:
        return Skip(f"action {action} is not handled")
    targets = _open_pull(payload, "pull_request")
    if action in ("labeled", "unlabeled") and not isinstance(targets, Skip):
        claim = LabelClaim(
            action,
            _field(payload, "label.name", str),
            _field(payload, "sender.login", str),
            _field(payload, "pull_request.head.sha", str),
            _field(payload, "pull_request.base.ref", str),
        )
        return [replace(t, label=claim) for t in targets]
    return targets


def _open_pull(
    payload: Mapping[str, Any], key: str, actor: str | None = None
) -> list[_Target] | Skip:
    number = _number(payload, f"{key}.number")
    state = _field(payload, f"{key}.state", str)
    if state != "open":
        return Skip(f"pull request #{number} is {state}")
    return [_Target(number, actor=actor)]


def _comment(payload: Mapping[str, Any]) -> list[_Target] | Skip:
    action = _field(payload, "action", str)
    if action not in COMMENT_ACTIONS:
        return Skip(f"action {action} is not handled")
    issue = _object(payload, "issue")
    if issue.get("pull_request") is None:
        return Skip("comment is on an issue, not a pull request")
    body = _optional(payload, "comment.body", str) or ""
    lines = body.strip().splitlines()
    # Compare case- and spacing-insensitively: "/Review-Tiers  recheck" is the same request.
    if not lines or " ".join(lines[0].split()).lower() != RECHECK_COMMAND:
        return Skip("comment is not a recheck command")
    return _open_pull(payload, "issue", actor=_field(payload, "comment.user.login", str))


def _check_event(payload: Mapping[str, Any], app_id: int, key: str) -> list[_Target] | Skip:
    action = _field(payload, "action", str)
    ours = _optional(payload, f"{key}.app.id", int) == app_id
    # A re-run of our check arrives as check_run rerequested, or as check_suite rerequested
    # for "Re-run all checks"; completions of other apps' checks may satisfy a requirement.
    if (action == "rerequested" and ours) or (action == "completed" and not ours):
        return _check_pulls(payload, key)
    whose = "our own" if ours else "another app's"
    return Skip(f"action {action} on {whose} check is not handled")


def _check_pulls(payload: Mapping[str, Any], key: str) -> list[_Target]:
    entries = _field(payload, f"{key}.pull_requests", list)
    repo_id = _optional(payload, "repository.id", int)
    numbers: list[int] = []
    for index, entry in enumerate(entries):
        where = f"{key}.pull_requests[{index}]"
        # GitHub may list pull requests of other repositories that share the head commit.
        base_repo = _optional(entry, "base.repo.id", int, where)
        if repo_id is not None and base_repo is not None and base_repo != repo_id:
            continue
        number = _number(entry, "number", where)
        if number not in numbers:
            numbers.append(number)
    if numbers:
        return [_Target(n) for n in numbers]
    # The list is empty for pull requests from forks, so fall back to a lookup by head commit.
    return [_Target(None, sha=_field(payload, f"{key}.head_sha", str))]


def _status(payload: Mapping[str, Any]) -> list[_Target] | Skip:
    return [_Target(None, sha=_field(payload, "sha", str))]


def summarize(payload: Any) -> dict[str, Any]:
    """Loggable ids of a delivery (action, installation, repository); never raises."""
    summary: dict[str, Any] = {}
    for name, path, kind in _SUMMARY_FIELDS:
        try:
            summary[name] = _optional(payload, path, kind)
        except PayloadError:
            summary[name] = None
    return summary


def _number(node: Any, path: str, where: str = "") -> int:
    number = _field(node, path, int, where)
    if number < 1:
        raise PayloadError(f"payload field {_join(where, path)} must be positive, got {number}")
    return number


def _field(node: Any, path: str, kind: type[_T], where: str = "") -> _T:
    value = _optional(node, path, kind, where)
    if value is None:
        raise PayloadError(f"payload has no {_join(where, path)}")
    return value


def _object(node: Any, path: str) -> Mapping[str, Any]:
    """The JSON object at a dotted path (``_field`` takes only concrete types to check)."""
    value = _field(node, path, object)
    if not isinstance(value, Mapping):
        raise PayloadError(f"payload field {path} is {_json_type(value)}, not object")
    return value


def _optional(node: Any, path: str, kind: type[_T], where: str = "") -> _T | None:
    """The value at a dotted path, None when absent or null, PayloadError on a wrong type."""
    walked = where
    for key in path.split("."):
        if node is None:
            return None
        if not isinstance(node, Mapping):
            raise PayloadError(f"payload field {walked} is {_json_type(node)}, not object")
        node = node.get(key)
        walked = _join(walked, key)
    if node is None:
        return None
    # bool is an int subclass, but true is never a valid id or number.
    if not isinstance(node, kind) or (kind is int and isinstance(node, bool)):
        expected = _JSON_TYPES.get(kind, kind.__name__)
        raise PayloadError(f"payload field {walked} is {_json_type(node)}, not {expected}")
    return node


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    return next((name for kind, name in _JSON_TYPES.items() if isinstance(value, kind)), "value")


def _join(where: str, path: str) -> str:
    return f"{where}.{path}" if where else path


_JSON_TYPES: dict[type, str] = {
    str: "string",
    int: "integer",
    float: "number",
    list: "array",
    Mapping: "object",
}


_SUMMARY_FIELDS: tuple[tuple[str, str, type], ...] = (
    ("action", "action", str),
    ("installation_id", "installation.id", int),
    ("repository", "repository.full_name", str),
)

_Handler = Callable[[Mapping[str, Any], int], "list[_Target] | Skip"]

_HANDLERS: dict[str, _Handler] = {
    "pull_request": lambda payload, _: _pull_request(payload),
    "pull_request_review": lambda payload, _: _pull_event(payload, REVIEW_ACTIONS),
    "issue_comment": lambda payload, _: _comment(payload),
    "check_run": lambda payload, app_id: _check_event(payload, app_id, "check_run"),
    "check_suite": lambda payload, app_id: _check_event(payload, app_id, "check_suite"),
    "status": lambda payload, _: _status(payload),
}
