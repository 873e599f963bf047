"""rq job entry points: evaluate one pull request (coalesced, serialised, retried) or a commit.

Each kind of job in bot.state.jobkinds has an entry here named by its ``entry``; rq calls it
with the job's fields as keyword arguments.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from rq import get_current_job
from rq.timeouts import JobTimeoutException

from bot.core.models import Mode
from bot.core.outcome import check_for_gave_up
from bot.evaluation.pipeline import evaluate_pull
from bot.evaluation.ports import GitHubPort, RepoRef
from bot.evaluation.preview_specs import SpecSources
from bot.evaluation.record import Record, RunInfo
from bot.evaluation.reports import report_failure, report_timeout
from bot.evaluation.snapshot import org_config_repo, org_config_source
from bot.ops.errors import PermanentGitHubError, TransientGitHubError
from bot.ops.logs import log_context
from bot.ops.redaction import redact
from bot.state.jobkinds import CommitJob, GroupJob, PullJob, PushJob
from bot.state.keys import PullKey
from bot.state.queueing import JOB_TIMEOUT, EvaluationMark
from bot.worker.commits import fan_out_commit
from bot.worker.groups import check_group
from bot.worker.pushes import fan_out_push
from bot.worker.retries import MAX_ATTEMPTS, backoff, exhausted
from bot.worker.runs import begin
from bot.worker.runtime import Runtime, current_runtime

log = logging.getLogger(__name__)
GAVE_UP = "gave-up"  # the outcome and reason code of an evaluation that exhausted its attempts


def run_pull_job(**fields: Any) -> str:
    """rq's entry for a :class:`PullJob`."""
    return evaluate_job(PullJob(**fields))


def run_commit_job(**fields: Any) -> str:
    """rq's entry for a :class:`CommitJob`."""
    return fan_out_commit(CommitJob(**fields))


def run_group_job(**fields: Any) -> str:
    """rq's entry for a :class:`GroupJob`."""
    return check_group(GroupJob(**fields))


def run_push_job(**fields: Any) -> str:
    """rq's entry for a :class:`PushJob`."""
    return fan_out_push(PushJob(**fields))


def evaluate_job(job: PullJob) -> str:
    """Evaluate one PR under its lease; the outcome string is kept as the job result.

    ``job.trigger`` is the delivery that queued the job; the run also takes every event
    that coalesced into it. A follow-up (``settle``) first lets a burst still arriving end.
    """
    runtime = current_runtime()
    pull = job.pull
    with log_context(**job.log_fields()):
        run = begin(runtime.dispatcher, pull)
        if run is None:
            log.info("evaluation already running; it will follow up", extra={"outcome": "busy"})
            return "busy"
        with run:  # the lease is renewed until the run ends
            if job.settle:
                run.settle()
            events = run.events()
            retry_in = _run_locked(runtime, pull, events)
            # Only now are the handled events removed: a run killed before this line leaves
            # them recorded, and the sweeper queues the PR again once the lease lapses.
            run.finish(events, retry_in)
        return "retry" if retry_in is not None else "done"


def _run_locked(runtime: Runtime, pull: PullKey, events: dict[str, str]) -> float | None:
    """One evaluation; returns a delay when it must run again, so no event is ever lost."""
    if not events:
        return None  # an earlier run already handled these events
    deliveries = sorted(events)
    with log_context(delivery_id=",".join(deliveries)):
        try:
            record = _evaluate(runtime, pull, deliveries, events)
        except JobTimeoutException:
            # rq's alarm fired inside the evaluation: the same work would hit the same limit,
            # so report it on the check instead of retrying it as a crash.
            _timed_out(runtime, pull, deliveries)
            runtime.dispatcher.clear_attempts(pull)
            return None
        except TransientGitHubError as err:
            return _schedule_retry(runtime, pull, deliveries, err)
        except PermanentGitHubError as err:
            log.error("evaluation failed for good: %s", err, extra={"outcome": "failed"})
            runtime.dispatcher.clear_attempts(pull)
            return None
        except Exception as err:  # the job is a boundary: keep the events for a retry
            log.exception("evaluation crashed", extra={"outcome": "crashed"})
            unexpected = TransientGitHubError(f"unexpected {type(err).__name__}: {err}")
            return _schedule_retry(runtime, pull, deliveries, unexpected)
    if record.retry:
        failed = TransientGitHubError("a secondary write failed", record.retry_after)
        return _schedule_retry(runtime, pull, deliveries, failed)
    runtime.dispatcher.clear_attempts(pull)
    _mark(runtime, pull, record)
    return None


