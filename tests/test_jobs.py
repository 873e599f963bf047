"""The job entry points on a real Redis with the shared fake port: retries, locks, audit."""

from __future__ import annotations

import io
import json
import logging
import signal
import threading
import time
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime

import pytest
from redis import Redis
from rq import Queue, SimpleWorker
from rq.timeouts import JobTimeoutException

from bot import jobs
from bot.audit import AuditLog
from bot.errors import PermanentGitHubError, TransientGitHubError
from bot.logs import configure_logging
from bot.ports import GitHubPort, PullInfo, RepoRef
from bot.queueing import JOB_TIMEOUT, Dispatcher, PullKey
from bot.redaction import forget_secrets, register_secret
from bot.runtime import Runtime, install
from bot.settings import AppSettings
from tests.fakes import FakePort

PULL = PullKey(1, "acme", "shop", 7)


class FakeRuntime(Runtime):
    port: FakePort

    def port_for(self, installation_id: int) -> GitHubPort:
        return self.port


@pytest.fixture
def runtime(redis_client: Redis) -> Iterator[FakeRuntime]:
    settings = AppSettings(app_id=1, private_key="", webhook_secret="")
    rt = FakeRuntime(settings, redis_client, Dispatcher(redis_client, 0), AuditLog(redis_client))
    rt.port = FakePort()
    rt.port.pulls[7] = PullInfo(7, "open", False, "dev", "t", "", "h1", "main", "b1", (), (), ())
    rt.port.files[7] = [
        {
            "filename": "src/a.py",
            "status": "modified",
            "additions": 1,
            "deletions": 0,
            "patch": "@@ -1,0 +1 @@\n+x",
        }
    ]
    install(rt)
    yield rt
    install(None)


def test_a_run_evaluates_and_audits(runtime: FakeRuntime) -> None:
    runtime.dispatcher.submit(PULL, "d-1")
    assert jobs.run_pull_job(*PULL.args()) == "done"
    records = list(runtime.audit.export())
    assert [r["deliveries"] for r in records] == [["d-1"]]
    assert records[0]["tier"] == "L2" and records[0]["actions"]


def test_a_completed_evaluation_leaves_its_mark(runtime: FakeRuntime) -> None:
    assert runtime.dispatcher.last_evaluation(PULL) is None
    runtime.dispatcher.submit(PULL, "d-1")
    before = time.time()
    assert jobs.run_pull_job(*PULL.args()) == "done"
    mark = runtime.dispatcher.last_evaluation(PULL)
    assert mark is not None
    assert (mark.head_sha, mark.check_status, mark.check_conclusion) == ("h1", "in_progress", None)
    assert before <= mark.at <= time.time()
    assert 29 * 86400 < runtime.redis.ttl(PULL.key("mark")) <= 30 * 86400


def test_a_retried_evaluation_leaves_no_mark_until_it_completes(runtime: FakeRuntime) -> None:
    runtime.port.fail("fetch_pull", TransientGitHubError("502"))
    runtime.dispatcher.submit(PULL, "d-1")
    assert jobs.run_pull_job(*PULL.args()) == "retry"
    assert runtime.dispatcher.last_evaluation(PULL) is None


def test_transient_failure_reschedules_with_retry_after(runtime: FakeRuntime) -> None:
    runtime.port.fail("fetch_pull", TransientGitHubError("403 rate limited", retry_after=42))
    runtime.dispatcher.submit(PULL, "d-1")
    Queue("review-tiers", connection=runtime.redis).empty()
    assert jobs.run_pull_job(*PULL.args()) == "retry"
    scheduled = Queue("review-tiers", connection=runtime.redis).scheduled_job_registry
    job_ids = scheduled.get_job_ids()
    assert len(job_ids) == 1
    assert 40 <= scheduled_in(runtime, job_ids[0]) <= 43  # GitHub's retry-after, not a guess
    assert runtime.dispatcher.attempt(PULL) == 1
    # The retry run sees the original delivery and succeeds.
    assert jobs.run_pull_job(*PULL.args()) == "done"
    assert [r["deliveries"] for r in runtime.audit.export()] == [["d-1"]]
    assert runtime.dispatcher.attempt(PULL) == 0


