"""The rq worker class, and the loop that keeps a worker up while Redis comes and goes."""

from __future__ import annotations

import importlib
import logging
import signal
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

from redis.exceptions import RedisError
from rq import Queue, SimpleWorker
from rq.job import Job

from bot.ops.logs import log_context
from bot.state.jobkinds import ENTRY_MODULE, decode

log = logging.getLogger("bot.service")
FIRST_WAIT = 1.0
LONGEST_WAIT = 30.0
# A worker that ran this long before it stopped was healthy: the next wait starts short.
HEALTHY_SECONDS = 60.0


def job_fields(job: Job) -> dict[str, Any]:
    """The ids a job carries, as log fields, so rq's own lines about it carry them too; none
    for a job that is no kind of ours (e.g. queued by another release)."""
    ours = decode(job.func_name or "", job.kwargs or {})
    return {} if ours is None else ours.log_fields()


class ContextWorker(SimpleWorker):
    """A SimpleWorker whose job execution runs inside a log context of the job's ids."""

    # rq's own wait between reconnection attempts while idle grows to at most this.
    max_connection_wait_time = LONGEST_WAIT

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.stop_asked = False
        # rq imports a job's entry when it runs the first one; importing the entries (and
        # the evaluation code behind them, ~0.1 s) now keeps that off the first evaluation.
        importlib.import_module(ENTRY_MODULE)

    def execute_job(self, job: Job, queue: Queue) -> Any:
        with log_context(job_id=job.id, **job_fields(job)):
            return super().execute_job(job, queue)

    def request_stop(self, signum: int, frame: FrameType | None) -> None:
        self.stop_asked = True
        # rq leaves request_stop unannotated: bound to its signature, the call is checked.
        stop: Callable[[int, FrameType | None], None] = super().request_stop
        stop(signum, frame)


def supervise(
    make_worker: Callable[[], ContextWorker],
    burst: bool,
    logging_level: str,
    stop: threading.Event | None = None,
) -> None:
    """Run workers one after another until asked to stop (or, in burst mode, until the queue
    is empty); when Redis goes away, wait with backoff (1 s growing to 30 s) and start a new
    one. A job that was running then is queued again by the sweeper once Redis is back."""
    stop = stop or threading.Event()
    wait = FIRST_WAIT
    while not stop.is_set():
        started = time.monotonic()
        worker: ContextWorker | None = None
        try:
            worker = make_worker()
            worker.work(burst=burst, with_scheduler=False, logging_level=logging_level)
            problem = "the worker's loop ended on an error"
        except RedisError as err:
            problem = f"Redis is unreachable ({type(err).__name__}: {err})"
        if burst or (worker is not None and worker.stop_asked):
            return
        if time.monotonic() - started > HEALTHY_SECONDS:
            wait = FIRST_WAIT
        log.warning("%s; starting the worker again in %.0f s", problem, wait)
        _wait_or_stop(stop, wait)
        wait = min(LONGEST_WAIT, wait * 2)


def _wait_or_stop(stop: threading.Event, seconds: float) -> None:
    """Wait, ending early on SIGTERM or SIGINT (rq's handlers belong to the worker that ended)."""
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
    stop.wait(seconds)
