"""One evaluation of one pull request: refetch, classify, decide, then converge GitHub on it."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from bot.core.actions import CheckState
from bot.core.evaluate import evaluate
from bot.core.models import PullMeta
from bot.core.outcome import check_for_error, check_for_problems
from bot.core.plan import diff
from bot.core.policy import PolicyResult
from bot.core.provenance import has_section
from bot.core.shadow import Shadow, shadow_actions, shadow_check, shadow_of
from bot.evaluation import effects, preview
from bot.evaluation.desired import WRITE_ROLES, Subject, desired, read_standing
from bot.evaluation.label_grants import settle_label_grants
from bot.evaluation.ports import GitHubPort, GrantStore, PullInfo, RepoRef
from bot.evaluation.read_ahead import reading_ahead
from bot.evaluation.record import Record, RunInfo, converged, fill, note_specs
from bot.evaluation.reports import report
from bot.evaluation.snapshot import fetch_changes, fetch_context, fetch_policy
from bot.evaluation.spec_source import spec_loader_for
from bot.ops.errors import PermanentGitHubError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Options:
    docs_url: str
    specs: preview.SpecSources | None  # who extends this repository, for a spec change's preview


def evaluate_pull(
    port: GitHubPort,
    repo: RepoRef,
    number: int,
    run: RunInfo,
    store: GrantStore,
    *,
    specs: preview.SpecSources | None = None,
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
    with reading_ahead(port, repo, pull) as ahead:
        try:
            return _evaluate_open(ahead, repo, pull, record, run, store, specs)
        except PermanentGitHubError as err:
            record.outcome = f"failed: {err}"
            return report(port, repo, pull, record, check_for_error(err))


def _evaluate_open(
    port: GitHubPort,
    repo: RepoRef,
    pull: PullInfo,
    record: Record,
    run: RunInfo,
    store: GrantStore,
    specs: preview.SpecSources | None,
) -> Record:
    result = fetch_policy(port, repo, pull, spec_loader_for(port, repo))
    record.config, record.config_hash = result.source, result.digest
    shadow = shadow_of(result.policy.mode if result.policy else None, run.mode)
    record.mode, record.shadow_by = shadow.mode.value, [s.value for s in shadow.sources]
    note_specs(record, result.specs)
    if result.policy is None:
        return report(port, repo, pull, record, _invalid_config(result, record, shadow))
    grants = settle_label_grants(port, store, repo, pull, result.policy)
    subject = Subject(pull, result.policy, grants, shadow)
    return _evaluate_valid(port, repo, subject, record, _Options(run.docs_url, specs))


def _allowed(port: GitHubPort, repo: RepoRef, actors: tuple[str | None, ...]) -> bool:
    if None in actors:
        return True
    return any(port.fetch_role(repo, a) in WRITE_ROLES for a in actors if a)


def _invalid_config(result: PolicyResult, record: Record, shadow: Shadow) -> CheckState:
    """Record the configuration errors; the check lists them. Only the check changes: labels
    and requests stay as they were until the config is fixed. An invalid file sets no mode of
    its own, so only the process can make this check neutral."""
    record.outcome = "invalid config"
    record.reasons = [{"code": "config", "message": p.render()} for p in result.problems]
    return shadow_check(check_for_problems(result), shadow, None)


def _evaluate_valid(
    port: GitHubPort, repo: RepoRef, subject: Subject, record: Record, options: _Options
) -> Record:
    pull, policy, grants = subject.pull, subject.policy, subject.grants
    changes = fetch_changes(port, repo, pull)
    proposal = preview.Proposal(pull, changes, policy)
    section = preview.preview_policy(port, repo, proposal, options.specs)
    context = fetch_context(port, repo, pull, changes, policy)
    labels = tuple(label for label in pull.labels if label not in grants.uncounted)
    messages = port.fetch_commit_messages(repo, pull.number)
    meta = PullMeta(pull.author, labels, messages, pull.body, pull.draft)
    evaluation = evaluate(changes, context, meta, policy, grants.overrides)
    evaluation = replace(
        evaluation,
        decision=replace(evaluation.decision, reasons=evaluation.decision.reasons + grants.reasons),
    )
    standing = read_standing(port, repo, pull, evaluation)
    observed = effects.observe(port, repo, pull, standing.reviewed)
    wanted = desired(subject, evaluation, standing, options.docs_url)
    if section is not None:
        # Before shadowing: a new policy that does not validate shows as such, then neutral.
        wanted = preview.show(wanted, section, evaluation.decision.tier)
    shadow = subject.shadow
    wanted = replace(wanted, check=shadow_check(wanted.check, shadow, evaluation.decision.tier))
    actions = shadow_actions(diff(wanted, observed, policy.labels), shadow, policy.labels.recheck)
    outcome = effects.apply(port, repo, pull, actions)
    heading = policy.ai.require_section
    kept = heading is not None and has_section(pull.body, heading)
    fill(record, evaluation, grants, standing.progress, generation_context=kept)
    record.approvals = [{"id": r.id, "submitted_at": r.submitted_at} for r in standing.approvals]
    record.actions, record.failures = outcome.done, outcome.failed
    record.retry, record.retry_after = outcome.retry, outcome.retry_after
    converged(record, wanted.check)
    return record
