"""Per-pull-request scheduling on Redis: every event recorded, one job queued or running per PR.

An event is recorded in its PR's events hash and in the set of PRs with pending events; a job
is queued at once unless one is already queued or running for the PR (the ``queued`` marker
holds its job id), so a burst coalesces into the running evaluation and one follow-up. Events
stay recorded until the run that took them has finished (see ``bot.worker.runs``). Delayed work
(retries, the optional hold) waits in a due-time sorted set that every worker polls, and a
sweeper in every worker re-queues PRs whose events have no job and no live run
(``bot.worker.scheduling``). No single process is needed for scheduling.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from redis import Redis
from redis.client import Pipeline
from redis.exceptions import WatchError
from rq import Queue

from bot.ops.replies import text_hash
from bot.state.jobkinds import Job, PullJob, decode
from bot.state.keys import PullKey

QUEUE_NAME = "review-tiers"
JOB_TIMEOUT = 600
# A PR's events are kept this long after their last write; a run removes them when handled.
EVENTS_TTL = 86400
# The queued marker outlives its job's wait; the sweeper replaces a marker whose job is gone.
QUEUED_TTL = 3600
LEASE_SECONDS = 15.0  # a run's lease; its heartbeat renews it, a killed run's lapses
MARK_TTL = 30 * 86400
PENDING_KEY = "rt:pending"  # members: PRs that have recorded events (the sweeper's list)
DUE_KEY = "rt:due"  # delayed jobs as JSON, scored by the epoch second they are due


@dataclass(frozen=True)
class EvaluationMark:
    """What the last completed evaluation of a PR converged to, and when (epoch seconds)."""

    head_sha: str
    check_status: str
    check_conclusion: str | None
    at: float
    tier: str | None = None  # the tier decided, shown by a merge group's check


class Dispatcher:
    """Records events and keeps exactly one job queued or running per PR with events."""

    def __init__(
        self,
        redis: Redis,
        debounce_seconds: float = 0.0,
        queue: str = QUEUE_NAME,
        lease_seconds: float = LEASE_SECONDS,
    ):
        self.redis = redis
        self.queue = Queue(queue, connection=redis)
        self.debounce = debounce_seconds  # an optional hold before a lone event's run
        self.lease_seconds = lease_seconds

    def submit(self, pull: PullKey, delivery_id: str, actor: str | None = None) -> bool:
        """Record the event; True when this call queued a job, False when it coalesced."""
        pipe = self.redis.pipeline()
        self.record_event(pipe, pull, delivery_id, actor or "")
        pipe.execute()
        return self.replace_job(pull, None, delivery_id, self.debounce)

    def record_event(self, pipe: Pipeline, pull: PullKey, delivery_id: str, actor: str) -> None:
        pipe.hset(pull.key("dirty"), delivery_id, actor)
        pipe.expire(pull.key("dirty"), EVENTS_TTL)
        pipe.sadd(PENDING_KEY, pull.member())

    def start(
        self, pipe: Pipeline, pull: PullKey, trigger: str, delay: float, settle: bool
    ) -> None:
        """Inside a transaction: point the PR's marker at a new job and queue it (or hold it).

        ``trigger`` is the delivery that caused the job, so every log line can name one;
        ``settle`` asks the run to wait for a burst still arriving before it reads events.
        """
        job_id = uuid.uuid4().hex
        pipe.set(pull.key("queued"), job_id, ex=QUEUED_TTL + int(delay))
        self.enqueue(PullJob.of(pull, trigger, settle), delay, pipe, job_id)

    def replace_job(
        self,
        pull: PullKey,
        expected: bytes | None,
        trigger: str,
        delay: float = 0.0,
        settle: bool = False,
    ) -> bool:
        """Queue a job for the PR if its marker still holds ``expected`` (None: no marker).

        A compare-and-set: of several processes deciding to queue the same PR, one wins.
        """
        with self.redis.pipeline(transaction=True) as pipe:
            try:
                pipe.watch(pull.key("queued"))
                if pipe.get(pull.key("queued")) != expected:
                    return False
                pipe.multi()
                self.start(pipe, pull, trigger, delay, settle)
                pipe.execute()
            except WatchError:
                return False
        return True

    def enqueue(
        self,
        job: Job,
        delay: float = 0.0,
        pipeline: Pipeline | None = None,
        job_id: str | None = None,
    ) -> None:
        """Queue ``job`` now, or put it in the due set for ``delay`` seconds; with a
        transaction ``pipeline``, as part of it."""
        job_id = job_id or uuid.uuid4().hex
        if delay > 0:
            target = pipeline if pipeline is not None else self.redis
            target.zadd(DUE_KEY, {due_entry(job, job_id): time.time() + delay})
            return
        self.queue.enqueue_call(
            job.func(),
            kwargs=job.fields(),
            timeout=JOB_TIMEOUT,
            result_ttl=600,
            failure_ttl=7 * 86400,
            job_id=job_id,
            pipeline=pipeline,
        )

    def depth(self) -> int:
        """Jobs waiting to run: queued now plus due later (held or retrying)."""
        return len(self.queue) + int(self.redis.zcard(DUE_KEY))

    # -- state the recovery loop and lifecycle events read and end -----------------------
    def lease_alive(self, pull: PullKey) -> bool:
        """True while a run of the PR holds a live lease."""
        return bool(self.redis.exists(pull.key("lease")))

    def last_evaluation(self, pull: PullKey) -> EvaluationMark | None:
        raw = text_hash(self.redis.hgetall(pull.key("mark")))
        if not raw.get("head_sha"):
            return None
        status, conclusion = raw.get("check_status", ""), raw.get("check_conclusion") or None
        at, tier = float(raw["at"]), raw.get("tier") or None
        return EvaluationMark(raw["head_sha"], status, conclusion, at, tier)

    def record_evaluation(self, pull: PullKey, mark: EvaluationMark) -> None:
        pipe = self.redis.pipeline()
        # Written in the call, so its type is redis-py's field mapping (dict keys are invariant).
        pipe.hset(
            pull.key("mark"),
            mapping={
                "head_sha": mark.head_sha,
                "check_status": mark.check_status,
                "check_conclusion": mark.check_conclusion or "",
                "at": repr(mark.at),
                "tier": mark.tier or "",
            },
        )
        pipe.expire(pull.key("mark"), MARK_TTL)
        pipe.execute()

    def forget_evaluation(self, pull: PullKey) -> None:
        """No completed evaluation stands for the PR (it was given up): recovery retries it."""
        self.redis.delete(pull.key("mark"))

    def forget_pull(self, pull: PullKey) -> None:
        from bot.state.lifecycle import purge_pull

        purge_pull(self.redis, pull)

    def forget_installation(
        self, installation_id: int, repos: Sequence[tuple[str, str]] | None = None
    ) -> None:
        """Purge the state of ``repos`` (every repository when None) and mark them removed."""
        from bot.state.lifecycle import purge_installation

        purge_installation(self.redis, installation_id, repos)

    def is_removed(self, installation_id: int, owner: str, repo: str) -> bool:
        from bot.state.lifecycle import is_removed

        return is_removed(self.redis, installation_id, owner, repo)

    # -- attempts of a retried evaluation -------------------------------------------------
    def attempt(self, pull: PullKey) -> int:
        raw = self.redis.get(pull.key("attempt"))
        return int(raw) if raw else 0

    def set_attempt(self, pull: PullKey, attempt: int) -> None:
        self.redis.set(pull.key("attempt"), attempt, ex=EVENTS_TTL)

    def clear_attempts(self, pull: PullKey) -> None:
        self.redis.delete(pull.key("attempt"))


def due_entry(job: Job, job_id: str) -> str:
    """A delayed job as the due set keeps it: its id, entry function and keyword arguments."""
    return json.dumps({"id": job_id, "func": job.func(), "kwargs": job.fields()}, sort_keys=True)


def read_due_entry(raw: bytes | str) -> tuple[str, Job] | None:
    """The id and job of a due-set entry; None when it is unreadable or names no job kind."""
    try:
        spec = json.loads(raw)
        job_id, func, kwargs = str(spec["id"]), str(spec["func"]), dict(spec["kwargs"])
    except (ValueError, KeyError, TypeError):
        return None
    job = decode(func, kwargs)
    return None if job is None else (job_id, job)
