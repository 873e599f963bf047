"""Count approvals and required checks against a decision's requirements."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bot.core.check_matching import CheckObservations, match_checks
from bot.core.models import ReviewerGroup, TierDecision
from bot.core.render import Progress


@dataclass(frozen=True)
class Review:
    user: str
    state: str
    commit_id: str


@dataclass(frozen=True)
class ReviewState:
    """What the approval count needs to know about the PR's reviews and checks."""

    author: str
    head_sha: str
    reviews: Sequence[Review]
    team_members: Mapping[str, tuple[str, ...]]  # "@org/slug" -> logins
    checks: CheckObservations = field(default_factory=CheckObservations)
    writers: frozenset[str] = frozenset()  # approvers known to have write access or above


def approvers(state: ReviewState, current_head_only: bool) -> set[str]:
    """Users whose latest deciding review approves; the author never counts."""
    latest: dict[str, Review] = {}
    for review in state.reviews:
        # A comment-only review does not change a reviewer's verdict (GitHub's own rule).
        if review.state in ("APPROVED", "CHANGES_REQUESTED", "DISMISSED"):
            latest[review.user] = review
    return {
        user
        for user, review in latest.items()
        if review.state == "APPROVED"
        and user != state.author
        and (not current_head_only or review.commit_id == state.head_sha)
    }


def _in_group(user: str, group: ReviewerGroup, state: ReviewState) -> bool:
    if not group.members:
        return user in state.writers  # no named reviewers: anyone with write access
    for member in group.members:
        if member.lower() == f"@{user}".lower():
            return True
        if user in state.team_members.get(member, ()):
            return True
    return False


def measure_progress(decision: TierDecision, state: ReviewState) -> tuple[Progress, ...]:
    """Approvals obtained per group and required checks passed, in the decision's order."""
    approved = approvers(state, decision.invalidate_on_push)
    progress = [
        Progress(group.name, sum(1 for u in approved if _in_group(u, group, state)), group.required)
        for group in decision.groups
    ]
    progress += [
        Progress(v.requirement.key, int(v.met), 1, detail=v.sentence)
        for v in match_checks(decision.checks, state.checks)
    ]
    return tuple(progress)


def team_slugs(groups: Sequence[ReviewerGroup]) -> tuple[str, ...]:
    """Team members ("@org/slug") whose membership the count must look up."""
    found = {m for g in groups for m in g.members if m.startswith("@") and "/" in m}
    return tuple(sorted(found))
