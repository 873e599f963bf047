"""The worker outlives Redis outages: the supervising loop and the scheduling thread."""

from __future__ import annotations

import logging
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from redis import Redis
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.retry import Retry

from bot.state.keys import PullKey
from bot.state.queueing import Dispatcher
from bot.worker import scheduling, workers
from bot.worker.scheduling import Upkeep
from bot.worker.workers import ContextWorker, supervise


class ScriptedWorker(ContextWorker):
    """A worker whose work loop plays one scripted outcome instead of reading a queue."""

    def __init__(self, outcome: BaseException | str) -> None:  # no super(): no Redis needed
        self.outcome = outcome
        self.stop_asked = False

    def work(self, *args: Any, **kwargs: Any) -> bool:
        if isinstance(self.outcome, BaseException):
            raise self.outcome
        self.stop_asked = self.outcome == "stopped"
        return True


@pytest.fixture(autouse=True)
def short_waits(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(workers, "FIRST_WAIT", 0.001)
    monkeypatch.setattr(workers, "LONGEST_WAIT", 0.004)
    monkeypatch.setattr(scheduling, "POLL_SECONDS", 0.005)
    monkeypatch.setattr(scheduling, "MAX_BACKOFF", 0.02)
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    yield
    for sig, handler in handlers.items():  # the supervisor takes them while it waits
        signal.signal(sig, handler)


def test_a_worker_is_started_again_after_redis_went_away(
    caplog: pytest.LogCaptureFixture,
) -> None:
    lost = RedisConnectionError("Connection refused")
    # (step, outcome): creating the worker may need Redis too; then its work loop's ends.
    script: list[tuple[str, BaseException | str]] = [
        ("create", lost),
        ("work", lost),
        ("work", "loop ended"),
        ("work", lost),
        ("work", "stopped"),
    ]

    def make_worker() -> ContextWorker:
        step, outcome = script.pop(0)
        if step == "create":
            assert isinstance(outcome, BaseException)
            raise outcome
        return ScriptedWorker(outcome)

    with caplog.at_level(logging.WARNING, logger="bot.service"):
        supervise(make_worker, burst=False, logging_level="INFO")
    assert script == []
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 4  # one line per restart, none for the requested stop
    assert "Redis is unreachable (ConnectionError: Connection refused)" in lines[0]
    assert "loop ended on an error" in lines[2]


def test_a_burst_worker_ends_with_its_queue(caplog: pytest.LogCaptureFixture) -> None:
    supervise(lambda: ScriptedWorker("done"), burst=True, logging_level="INFO")
    assert caplog.records == []


def test_the_scheduling_thread_survives_redis_going_away(
    redis_client: Redis, caplog: pytest.LogCaptureFixture
) -> None:
    # No client-side retries: each pass fails at once, as against a Redis that is down.
    nowhere = Redis(
        host="127.0.0.1", port=1, socket_connect_timeout=0.2, retry=Retry(NoBackoff(), 0)
    )
    upkeep = Upkeep(Dispatcher(nowhere))
    with caplog.at_level(logging.INFO, logger="bot.worker.scheduling"):
        upkeep.start()
        threading.Event().wait(0.3)  # several failed passes
        assert upkeep.is_alive()
        # Redis is back: the same thread sweeps again and finds the stranded work.
        upkeep.dispatcher = Dispatcher(redis_client)
        upkeep.dispatcher.record_event(pipe := redis_client.pipeline(), PULL, "d-1", "")
        pipe.execute()
        assert wait_for(lambda: redis_client.llen("rq:queue:review-tiers") == 1, 10)
        upkeep.stopped.set()
        upkeep.join(2)
    messages = [r.getMessage() for r in caplog.records]
    assert sum("Redis is unreachable" in m for m in messages) == 1  # one line per outage
    assert any("resumed" in m for m in messages)


PULL = PullKey(1, "acme", "shop", 7)


def wait_for(check: Any, seconds: float = 3.0) -> bool:
    done = threading.Event()
    for _ in range(int(seconds / 0.01)):
        if check():
            return True
        done.wait(0.01)
    return False


def test_a_worker_loads_the_job_entries_before_its_first_job(redis_url: str) -> None:
    """So that the first evaluation after a start does not wait for the evaluation code."""
    script = (
        "import sys\n"
        "from redis import Redis\n"
        "from rq import Queue\n"
        "from bot.worker.workers import ContextWorker\n"
        "assert 'bot.worker.jobs' not in sys.modules\n"
        f"redis = Redis.from_url({redis_url!r})\n"
        "ContextWorker([Queue('entries', connection=redis)], connection=redis)\n"
        "assert 'bot.worker.jobs' in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode()
