"""Converge, don't append: the minimal writes from what a pull request has to what it needs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

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
from bot.core.config import LabelPolicy
from bot.core.models import TierDecision
from bot.core.names import is_managed_label

MAX_REVIEWERS_PER_REQUEST = 15  # GitHub's limit per request


@dataclass(frozen=True)
class Desired:
    check: CheckState
    labels: tuple[str, ...]  # managed labels that should be present
    remove_labels: tuple[str, ...]  # unmanaged labels to take off (refused overrides, recheck)
    users: tuple[str, ...]  # logins to request
    teams: tuple[str, ...]  # "org/slug" to request
    comment: str | None


@dataclass(frozen=True)
class Observed:
    check_id: int | None
    check: CheckState | None
    labels: tuple[str, ...]
    requested_users: tuple[str, ...]
    requested_teams: tuple[str, ...]
    reviewed_users: tuple[str, ...]
    author: str
    comment_id: int | None
    comment: str | None


def diff(desired: Desired, observed: Observed, labels: LabelPolicy) -> tuple[Action, ...]:
    """The check first (the primary effect), then labels, review requests and the comment."""
    actions = check_actions(desired.check, observed.check_id, observed.check)
    actions += _label_actions(desired, observed, labels)
    actions += _review_actions(desired, observed)
    actions += _comment_actions(desired, observed)
    return tuple(actions)


def check_actions(
    desired: CheckState, check_id: int | None, observed: CheckState | None
) -> list[Action]:
    """Create the check once per head SHA, then update it only when it differs.

    GitHub does not reopen a completed check run nor change its conclusion, so once the
    observed run is completed, a different status or conclusion needs a new run (GitHub
    shows the newest run of a name); a completed run whose text alone changed is updated.
    """
    if check_id is None:
        return [CreateCheck(desired)]
    if observed == desired:
        return []
    reopened = (
        observed is not None
        and observed.status == "completed"
        and ((observed.status, observed.conclusion) != (desired.status, desired.conclusion))
    )
    if reopened:
        return [CreateCheck(desired)]
    return [UpdateCheck(check_id, desired)]


def _label_actions(desired: Desired, observed: Observed, labels: LabelPolicy) -> list[Action]:
    have = set(observed.labels)
    missing = tuple(label for label in desired.labels if label not in have)
    stale = [
        label
        for label in observed.labels
        if (is_managed_label(label, labels) and label not in desired.labels)
        or label in desired.remove_labels
    ]
    actions: list[Action] = [AddLabels(missing)] if missing else []
    return actions + [RemoveLabel(label) for label in stale]


def _review_actions(desired: Desired, observed: Observed) -> list[Action]:
    skip = {
        u.lower() for u in (*observed.requested_users, *observed.reviewed_users, observed.author)
    }
    users = [u for u in desired.users if u.lower() not in skip]
    requested_teams = {t.lower() for t in observed.requested_teams}
    teams = [t for t in desired.teams if t.lower() not in requested_teams]
    actions: list[Action] = []
    while users or teams:
        room = MAX_REVIEWERS_PER_REQUEST
        batch_users, users = users[:room], users[room:]
        room -= len(batch_users)
        batch_teams, teams = teams[:room], teams[room:]
        actions.append(RequestReviewers(tuple(batch_users), tuple(batch_teams)))
    return actions


def _comment_actions(desired: Desired, observed: Observed) -> list[Action]:
    if desired.comment is None:
        return [] if observed.comment_id is None else [DeleteComment(observed.comment_id)]
    if observed.comment_id is None:
        return [CreateComment(desired.comment)]
    if observed.comment != desired.comment:
        return [EditComment(observed.comment_id, desired.comment)]
    return []


def plan_reviewers(
    decision: TierDecision,
    team_members: Mapping[str, Sequence[str]],
    reviewed: Sequence[str],
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Users and teams to request: group members, skipping teams a member of already reviewed."""
    users: dict[str, None] = {}
    teams: dict[str, None] = {}
    done = {u.lower() for u in reviewed}
    for group in decision.groups:
        for member in group.members:
            if "@" in member.lstrip("@"):
                continue  # an e-mail owner cannot be requested
            if "/" in member:
                if not done & {m.lower() for m in team_members.get(member, ())}:
                    teams[member.lstrip("@")] = None
            else:
                users[member.lstrip("@")] = None
    return tuple(users), tuple(teams)
