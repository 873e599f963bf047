"""Failing checks that say why the App could not decide, rather than fail silently."""

from __future__ import annotations

from dataclasses import replace

from bot.core.actions import CheckState
from bot.core.names import CHECK_NAME
from bot.core.outcome import check_for_timeout
from bot.core.plan import check_actions
from bot.evaluation import effects
from bot.evaluation.ports import GitHubPort, PullInfo, RepoRef
from bot.evaluation.record import Record, RunInfo, converged
from bot.ops.redaction import redact


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
    return report(port, repo, pull, record, state)


def report_failure(
    port: GitHubPort, repo: RepoRef, number: int, run: RunInfo, state: CheckState, code: str
) -> Record:
    """Put a failing ``state`` (reason ``code``) on the current head, outcome ``code``."""
    record = Record(run.delivery_id, repo.full_name, number, outcome=code)
    record.reasons = [{"code": code, "message": redact(state.title)}]
    pull = port.fetch_pull(repo, number)
    record.head_sha, record.base_sha = pull.head_sha, pull.base_sha
    return report(port, repo, pull, record, state)


def report(
    port: GitHubPort, repo: RepoRef, pull: PullInfo, record: Record, state: CheckState
) -> Record:
    """Converge only the check on ``pull``'s head to ``state``; labels and requests stay."""
    existing = port.fetch_check_run(repo, pull.head_sha, CHECK_NAME)
    check_id, observed = effects.observed_check(existing)
    outcome = effects.apply(port, repo, pull, check_actions(safe_check(state), check_id, observed))
    record.actions = outcome.done
    record.failures += outcome.failed
    converged(record, state)
    return record


def safe_check(state: CheckState) -> CheckState:
    """The check as it may leave the process: tokens and secrets redacted (it can be public)."""
    return replace(
        state, title=redact(state.title), summary=redact(state.summary), text=redact(state.text)
    )
