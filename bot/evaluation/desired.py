"""Where a decided pull request stands (approvals, required checks) and what it should show."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from bot.core.approvals import Review, ReviewState, approvers, measure_progress, team_slugs
from bot.core.check_matching import CheckObservations, needs_workflows
from bot.core.config import Policy
from bot.core.evaluate import Evaluation
from bot.core.models import TierDecision
from bot.core.outcome import check_for_decision
from bot.core.plan import Desired, plan_reviewers
from bot.core.render import Progress
from bot.core.shadow import Shadow
from bot.core.sticky import render_sticky
from bot.evaluation.label_grants import LabelGrants
from bot.evaluation.ports import GitHubPort, PullInfo, RepoRef, ReviewInfo
from bot.evaluation.reports import safe_check
from bot.ops.redaction import redact

WRITE_ROLES = ("write", "maintain", "admin")


@dataclass(frozen=True)
class Subject:
    """The pull request under evaluation, its valid policy, what its labels grant, and whether
    it is evaluated in shadow mode."""

    pull: PullInfo
    policy: Policy
    grants: LabelGrants
    shadow: Shadow = field(default_factory=Shadow)


@dataclass(frozen=True)
class Standing:
    """What the pull request has so far: progress per requirement, who reviewed it, and the
    members of each required team."""

    progress: tuple[Progress, ...]
    reviewed: tuple[str, ...]
    members: dict[str, tuple[str, ...]]
    # The approving reviews of the head commit, as read.
    approvals: tuple[ReviewInfo, ...] = ()


def read_standing(
    port: GitHubPort, repo: RepoRef, pull: PullInfo, evaluation: Evaluation
) -> Standing:
    decision = evaluation.decision
    reviews = port.fetch_reviews(repo, pull.number)
    members = {}
    # Membership only places people who reviewed: with no review yet no team has approved, and
    # every team is requested, so its members are not read.
    if any(r.state != "PENDING" for r in reviews):
        for team in team_slugs(decision.groups):
            org, _, slug = team.lstrip("@").partition("/")
            members[team] = port.fetch_team_members(org, slug)
    checks = (
        port.fetch_checks(repo, pull.head_sha, needs_workflows(decision.checks))
        if decision.checks
        else CheckObservations()
    )
    state = ReviewState(
        author=pull.author,
        head_sha=pull.head_sha,
        reviews=[Review(r.user, r.state, r.commit_id) for r in reviews],
        team_members=members,
        checks=checks,
    )
    state = replace(state, writers=_writers(port, repo, decision, state))
    reviewed = tuple(dict.fromkeys(r.user for r in reviews if r.state != "PENDING"))
    approvals = tuple(r for r in reviews if r.state == "APPROVED" and r.commit_id == pull.head_sha)
    return Standing(measure_progress(decision, state), reviewed, members, approvals)


def _writers(
    port: GitHubPort, repo: RepoRef, decision: TierDecision, state: ReviewState
) -> frozenset[str]:
    """Approvers with write access or above: only they count for groups that name nobody
    (on a public repository anyone may leave an approving review)."""
    if all(group.members for group in decision.groups):
        return frozenset()
    candidates = approvers(state, decision.invalidate_on_push)
    return frozenset(u for u in candidates if port.fetch_role(repo, u) in WRITE_ROLES)


def desired(subject: Subject, evaluation: Evaluation, standing: Standing, docs_url: str) -> Desired:
    """The check, labels, review requests and sticky comment the pull request should have."""
    pull, policy, grants = subject.pull, subject.policy, subject.grants
    facts, decision = evaluation.facts, evaluation.decision
    users, teams = plan_reviewers(decision, standing.members, standing.reviewed)
    if pull.draft:
        users, teams = (), ()  # drafts get the check but no review requests
    remove = list(grants.remove)
    if policy.labels.recheck in pull.labels:
        remove.append(policy.labels.recheck)
    grant_lines = (*grants.granted, *grants.notices)
    comment = render_sticky(facts, decision, policy, grants.notices)
    check = check_for_decision(facts, decision, standing.progress, grant_lines, docs_url)
    return Desired(
        check=safe_check(check),
        labels=decision.labels,
        remove_labels=tuple(remove),
        users=users,
        teams=teams,
        comment=None if comment is None else redact(comment),
    )