def _mark(runtime: Runtime, pull: PullKey, record: Record) -> None:
    """Remember what a completed evaluation converged the head to (for the recovery loop)."""
    if record.check_status and record.head_sha:
        mark = EvaluationMark(
            record.head_sha, record.check_status, record.check_conclusion, time.time(), record.tier
        )
        runtime.dispatcher.record_evaluation(pull, mark)


def _evaluate(
    runtime: Runtime, pull: PullKey, deliveries: list[str], events: dict[str, str]
) -> Record:
    actors = tuple(a or None for a in events.values())
    repo = RepoRef(pull.installation_id, pull.owner, pull.repo)
    started = time.monotonic()
    port = runtime.port_for(pull.installation_id)
    run = RunInfo(deliveries[-1], actors, runtime.settings.docs_url, Mode(runtime.settings.mode))
    specs = SpecSources(runtime.dependents, runtime.port_for)  # a spec change's preview
    record = evaluate_pull(port, repo, pull.number, run, runtime.grants, specs=specs)
    record.deliveries = deliveries
    # A push to any spec repository of the chain re-evaluates this repository (bot.worker.pushes).
    for spec_repo in sorted({spec["repo"] for spec in record.specs}):
        runtime.dependents.record(spec_repo, repo)
    if record.config == org_config_source(repo.owner):
        # So is a push to the organisation's policy, on its .github repository's default branch.
        runtime.dependents.record(org_config_repo(repo.owner), repo)
    runtime.record(record, time.monotonic() - started, port)
    return record


def _timed_out(runtime: Runtime, pull: PullKey, deliveries: list[str]) -> None:
    """A failure check with reason ``timeout`` and its audit record; no retry."""
    job = get_current_job()
    limit = float(job.timeout) if job is not None and job.timeout else float(JOB_TIMEOUT)
    log.error("evaluation stopped at its %.0f s time limit", limit, extra={"outcome": "timeout"})
    repo = RepoRef(pull.installation_id, pull.owner, pull.repo)
    started = time.monotonic()
    port = runtime.port_for(pull.installation_id)
    try:
        run = RunInfo(deliveries[-1], docs_url=runtime.settings.docs_url)
        record = report_timeout(port, repo, pull.number, run, limit)
    except (TransientGitHubError, PermanentGitHubError) as err:
        record = Record(deliveries[-1], repo.full_name, pull.number, outcome="timeout")
        record.reasons = [{"code": "timeout", "message": f"stopped after {limit:.0f} s"}]
        record.failures = [f"the timeout check could not be written: {err}"]
    record.deliveries = deliveries
    runtime.record(record, time.monotonic() - started, port)
    _mark(runtime, pull, record)


def _schedule_retry(
    runtime: Runtime, pull: PullKey, deliveries: list[str], err: TransientGitHubError
) -> float | None:
    attempt = runtime.dispatcher.attempt(pull) + 1  # the failed runs, this one included
    if exhausted(attempt):
        _give_up(runtime, pull, deliveries, err)
        return None
    delay = backoff(attempt - 1, err.retry_after)
    runtime.dispatcher.set_attempt(pull, attempt)
    log.warning(
        "transient failure, retrying in %.0f s: %s",
        delay,
        err,
        extra={"outcome": "retry", "attempt": attempt},
    )
    return delay


def _give_up(
    runtime: Runtime, pull: PullKey, deliveries: list[str], err: TransientGitHubError
) -> None:
    """Fail the check on the head with reason ``gave-up`` and audit it, failing closed.

    No evaluation mark is left for the PR, so the recovery loop evaluates it again later;
    if even this check cannot be written, the log line says so and the recovery loop still
    finds the PR.
    """
    log.error("giving up after %d attempts: %s", MAX_ATTEMPTS, err, extra={"outcome": "gave-up"})
    runtime.dispatcher.clear_attempts(pull)
    runtime.dispatcher.forget_evaluation(pull)
    repo = RepoRef(pull.installation_id, pull.owner, pull.repo)
    state = check_for_gave_up(MAX_ATTEMPTS, redact(str(err)), runtime.settings.docs_url)
    started = time.monotonic()
    port: GitHubPort | None = None
    try:
        port = runtime.port_for(pull.installation_id)
        record = report_failure(port, repo, pull.number, RunInfo(deliveries[-1]), state, GAVE_UP)
    except Exception as failure:  # the give-up itself must not crash the job
        log.error("the gave-up check could not be written: %s", failure, extra={"outcome": GAVE_UP})
        record = Record(deliveries[-1], repo.full_name, pull.number, outcome=GAVE_UP)
        record.reasons = [{"code": GAVE_UP, "message": state.title}]
        record.failures = [f"the gave-up check could not be written: {failure}"]
    record.deliveries = deliveries
    record.failures.append(f"last error: {err}")
    runtime.record(record, time.monotonic() - started, port)
