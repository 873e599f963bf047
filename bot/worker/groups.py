"""A merge group's check as a queued job: read the group, converge its check, retry on
transient errors and fail closed when the retries run out."""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import replace

from bot.core.merge_group import check_for_group_gave_up
from bot.core.models import Mode
from bot.evaluation.merge_group import GroupRef, TierLookup, converge_group_check, evaluate_group
from bot.evaluation.ports import RepoRef
from bot.ops.errors import PermanentGitHubError, TransientGitHubError
from bot.ops.logs import log_context
from bot.ops.redaction import redact
from bot.state.groups import with_recorded_base
from bot.state.jobkinds import CommitJob, GroupJob
from bot.state.keys import PullKey
from bot.worker.commits import fan_out_commit
from bot.worker.retries import MAX_ATTEMPTS, backoff, exhausted
from bot.worker.runtime import Runtime, current_runtime

log = logging.getLogger("bot.worker.jobs")  # its lines read as the jobs' own


def check_group(job: GroupJob) -> str:
    """Converge the group's check on its head; the outcome string is kept as the job result."""
    runtime = current_runtime()
    known = with_recorded_base(runtime.redis, job)
    if known is None:
        # A re-run on a head the App holds no merge group for (the group ended, or a branch
        # merely carries the queue's name): look the commit's pull requests up as for any.
        commit = CommitJob(
            installation_id=job.installation_id,
            owner=job.owner,
            repo=job.repo,
            sha=job.head_sha,
            trigger=job.trigger,
        )
        return fan_out_commit(commit)
    with log_context(**known.log_fields()):
        repo = RepoRef(known.installation_id, known.owner, known.repo)
        group = GroupRef(known.head_sha, known.base_sha, known.base_ref)
        try:
            port = runtime.port_for(known.installation_id)
            tiers, process = _tiers(runtime, known), Mode(runtime.settings.mode)
            record = evaluate_group(port, repo, group, known.trigger, tiers, process)
        except TransientGitHubError as err:
            return _retry_group(runtime, known, err)
        except PermanentGitHubError as err:
            log.error("merge group check failed for good: %s", err, extra={"outcome": "failed"})
            return "failed"
        except Exception as err:  # the job is a boundary: a crash retries like a GitHub error
            log.exception("merge group check crashed", extra={"outcome": "crashed"})
            unexpected = TransientGitHubError(f"unexpected {type(err).__name__}: {err}")
            return _retry_group(runtime, known, unexpected)
        runtime.audit.append(dataclasses.asdict(record))
        log.info(
            "merge group: %d pull request(s), check %s",
            len(record.pull_numbers),
            record.check_conclusion or record.check_status,
            extra={"outcome": "merge group checked", "audit": dataclasses.asdict(record)},
        )
        return record.check_conclusion or record.check_status


def _tiers(runtime: Runtime, job: GroupJob) -> TierLookup:
    """The tier of the App's last completed evaluation of a pull request, on that head only."""

    def tier_of(number: int, head_sha: str) -> str | None:
        pull = PullKey(job.installation_id, job.owner, job.repo, number)
        mark = runtime.dispatcher.last_evaluation(pull)
        return mark.tier if mark is not None and mark.head_sha == head_sha else None

    return tier_of


def _retry_group(runtime: Runtime, job: GroupJob, err: TransientGitHubError) -> str:
    if exhausted(job.attempt + 1):
        _give_up(runtime, job, err)
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


def _give_up(runtime: Runtime, job: GroupJob, err: TransientGitHubError) -> None:
    """Fail the group's check rather than leave the queue waiting on it; best effort."""
    log.error("giving up on the merge group: %s", err, extra={"outcome": "gave-up"})
    state = check_for_group_gave_up(MAX_ATTEMPTS, redact(str(err)))
    repo = RepoRef(job.installation_id, job.owner, job.repo)
    try:
        converge_group_check(runtime.port_for(job.installation_id), repo, job.head_sha, state)
    except Exception as failure:  # the give-up itself must not crash the job
        log.error("the gave-up check could not be written: %s", failure)
