"""Work every worker does besides jobs: move due jobs to the queue, re-queue stuck PRs, and run
the periodic chores it is given (such as writing waiting audit records to their database); and,
in a thread of its own, mint installation tokens before they lapse.

Both are safe with any number of workers, so no single process is needed for scheduling: a
due job is moved in one transaction that also removes it from the due set (one worker wins),
and a stuck PR is re-queued with a compare-and-set on its queued marker.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from redis.client import Pipeline
from redis.exceptions import RedisError, WatchError
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from bot.ops.replies import members
from bot.state.keys import PullKey
from bot.state.queueing import DUE_KEY, PENDING_KEY, Dispatcher, read_due_entry
from bot.worker.runtime import refresh_installed_tokens

log = logging.getLogger(__name__)
POLL_SECONDS = 1.0
SWEEP_SECONDS = 15.0
MAX_BACKOFF = 30.0
BATCH = 100

# A PR whose events are gone leaves the pending set; checked in Redis so that an event
# recorded meanwhile keeps it there.
_DROP_IDLE = """
if redis.call('exists', KEYS[1]) == 0 then return redis.call('srem', KEYS[2], ARGV[1]) end
return 0
"""


def promote_due(dispatcher: Dispatcher, now: float | None = None) -> int:
    """Queue the jobs whose time has come; returns how many this call moved.

    The due set is watched: if another worker moved entries (or anything changed it) first,
    the transaction fails and this call moves nothing; the next poll looks again.
    """
    now = time.time() if now is None else now
    with dispatcher.redis.pipeline(transaction=True) as pipe:
        try:
            pipe.watch(DUE_KEY)
            entries = members(pipe.zrangebyscore(DUE_KEY, "-inf", now, start=0, num=BATCH))
            if not entries:
                return 0
            pipe.multi()
            pipe.zrem(DUE_KEY, *entries)
            for raw in entries:
                _enqueue_spec(dispatcher, pipe, raw)
            pipe.execute()
        except WatchError:
            return 0
    return len(entries)


def _enqueue_spec(dispatcher: Dispatcher, pipe: Pipeline, raw: bytes) -> None:
    entry = read_due_entry(raw)
    if entry is None:
        # A pull request's events outlive it: the sweeper queues the pull request again.
        log.error("dropped an unreadable due entry: %.200r", raw)
        return
    job_id, job = entry
    dispatcher.enqueue(job, 0, pipe, job_id)


def sweep(dispatcher: Dispatcher) -> int:
    """Re-queue every PR with events but no queued job, no due job and no live run."""
    redis = dispatcher.redis
    due = {_due_id(raw) for raw in members(redis.zrange(DUE_KEY, 0, -1))}
    requeued = 0
    for member in redis.smembers(PENDING_KEY):
        pull = PullKey.from_member(member)
        pipe = redis.pipeline(transaction=False)
        pipe.exists(pull.key("lease"))
        pipe.get(pull.key("queued"))
        lease, marker = pipe.execute()
        if lease:
            continue
        if redis.eval(_DROP_IDLE, 2, pull.key("dirty"), PENDING_KEY, member):
            continue
        if marker is not None and _job_alive(dispatcher, marker.decode(), due):
            continue
        if dispatcher.replace_job(pull, marker, "sweeper"):
            log.warning(
                "re-queued a pull request whose events had no live job",
                extra={"repository": f"{pull.owner}/{pull.repo}", "pull_number": pull.number},
            )
            requeued += 1
    return requeued


def _due_id(raw: bytes) -> str:
    try:
        return str(json.loads(raw)["id"])
    except (ValueError, KeyError, TypeError):
        return ""


def _job_alive(dispatcher: Dispatcher, job_id: str, due: set[str]) -> bool:
    """Whether the marker's job will still run: due later, queued, or started just now (a
    run that started longer ago than a lease and holds none was killed)."""
    if job_id in due:
        return True
    try:
        job = Job.fetch(job_id, connection=dispatcher.redis)
    except NoSuchJobError:
        return False
    status = job.get_status(refresh=False)
    if status in (JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED, JobStatus.CREATED):
        return True
    if status == JobStatus.STARTED and job.started_at is not None:
        started = job.started_at.replace(tzinfo=job.started_at.tzinfo or UTC)
        return datetime.now(UTC) - started < timedelta(seconds=dispatcher.lease_seconds)
    return False


class Periodic(threading.Thread):
    """A worker thread that makes ``step`` every second and outlives any one failed step,
    waiting with backoff (1 s growing to 30 s) while Redis is away."""

    what = "a periodic pass"  # the thread's work, as its log lines name it

    def __init__(self, name: str) -> None:
        super().__init__(name=name, daemon=True)
        self.stopped = threading.Event()

    def step(self) -> None:
        raise NotImplementedError

    def resumed(self) -> None:
        """Redis is back after an outage."""

    def run(self) -> None:
        wait, failing = POLL_SECONDS, False
        while not self.stopped.wait(wait):
            try:
                self.step()
            except RedisError as err:
                if not failing:
                    log.warning("%s paused, Redis is unreachable: %s", self.what, err)
                failing, wait = True, min(MAX_BACKOFF, wait * 2)
                continue
            except Exception:  # the thread must outlive any one bad entry or failed mint
                log.exception("%s pass failed", self.what)
            if failing:
                log.info("%s resumed, Redis is reachable again", self.what)
                self.resumed()
            failing, wait = False, POLL_SECONDS


class Upkeep(Periodic):
    """The worker's scheduling thread: polls the due set every second, sweeps (and runs its
    chores) every 15 s, and waits with backoff while Redis is away. It never waits on GitHub."""

    what = "scheduling"

    def __init__(
        self,
        dispatcher: Dispatcher,
        sweep_seconds: float = SWEEP_SECONDS,
        chores: Sequence[Callable[[], object]] = (),
    ) -> None:
        super().__init__("upkeep")
        self.dispatcher = dispatcher
        self.sweep_seconds = sweep_seconds
        self.chores = tuple(chores)
        self.next_sweep = 0.0

    def once(self) -> None:
        """One sweep and one poll, for a worker that runs in burst mode."""
        self._sweep()
        promote_due(self.dispatcher)

    def _sweep(self) -> None:
        sweep(self.dispatcher)
        for chore in self.chores:
            chore()

    def step(self) -> None:
        if time.monotonic() >= self.next_sweep:
            self._sweep()
            self.next_sweep = time.monotonic() + self.sweep_seconds
        while promote_due(self.dispatcher) >= BATCH:
            pass

    def resumed(self) -> None:
        self.next_sweep = 0.0  # look for work a restart may have stranded


class TokenRefresher(Periodic):
    """The worker's token thread: every second, mints the installation tokens due for it
    (``InstallationTokens.refresh_due``, once across workers). Apart from the upkeep because
    each mint may wait on GitHub for its whole HTTP timeout, and due jobs must not wait."""

    what = "token refresh"

    def __init__(self, refresh: Callable[[], object] = refresh_installed_tokens) -> None:
        super().__init__("token-refresh")
        self.refresh = refresh

    def step(self) -> None:
        self.refresh()
