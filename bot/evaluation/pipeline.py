"""One evaluation of one pull request: refetch, classify, decide, then converge GitHub on it."""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field, replace

from bot.core.approvals import Review, ReviewState, approvers, measure_progress, team_slugs
from bot.core.check_matching import CheckObservations, needs_workflows
from bot.core.config import Policy
from bot.core.evaluate import Evaluation, evaluate
from bot.core.grants import GRANTED
from bot.core.models import PullMeta, TierDecision
from bot.core.names import CHECK_NAME
from bot.core.outcome import (
    check_for_decision,
    check_for_error,
    check_for_problems,
    check_for_timeout,
)
from bot.core.plan import CheckState, Desired, check_actions, diff, plan_reviewers
from bot.core.policy import PolicyResult
from bot.core.render import Progress
from bot.core.sticky import render_sticky
from bot.evaluation import effects
from bot.evaluation.label_grants import LabelGrants, settle_label_grants
from bot.evaluation.ports import GitHubPort, GrantStore, PullInfo, RepoRef
from bot.evaluation.snapshot import fetch_changes, fetch_context, fetch_policy
from bot.ops.errors import PermanentGitHubError
from bot.ops.redaction import redact

log = logging.getLogger(__name__)
WRITE_ROLES = ("write", "maintain", "admin")


@dataclass(frozen=True)
class RunInfo:
    delivery_id: str
    # Who asked for each coalesced event: None for ordinary events, a login for a recheck by
    # comment (which needs write access). One ordinary event is enough to evaluate.
    actors: tuple[str | None, ...] = (None,)
    # Where the check run links reason codes (README: REVIEW_TIERS_DOCS_URL); "": no links.
    docs_url: str = ""


@dataclass
class Record:
    """The audit record of one evaluation (README "Audit log")."""

    delivery_id: str
    repository: str
    pull_number: int
    deliveries: list[str] = field(default_factory=list)
    outcome: str = "evaluated"
    head_sha: str = ""
    base_sha: str = ""
    config: str = ""
    config_hash: str = ""
    tier: str | None = None
    computed_tier: str | None = None
    reasons: list[dict[str, str]] = field(default_factory=list)
    facts: dict[str, object] = field(default_factory=dict)
    requirements: list[dict[str, object]] = field(default_factory=list)
    overrides: list[dict[str, object]] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    retry: bool = False
    retry_after: float | None = None
    # The check the run converged the head to; empty when it wrote none (e.g. skipped).
    check_status: str = ""
    check_conclusion: str | None = None


@dataclass(frozen=True)
class Subject:
    """The pull request under evaluation, its valid policy and what its labels grant."""

    pull: PullInfo
    policy: Policy
    grants: LabelGrants


def evaluate_pull(
    port: GitHubPort, repo: RepoRef, number: int, run: RunInfo, store: GrantStore
) -> Record:
    """Evaluate and converge; transient GitHub errors propagate so the job retries."""
    record = Record(run.delivery_id, repo.full_name, number)
    pull = port.fetch_pull(repo, number)
    record.head_sha, record.base_sha = pull.head_sha, pull.base_sha
    if pull.state != "open":
        record.outcome = "skipped: pull request is closed"
        return record
    if not _allowed(port, repo, run.actors):
        who = ", ".join(f"@{a}" for a in run.actors if a)
        record.outcome = f"skipped: {who} lacks write access for a recheck"
        return record
    try:
        result = fetch_policy(port, repo, pull)
        record.config, record.config_hash = result.source, result.digest
        if result.policy is None:
            return _converge_invalid_config(port, repo, pull, result, record)
        grants = settle_label_grants(port, store, repo, pull, result.policy)
        subject = Subject(pull, result.policy, grants)
        return _evaluate_valid(port, repo, subject, record, run.docs_url)
    except PermanentGitHubError as err:
        record.outcome = f"failed: {err}"
        return _report(port, repo, pull, record, check_for_error(err))


def report_timeout(
    port: GitHubPort, repo: RepoRef, number: int, run: RunInfo, limit: float
) -> Record:
    """The evaluation ran out of time: fail the check on the current head, reason ``timeout``.

    Trying the same work again would hit the same limit; a new event or a recheck evaluates
    again.
    """
    record = Record(run.delivery_id, repo.full_name, number, outcome="timeout")
    state = check_for_timeout(limit, run.docs_url)
    record.reasons = [{"code": "timeout", "message": state.title}]
    pull = port.fetch_pull(repo, number)
    record.head_sha, record.base_sha = pull.head_sha, pull.base_sha
    return _report(port, repo, pull, record, state)


def report_failure(
    port: GitHubPort, repo: RepoRef, number: int, run: RunInfo, state: CheckState, code: str
) -> Record:
    """Put a failing ``state`` (reason ``code``) on the current head, outcome ``code``."""
    record = Record(run.delivery_id, repo.full_name, number, outcome=code)
    record.reasons = [{"code": code, "message": redact(state.title)}]
    pull = port.fetch_pull(repo, number)
    record.head_sha, record.base_sha = pull.head_sha, pull.base_sha
    return _report(port, repo, pull, record, state)


def _converged(record: Record, state: CheckState) -> None:
    record.check_status, record.check_conclusion = state.status, state.conclusion


def _report(
    port: GitHubPort, repo: RepoRef, pull: PullInfo, record: Record, state: CheckState
) -> Record:
    """A failing check that says why the App could not decide, rather than fail silently."""
    existing = port.fetch_check_run(repo, pull.head_sha, CHECK_NAME)
    check_id, observed = effects.observed_check(existing)
    outcome = effects.apply(port, repo, pull, check_actions(safe_check(state), check_id, observed))
    record.actions = outcome.done
    _converged(record, state)
    return record