def scheduled_in(runtime: FakeRuntime, job_id: str) -> float:
    registry = Queue("review-tiers", connection=runtime.redis).scheduled_job_registry
    when = registry.get_scheduled_time(job_id)
    return (when - datetime.now(UTC)).total_seconds()


def test_secondary_write_failure_retries_with_its_wait_and_counts_attempts(
    runtime: FakeRuntime,
) -> None:
    runtime.port.fail(
        "add_labels", TransientGitHubError("secondary limit", retry_after=60), times=3
    )
    runtime.dispatcher.submit(PULL, "d-1")
    queue = Queue("review-tiers", connection=runtime.redis)
    for attempt in (1, 2, 3):
        queue.empty()
        for job_id in queue.scheduled_job_registry.get_job_ids():
            queue.scheduled_job_registry.remove(job_id)
        assert jobs.run_pull_job(*PULL.args()) == "retry"
        assert runtime.dispatcher.attempt(PULL) == attempt
        (job_id,) = queue.scheduled_job_registry.get_job_ids()
        assert 58 <= scheduled_in(runtime, job_id) <= 61
    assert jobs.run_pull_job(*PULL.args()) == "done"
    assert runtime.dispatcher.attempt(PULL) == 0


def test_a_crash_keeps_the_events_for_a_retry(runtime: FakeRuntime) -> None:
    runtime.port.fail("fetch_files", KeyError("surprise"))
    runtime.dispatcher.submit(PULL, "d-1")
    assert jobs.run_pull_job(*PULL.args()) == "retry"
    assert runtime.dispatcher.take_events(PULL) == {"d-1": ""}


def test_permanent_failure_is_logged_not_retried(runtime: FakeRuntime) -> None:
    runtime.port.fail("fetch_pull", PermanentGitHubError("GitHub answered 404"))
    runtime.dispatcher.submit(PULL, "d-1")
    Queue("review-tiers", connection=runtime.redis).empty()
    assert jobs.run_pull_job(*PULL.args()) == "done"
    assert Queue("review-tiers", connection=runtime.redis).scheduled_job_registry.count == 0


def test_gives_up_after_max_attempts(runtime: FakeRuntime) -> None:
    runtime.dispatcher.record_evaluation(PULL, "h1", ("completed", "success"))
    runtime.dispatcher.mark_retry(PULL, {"d-1": ""}, jobs.MAX_ATTEMPTS)
    runtime.port.fail("fetch_pull", TransientGitHubError("502"))
    assert jobs.run_pull_job(*PULL.args()) == "done"
    assert runtime.dispatcher.attempt(PULL) == 0
    # The earlier mark no longer stands for the head: the recovery loop evaluates it again.
    assert runtime.dispatcher.last_evaluation(PULL) is None


def test_busy_pull_is_left_to_the_running_evaluation(runtime: FakeRuntime) -> None:
    token = runtime.dispatcher.begin(PULL)
    assert token is not None
    runtime.dispatcher.submit(PULL, "d-2")
    queue = Queue("review-tiers", connection=runtime.redis)
    before = set(queue.scheduled_job_registry.get_job_ids())
    assert jobs.run_pull_job(*PULL.args()) == "busy"
    (watchdog,) = set(queue.scheduled_job_registry.get_job_ids()) - before
    assert 55 <= scheduled_in(runtime, watchdog) <= 61  # in case the holder died
    runtime.dispatcher.finish(PULL, token)
    assert jobs.run_pull_job(*PULL.args()) == "done"


@pytest.mark.parametrize(
    ("attempt", "retry_after", "expected"),
    [(0, None, 5.0), (3, None, 40.0), (20, None, 900.0), (0, 30.0, 30.0), (5, 0.0, 1.0)],
)
def test_backoff(attempt: int, retry_after: float | None, expected: float) -> None:
    assert jobs.backoff(attempt, retry_after) == expected


def test_commit_job_retries_transient_failures(runtime: FakeRuntime) -> None:
    runtime.port.fail("fetch_pulls_for_commit", TransientGitHubError("502"))
    assert jobs.run_commit_job(1, "acme", "shop", "h1", "d-9") == "retry"
    registry = Queue("review-tiers", connection=runtime.redis).scheduled_job_registry
    (job_id,) = registry.get_job_ids()
    assert 3 <= scheduled_in(runtime, job_id) <= 6


