"""rq job entry points: evaluate one pull request (coalesced, serialised, retried) or a commit."""

from __future__ import annotations

import logging
import time

from rq import get_current_job
from rq.timeouts import JobTimeoutException

from bot.errors import PermanentGitHubError, TransientGitHubError
from bot.logs import log_context
from bot.pipeline import Record, RunInfo, evaluate_pull, report_timeout
from bot.ports import RepoRef
from bot.queueing import JOB_TIMEOUT, PullKey
from bot.runtime import Runtime, current_runtime

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
MAX_BACKOFF = 900.0


def backoff(attempt: int, retry_after: float | None) -> float:
    """GitHub's wait when it gave one, else exponential from 5 s, capped at 15 min."""
    if retry_after is not None:
        return max(1.0, retry_after)
    return min(MAX_BACKOFF, 5.0 * 2**attempt)


def run_pull_job(
    installation_id: int, owner: str, repo: str, number: int, delivery_id: str = ""
) -> str:
    """Evaluate one PR under its lock; the outcome string is kept as the job result.

    ``delivery_id`` is the delivery that queued the job; the run also takes every event
    that coalesced into it.
    """
    runtime = current_runtime()
    pull = PullKey(installation_id, owner, repo, number)
    fields = {
        "installation_id": installation_id,
        "repository": f"{owner}/{repo}",
        "pull_number": number,
        "delivery_id": delivery_id,
    }
    with log_context(**fields):
        token = runtime.dispatcher.begin(pull)
        if token is None:
            runtime.dispatcher.watch(pull, delivery_id)
            log.info("evaluation already running; it will follow up", extra={"outcome": "busy"})
            return "busy"
        retry_in: float | None = None
        try:
            retry_in = _run_locked(runtime, pull)
        finally:
            runtime.dispatcher.finish(pull, token, retry_in)
        return "retry" if retry_in is not None else "done"


def _run_locked(runtime: Runtime, pull: PullKey) -> float | None:
    """One evaluation; returns a delay when it must run again, so no event is ever lost."""
    events = runtime.dispatcher.take_events(pull)
    if not events:
        return None  # an earlier run already took these events
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
            return _schedule_retry(runtime, pull, events, err)
        except PermanentGitHubError as err:
            log.error("evaluation failed for good: %s", err, extra={"outcome": "failed"})
            runtime.dispatcher.clear_attempts(pull)
            return None
        except Exception as err:  # the job is a boundary: keep the events for a retry
            log.exception("evaluation crashed", extra={"outcome": "crashed"})
            unexpected = TransientGitHubError(f"unexpected {type(err).__name__}: {err}")
            return _schedule_retry(runtime, pull, events, unexpected)
    if record.retry:
        failed = TransientGitHubError("a secondary write failed", record.retry_after)
        return _schedule_retry(runtime, pull, events, failed)
    runtime.dispatcher.clear_attempts(pull)
    if record.check_status:  # the recovery loop compares the next head with this one
        check = (record.check_status, record.check_conclusion)
        runtime.dispatcher.record_evaluation(pull, record.head_sha, check)
    return None


def _evaluate(
    runtime: Runtime, pull: PullKey, deliveries: list[str], events: dict[str, str]
) -> Record:
    actors = tuple(a or None for a in events.values())
    repo = RepoRef(pull.installation_id, pull.owner, pull.repo)
    started = time.monotonic()
    port = runtime.port_for(pull.installation_id)
    run = RunInfo(deliveries[-1], actors)
    record = evaluate_pull(port, repo, pull.number, run, runtime.grants)
    record.deliveries = deliveries
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
        record = report_timeout(port, repo, pull.number, RunInfo(deliveries[-1]), limit)
    except (TransientGitHubError, PermanentGitHubError) as err:
        record = Record(deliveries[-1], repo.full_name, pull.number, outcome="timeout")
        record.reasons = [{"code": "timeout", "message": f"stopped after {limit:.0f} s"}]
        record.failures = [f"the timeout check could not be written: {err}"]
    record.deliveries = deliveries
    runtime.record(record, time.monotonic() - started, port)


def _schedule_retry(
    runtime: Runtime, pull: PullKey, events: dict[str, str], err: TransientGitHubError
) -> float | None:
    attempt = runtime.dispatcher.attempt(pull) + 1
    if attempt > MAX_ATTEMPTS:
        log.error(
            "giving up after %d attempts: %s", MAX_ATTEMPTS, err, extra={"outcome": "gave up"}
        )
        runtime.dispatcher.clear_attempts(pull)
        runtime.dispatcher.forget_evaluation(pull)  # so the recovery loop tries it again
        return None
    delay = backoff(attempt - 1, err.retry_after)
    runtime.dispatcher.mark_retry(pull, events, attempt)
    log.warning(
        "transient failure, retrying in %.0f s: %s",
        delay,
        err,
        extra={"outcome": "retry", "attempt": attempt},
    )
    return delay


def run_commit_job(
    installation_id: int, owner: str, repo: str, sha: str, delivery_id: str, attempt: int = 0
) -> str:
    """A status event: find the open PRs whose head is this commit and evaluate each."""
    runtime = current_runtime()
    fields = {
        "delivery_id": delivery_id,
        "installation_id": installation_id,
        "repository": f"{owner}/{repo}",
    }
    with log_context(**fields):
        try:
            port = runtime.port_for(installation_id)
            numbers = port.fetch_pulls_for_commit(RepoRef(installation_id, owner, repo), sha)
        except TransientGitHubError as err:
            return _retry_commit(
                runtime, (installation_id, owner, repo, sha, delivery_id), attempt, err
            )
        for number in numbers:
            runtime.dispatcher.submit(PullKey(installation_id, owner, repo, number), delivery_id)
        log.info(
            "commit %s maps to %d pull request(s)",
            sha[:12],
            len(numbers),
            extra={"outcome": "fanned out"},
        )
        return f"{len(numbers)} pull request(s)"


def _retry_commit(
    runtime: Runtime,
    args: tuple[int, str, str, str, str],
    attempt: int,
    err: TransientGitHubError,
) -> str:
    if attempt + 1 >= MAX_ATTEMPTS:
        log.error("giving up on commit %s: %s", args[3][:12], err, extra={"outcome": "gave up"})
        return "gave up"
    delay = backoff(attempt, err.retry_after)
    runtime.dispatcher.enqueue("bot.jobs.run_commit_job", (*args, attempt + 1), delay)
    log.warning(
        "transient failure, retrying in %.0f s: %s",
        delay,
        err,
        extra={"outcome": "retry", "attempt": attempt + 1},
    )
    return "retry"