def safe_check(state: CheckState) -> CheckState:
    """The check as it may leave the process: tokens and secrets redacted (it can be public)."""
    return replace(state, title=redact(state.title), summary=redact(state.summary))


def _allowed(port: GitHubPort, repo: RepoRef, actors: tuple[str | None, ...]) -> bool:
    if None in actors:
        return True
    return any(port.fetch_role(repo, a) in WRITE_ROLES for a in actors if a)


def _converge_invalid_config(
    port: GitHubPort, repo: RepoRef, pull: PullInfo, result: PolicyResult, record: Record
) -> Record:
    # Only the check changes: labels and requests stay as they were until the config is fixed.
    record.outcome = "invalid config"
    record.reasons = [{"code": "config", "message": p.render()} for p in result.problems]
    existing = port.fetch_check_run(repo, pull.head_sha, CHECK_NAME)
    check_id, observed = effects.observed_check(existing)
    state = check_for_problems(result)
    outcome = effects.apply(port, repo, pull, check_actions(safe_check(state), check_id, observed))
    record.actions, record.failures = outcome.done, outcome.failed
    _converged(record, state)
    return record


def _evaluate_valid(
    port: GitHubPort, repo: RepoRef, subject: Subject, record: Record, docs_url: str
) -> Record:
    pull, policy, grants = subject.pull, subject.policy, subject.grants
    changes = fetch_changes(port, repo, pull)
    context = fetch_context(port, repo, pull, changes, policy)
    labels = tuple(label for label in pull.labels if label not in grants.uncounted)
    messages = port.fetch_commit_messages(repo, pull.number)
    meta = PullMeta(pull.author, labels, messages, pull.body, pull.draft)
    evaluation = evaluate(changes, context, meta, policy, grants.overrides)
    evaluation = replace(
        evaluation,
        decision=replace(evaluation.decision, reasons=evaluation.decision.reasons + grants.reasons),
    )
    progress, reviewed, members = _progress(port, repo, pull, evaluation)
    observed = effects.observe(port, repo, pull, reviewed)
    desired = _desired(subject, evaluation, (progress, reviewed, members), docs_url)
    outcome = effects.apply(port, repo, pull, diff(desired, observed, policy.labels))
    _fill(record, evaluation, grants, progress)
    record.actions, record.failures = outcome.done, outcome.failed
    record.retry, record.retry_after = outcome.retry, outcome.retry_after
    _converged(record, desired.check)
    return record


def _progress(
    port: GitHubPort, repo: RepoRef, pull: PullInfo, evaluation: Evaluation
) -> tuple[tuple[Progress, ...], tuple[str, ...], dict[str, tuple[str, ...]]]:
    decision = evaluation.decision
    reviews = port.fetch_reviews(repo, pull.number)
    members = {}
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
    return measure_progress(decision, state), reviewed, members


def _writers(
    port: GitHubPort, repo: RepoRef, decision: TierDecision, state: ReviewState
) -> frozenset[str]:
    """Approvers with write access or above: only they count for groups that name nobody
    (on a public repository anyone may leave an approving review)."""
    if all(group.members for group in decision.groups):
        return frozenset()
    candidates = approvers(state, decision.invalidate_on_push)
    return frozenset(u for u in candidates if port.fetch_role(repo, u) in WRITE_ROLES)


def _desired(
    subject: Subject,
    evaluation: Evaluation,
    seen: tuple[tuple[Progress, ...], tuple[str, ...], dict[str, tuple[str, ...]]],
    docs_url: str,
) -> Desired:
    pull, policy, grants = subject.pull, subject.policy, subject.grants
    progress, reviewed, members = seen
    facts, decision = evaluation.facts, evaluation.decision
    users, teams = plan_reviewers(decision, members, reviewed)
    if pull.draft:
        users, teams = (), ()  # drafts get the check but no review requests
    remove = list(grants.remove)
    if policy.labels.recheck in pull.labels:
        remove.append(policy.labels.recheck)
    grant_lines = (*grants.granted, *grants.notices)
    comment = render_sticky(facts, decision, policy, grants.notices)
    return Desired(
        check=safe_check(check_for_decision(facts, decision, progress, grant_lines, docs_url)),
        labels=decision.labels,
        remove_labels=tuple(remove),
        users=users,
        teams=teams,
        comment=None if comment is None else redact(comment),
    )


def _fill(
    record: Record, evaluation: Evaluation, grants: LabelGrants, progress: tuple[Progress, ...]
) -> None:
    facts, decision = evaluation.facts, evaluation.decision
    record.tier, record.computed_tier = decision.tier.value, decision.computed_tier.value
    record.reasons = [{"code": r.code, "message": r.message} for r in decision.reasons]
    record.facts = {
        "size": {"label": facts.size.label, "lines": facts.size.lines, "files": facts.size.files},
        "invariants": [t.id for t in facts.invariants],
        "interfaces": [t.id for t in facts.interfaces],
        "owners": list(facts.owners),
        "ai_assisted": facts.ai_assisted,
        "truncated": facts.truncated,
    }
    record.requirements = [
        {"name": p.name, "obtained": p.obtained, "required": p.required} for p in progress
    ]
    tiers = {o.label: o.tier.value for o in grants.overrides}
    record.overrides = [
        {**asdict(g), "tier": tiers.get(g.label), "honoured": g.state == GRANTED}
        for g in grants.settled
    ]
