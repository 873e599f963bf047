"""Per-pull-request job coalescing on Redis: one run at a time, at most one follow-up queued.

Every event marks its pull request dirty (with its delivery id) and enqueues a job only when
none is queued yet, after a short debounce so a burst of events coalesces into one run. A run
holds a per-PR lock, so across all workers only one evaluation of a PR runs at a time; events
that arrive during a run leave the PR dirty, and the run enqueues exactly one follow-up.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import asdict, dataclass
from datetime import timedelta

from redis import Redis
from redis.client import Pipeline
from rq import Queue

QUEUE_NAME = "review-tiers"
QUEUED_TTL = 3600  # a lost job cannot block a PR for longer than this
JOB_TIMEOUT = 600
# Longer than any evaluation (rq stops a job at JOB_TIMEOUT); a killed worker's lock expires.
LOCK_TTL_MS = (JOB_TIMEOUT + 60) * 1000
WATCHDOG_SECONDS = 60.0
MARK_TTL = 30 * 86400  # a pull request untouched for a month is found again by its head
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


@dataclass(frozen=True)
class PullKey:
    installation_id: int
    owner: str
    repo: str
    number: int

    def key(self, suffix: str) -> str:
        return f"rt:pr:{self.installation_id}:{self.owner}/{self.repo}#{self.number}:{suffix}"

    def args(self) -> tuple[int, str, str, int]:
        return (self.installation_id, self.owner, self.repo, self.number)


@dataclass(frozen=True)
class EvaluationMark:
    """What the last completed evaluation of a pull request left on GitHub, and when."""

    head_sha: str
    check_status: str
    check_conclusion: str | None
    at: float


class Dispatcher:
    """Marks pull requests dirty and keeps exactly one job queued per dirty PR."""

    def __init__(self, redis: Redis, debounce_seconds: float = 2.0, queue: str = QUEUE_NAME):
        self.redis = redis
        self.queue = Queue(queue, connection=redis)
        self.debounce = debounce_seconds

    def submit(self, pull: PullKey, delivery_id: str, actor: str | None = None) -> bool:
        """Record the event; True when this call enqueued a job, False when it coalesced."""
        pipe = self.redis.pipeline()
        pipe.hset(pull.key("dirty"), delivery_id, actor or "")
        pipe.expire(pull.key("dirty"), QUEUED_TTL)
        pipe.execute()
        return self.ensure_queued(pull, self.debounce, delivery_id)

    def ensure_queued(self, pull: PullKey, delay: float, trigger: str) -> bool:
        """Enqueue a run unless one is queued; ``trigger`` is the delivery that caused it,
        carried by the job so every log line about the run can name a delivery."""
        if not self.redis.set(pull.key("queued"), "1", nx=True, ex=QUEUED_TTL):
            return False
        try:
            self.enqueue("bot.jobs.run_pull_job", (*pull.args(), trigger), delay)
        except Exception:
            # No job behind the flag: later events must be able to queue one.
            self.redis.delete(pull.key("queued"))
            raise
        return True

    def watch(self, pull: PullKey, trigger: str) -> None:
        """A run found the PR locked: look again later, in case the holder died mid-run.

        A live holder enqueues its own follow-up; then this later run finds nothing to do.
        """
        self.enqueue("bot.jobs.run_pull_job", (*pull.args(), trigger), WATCHDOG_SECONDS)

    def enqueue(
        self, func: str, args: tuple[object, ...], delay: float, pipeline: Pipeline | None = None
    ) -> None:
        """Queue ``func`` now or after ``delay``; with a transaction ``pipeline``, as part of it."""
        options: dict[str, object] = {
            "job_timeout": JOB_TIMEOUT,
            "result_ttl": 600,
            "failure_ttl": 7 * 86400,
            "pipeline": pipeline,
        }
        if delay > 0:
            self.queue.enqueue_in(timedelta(seconds=delay), func, *args, **options)
        else:
            self.queue.enqueue(func, *args, **options)

    def submit_commit(self, repo: tuple[int, str, str], sha: str, delivery_id: str) -> None:
        """A status event names a commit, not a PR: a job finds its PRs first."""
        self.enqueue("bot.jobs.run_commit_job", (*repo, sha, delivery_id), 0)

    def depth(self) -> int:
        """Jobs waiting to run: queued now plus scheduled (debounced or retrying)."""
        return len(self.queue) + self.queue.scheduled_job_registry.count

    # -- used by the job --------------------------------------------------------------
    def begin(self, pull: PullKey) -> str | None:
        """Take the PR's lock for a run; None when another run holds it (it will follow up)."""
        self.redis.delete(pull.key("queued"))
        token = uuid.uuid4().hex
        if not self.redis.set(pull.key("lock"), token, nx=True, px=LOCK_TTL_MS):
            return None
        return token

    def take_events(self, pull: PullKey) -> dict[str, str]:
        """The deliveries (and recheck actors) that made the PR dirty, clearing them."""
        pipe = self.redis.pipeline(transaction=True)
        pipe.hgetall(pull.key("dirty"))
        pipe.delete(pull.key("dirty"))
        raw, _ = pipe.execute()
        return {k.decode(): v.decode() for k, v in raw.items()}

    def finish(self, pull: PullKey, token: str, retry_in: float | None = None) -> None:
        """Release the lock, then enqueue one follow-up if events arrived meanwhile."""
        self.redis.eval(_RELEASE, 1, pull.key("lock"), token)
        pending = sorted(k.decode() for k in self.redis.hkeys(pull.key("dirty")))
        if retry_in is not None:
            self.ensure_queued(pull, retry_in, pending[-1] if pending else "")
        elif pending:
            self.ensure_queued(pull, 0, pending[-1])

    def mark_retry(self, pull: PullKey, events: dict[str, str], attempt: int) -> None:
        """Put the events back so the retry run still sees them, with the attempt count."""
        if events:
            self.redis.hset(pull.key("dirty"), mapping=events)
            self.redis.expire(pull.key("dirty"), QUEUED_TTL)
        self.redis.set(pull.key("attempt"), attempt, ex=QUEUED_TTL)

    def attempt(self, pull: PullKey) -> int:
        raw = self.redis.get(pull.key("attempt"))
        return int(raw) if raw else 0

    def clear_attempts(self, pull: PullKey) -> None:
        self.redis.delete(pull.key("attempt"))

    # -- what the recovery loop asks of the queue -------------------------------------
    # Kept together so that the queue's own lease and lifecycle bookkeeping can take over
    # these answers without the recovery loop changing.
    def lease_alive(self, pull: PullKey) -> bool:
        """A run of this pull request holds its lock right now."""
        return bool(self.redis.exists(pull.key("lock")))

    def last_evaluation(self, pull: PullKey) -> EvaluationMark | None:
        raw = self.redis.get(pull.key("mark"))
        if raw is None:
            return None
        try:
            return EvaluationMark(**json.loads(raw))
        except (ValueError, TypeError):
            return None  # unreadable: as if never evaluated, so the PR is evaluated again

    def record_evaluation(
        self, pull: PullKey, head_sha: str, check: tuple[str, str | None]
    ) -> None:
        """Remember a completed evaluation: the head it saw and the check it converged to."""
        mark = EvaluationMark(head_sha, check[0], check[1], time.time())
        self.redis.set(pull.key("mark"), json.dumps(asdict(mark)), ex=MARK_TTL)

    def forget_evaluation(self, pull: PullKey) -> None:
        """An evaluation gave up: with no mark, the next recovery scan evaluates it again."""
        self.redis.delete(pull.key("mark"))

    def is_removed(self, installation_id: int, owner: str, repo: str) -> bool:
        """The repository left the installation: the recovery loop skips it."""
        return bool(self.redis.exists(f"rt:removed:{installation_id}:{owner}/{repo}"))
