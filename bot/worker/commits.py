"""A status event names a commit, not a pull request: find the commit's open pull requests."""

from __future__ import annotations

import logging
from dataclasses import replace

from bot.evaluation.ports import RepoRef
from bot.ops.errors import TransientGitHubError
from bot.ops.logs import log_context
from bot.state.jobkinds import CommitJob
from bot.state.keys import PullKey
from bot.worker.retries import backoff, exhausted
from bot.worker.runtime import Runtime, current_runtime

log = logging.getLogger("bot.worker.jobs")  # its lines read as the jobs' own


def fan_out_commit(job: CommitJob) -> str:
    """A status event: find the open PRs whose head is this commit and evaluate each."""
    runtime = current_runtime()
    with log_context(**job.log_fields()):
        try:
            port = runtime.port_for(job.installation_id)
            repo = RepoRef(job.installation_id, job.owner, job.repo)
            numbers = port.fetch_pulls_for_commit(repo, job.sha)
        except TransientGitHubError as err:
            return _retry_commit(runtime, job, err)
        for number in numbers:
            pull = PullKey(job.installation_id, job.owner, job.repo, number)
            runtime.dispatcher.submit(pull, job.trigger)
        log.info(
            "commit %s maps to %d pull request(s)",
            job.sha[:12],
            len(numbers),
            extra={"outcome": "fanned out"},
        )
        return f"{len(numbers)} pull request(s)"


def _retry_commit(runtime: Runtime, job: CommitJob, err: TransientGitHubError) -> str:
    if exhausted(job.attempt + 1):
        log.error("giving up on commit %s: %s", job.sha[:12], err, extra={"outcome": "gave up"})
        return "gave up"
    delay = backoff(job.attempt, err.retry_after)
    runtime.dispatcher.enqueue(replace(job, attempt=job.attempt + 1), delay)
    log.warning(
        "transient failure, retrying in %.0f s: %s",
        delay,
        err,
        extra={"outcome": "retry", "attempt": job.attempt + 1},
    )
    return "retry"
