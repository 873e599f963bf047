"""The recovery loop: in every worker and without a leader, it redelivers failed webhook
deliveries and re-evaluates open pull requests whose last evaluation no longer stands."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from redis import Redis
from redis.exceptions import RedisError

from bot.evaluation.ports import RepoRef
from bot.gh.app_client import AppClient
from bot.gh.listings import Listings
from bot.ops.errors import PermanentGitHubError, TransientGitHubError
from bot.ops.metrics import RequestObserver
from bot.ops.settings import AppSettings
from bot.state.queueing import Dispatcher, EvaluationMark
from bot.worker.fanout import Fanout, Installation, OpenPull, fan_out
from bot.worker.redelivery import Redeliverer

log = logging.getLogger(__name__)

# Written without a TTL: when it is gone, Redis lost its data (a restart without persistence,
# a flush), and with it queued work and marks. Whoever writes it back scans at once.
SENTINEL_KEY = "rt:recovery:sentinel"
PERIOD_LOCK = "rt:recovery:period:{index}"
# A check left waiting this long by an evaluation that no run is continuing is worth a look.
STALE_SECONDS = 600.0
LOOK_SECONDS = 5.0  # how often a worker looks for lost data and a due period
MAX_BACKOFF = 60.0
STALE = "waiting check left alone"


def needs_evaluation(
    pull: OpenPull, mark: EvaluationMark | None, lease_alive: bool, now: float
) -> str | None:
    """Why ``pull`` may need an evaluation according to its mark alone, or None.

    A live lease means a run is at it: that run leaves a new mark or is itself recovered.
    """
    if lease_alive:
        return None
    if mark is None:
        return "never evaluated"
    if mark.head_sha != pull.head_sha:
        return "head moved"
    if mark.check_status == "in_progress" and now - mark.at > STALE_SECONDS:
        return STALE
    return None


@dataclass
class GitHubPulls:
    """The fan-out's view of GitHub: installations as the App, listings per installation."""

    settings: AppSettings
    redis: Redis
    app: AppClient
    observe: RequestObserver | None = None

    def installations(self) -> list[int]:
        return self.app.installations()

    def installation(self, installation_id: int) -> Listings:
        return Listings(self.settings, self.redis, installation_id, observe=self.observe)


class Recovery:
    """One scan: the delivery log first, then every open pull request."""

    def __init__(
        self,
        settings: AppSettings,
        dispatcher: Dispatcher,
        observe: RequestObserver | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.dispatcher = dispatcher
        self.clock = clock
        self.app = AppClient(settings, observe)
        self.pulls = GitHubPulls(settings, dispatcher.redis, self.app, observe)

    def scan(self, why: str) -> None:
        started = self.clock()
        redelivered = self._redeliver()
        stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(started))
        plan = Fanout(
            self._predicate,
            lambda pull, reason: self._submit(pull, reason, f"recovery:{stamp}"),
            self.settings.recovery_min_remaining,
            include=lambda i, owner, repo: not self.dispatcher.is_removed(i, owner, repo),
        )
        try:
            report = fan_out(self.pulls, plan)
        except (TransientGitHubError, PermanentGitHubError) as err:
            log.warning("could not list installations: %s", err, extra={"outcome": "failed"})
            return
        finally:
            self.app.close()
        log.info(
            "recovery scan (%s): %d redelivered, %d of %d open pull request(s) queued",
            why,
            redelivered,
            report.acted,
            report.pulls,
            extra={"outcome": "recovered", "seconds": round(self.clock() - started, 3)},
        )

    def _redeliver(self) -> int:
        """Redeliver what the delivery log shows as failed; how many were asked for again."""
        windows = (float(self.settings.recovery_seconds), self.settings.recovery_lookback_seconds)
        try:
            sent = Redeliverer(self.dispatcher.redis, self.app, windows, self.clock).scan()
        except (TransientGitHubError, PermanentGitHubError) as err:
            log.warning("could not read the delivery log: %s", err, extra={"outcome": "failed"})
            return 0
        return len(sent.redelivered)

    def _predicate(self, pull: OpenPull, listings: Installation) -> str | None:
        key = pull.key
        mark = self.dispatcher.last_evaluation(key)
        reason = needs_evaluation(pull, mark, self.dispatcher.lease_alive(key), self.clock())
        if reason != STALE or mark is None:
            return reason
        # Waiting for reviews or checks is normal, and evaluating again costs a dozen requests.
        # One conditional read (free when unchanged) tells whether anything happened to the
        # check that no event reported: gone, or not what the last evaluation left.
        seen = listings.app_check(
            RepoRef(pull.installation_id, pull.owner, pull.repo), pull.head_sha
        )
        if seen is None:
            return "check missing"
        if (seen.status, seen.conclusion) != (mark.check_status, mark.check_conclusion):
            return "check changed"
        return None

    def _submit(self, pull: OpenPull, reason: str, delivery_id: str) -> None:
        self.dispatcher.submit(pull.key, delivery_id)
        fields = {
            "installation_id": pull.installation_id,
            "repository": f"{pull.owner}/{pull.repo}",
            "pull_number": pull.number,
            "delivery_id": delivery_id,
        }
        log.info("re-evaluating: %s", reason, extra={**fields, "outcome": "queued"})


class RecoveryLoop:
    """Runs ``scan`` at start-up, after Redis lost its data, and once a period across workers."""

    def __init__(
        self,
        redis: Redis,
        scan: Callable[[str], None],
        period: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.redis = redis
        self.scan = scan
        self.period = period
        self.clock = clock
        self.stopped = threading.Event()
        self.started = False
        self.next_due = 0.0

    def step(self) -> float:
        """One look; returns how long to wait before the next."""
        now = self.clock()
        index = int(now // self.period)
        first, self.started = not self.started, True
        lock = PERIOD_LOCK.format(index=index)
        ttl = int(self.period) + 1
        if self.redis.set(SENTINEL_KEY, "1", nx=True):
            self.next_due = (index + 1) * self.period
            self.redis.set(lock, "1", ex=ttl)  # this period's scan is this one
            self.scan("start-up" if first else "Redis lost its data")
        elif first or now >= self.next_due:
            self.next_due = (index + 1) * self.period
            # SET NX EX: one worker per period wins; if it dies, the next period is another's.
            if self.redis.set(lock, "1", nx=True, ex=ttl):
                self.scan("start-up" if first else "period")
        return max(0.0, min(LOOK_SECONDS, self.next_due - self.clock()))

    def run(self) -> None:
        delay, failures = 0.0, 0
        while not self.stopped.wait(delay):
            try:
                delay, failures = self.step(), 0
            except RedisError as err:
                failures += 1
                delay = min(MAX_BACKOFF, 2.0**failures)
                log.warning("recovery waits for Redis (%s), next look in %.0f s", err, delay)
            except Exception:  # the thread is a boundary: log, and look again later
                log.exception("recovery scan crashed")
                delay = LOOK_SECONDS

    def start(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, name="review-tiers-recovery", daemon=True)
        thread.start()
        return thread


def start_recovery(
    settings: AppSettings, dispatcher: Dispatcher, observe: RequestObserver | None
) -> RecoveryLoop:
    """The worker's recovery thread, started."""
    recovery = Recovery(settings, dispatcher, observe)
    loop = RecoveryLoop(dispatcher.redis, recovery.scan, float(settings.recovery_seconds))
    loop.start()
    return loop