def test_commit_job_fans_out_to_its_pulls(runtime: FakeRuntime) -> None:
    assert jobs.run_commit_job(1, "acme", "shop", "h1", "d-9") == "1 pull request(s)"
    assert runtime.dispatcher.take_events(PULL) == {"d-9": ""}


def test_a_timeout_fails_the_check_and_is_not_retried(runtime: FakeRuntime) -> None:
    # What rq's alarm does inside a job that runs past its limit.
    runtime.port.fail("fetch_files", JobTimeoutException("Task exceeded maximum timeout value"))
    runtime.dispatcher.submit(PULL, "d-1")
    queue = Queue("review-tiers", connection=runtime.redis)
    queue.empty()
    assert jobs.run_pull_job(*PULL.args()) == "done"
    assert queue.scheduled_job_registry.count == 0 and len(queue) == 0
    assert runtime.dispatcher.attempt(PULL) == 0
    output = runtime.port.checks["h1"]["review-tiers"].output
    assert (output.status, output.conclusion) == ("completed", "failure")
    assert (
        output.title == f"Evaluation timed out after {JOB_TIMEOUT} s"
        and "`timeout`" in output.summary
    )
    (record,) = runtime.audit.export()
    assert record["outcome"] == "timeout" and record["deliveries"] == ["d-1"]
    assert [r["code"] for r in record["reasons"]] == ["timeout"]


class SlowPort(FakePort):
    """Reads the files listing more slowly than any job time limit allows."""

    def fetch_files(self, repo: RepoRef, number: int) -> list[Mapping[str, object]]:
        threading.Event().wait(30)  # rq's alarm interrupts the wait
        return super().fetch_files(repo, number)


def test_a_real_worker_stops_a_slow_job_at_its_limit(runtime: FakeRuntime) -> None:
    slow = SlowPort(pulls=runtime.port.pulls, files=runtime.port.files)
    runtime.port = slow
    runtime.redis.hset(PULL.key("dirty"), "d-1", "")
    queue = Queue("review-tiers", connection=runtime.redis)
    queue.enqueue("bot.jobs.run_pull_job", *PULL.args(), "d-1", job_timeout=1)
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    started = time.monotonic()
    try:
        SimpleWorker([queue], connection=runtime.redis).work(burst=True)
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    assert time.monotonic() - started < 10
    output = slow.checks["h1"]["review-tiers"].output
    assert output.conclusion == "failure" and output.title == "Evaluation timed out after 1 s"
    assert [r["outcome"] for r in runtime.audit.export()] == ["timeout"]
    assert queue.scheduled_job_registry.count == 0 and len(queue) == 0


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """The worker's JSON log lines, captured; the root logger is put back afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    stream = io.StringIO()
    configure_logging("INFO", stream)
    yield stream
    root.handlers[:] = handlers
    root.setLevel(level)


def test_an_error_echoing_credentials_leaves_no_trace_of_them(
    runtime: FakeRuntime, log_lines: io.StringIO
) -> None:
    secret = "hook-secret-for-jobs"
    jwt = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOjQyfQ.c2lnbmF0dXJlLWJ5dGVz"
    token = "ghs_" + "A1b2" * 9
    echoed = f"GitHub answered 422: token {token}, jwt {jwt}, secret {secret}"
    register_secret(secret)
    runtime.port.fail("fetch_files", PermanentGitHubError(echoed))
    runtime.dispatcher.submit(PULL, "d-1")
    try:
        assert jobs.run_pull_job(*PULL.args()) == "done"
    finally:
        forget_secrets()
    output = runtime.port.checks["h1"]["review-tiers"].output
    (record,) = runtime.audit.export()
    texts = {
        "check": output.title + output.summary,
        "audit": json.dumps(record),
        "log": log_lines.getvalue(),
    }
    assert "GitHub answered 422" in texts["check"] and record["outcome"].startswith("failed")
    assert "GitHub answered 422" in texts["log"]
    for where, text in texts.items():
        for leaked in (token, jwt, secret):
            assert leaked not in text, (where, leaked)
        assert "[redacted]" in text, where
