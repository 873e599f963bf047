"""The job entry points on a real Redis with the shared fake port: retries, locks, audit."""

from __future__ import annotations

import io
import json
import logging
import signal
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

import pytest
from redis import Redis
from rq import Queue, SimpleWorker
from rq.timeouts import JobTimeoutException

from bot.evaluation.ports import GitHubPort, PullInfo, RepoRef
from bot.ops.audit import AuditLog
from bot.ops.errors import PermanentGitHubError, TransientGitHubError
from bot.ops.logs import configure_logging
from bot.ops.redaction import forget_secrets, register_secret
from bot.ops.settings import AppSettings
from bot.state.jobkinds import CommitJob, PullJob, decode
from bot.state.keys import PullKey
from bot.state.queueing import DUE_KEY, JOB_TIMEOUT, Dispatcher, EvaluationMark, read_due_entry
from bot.worker import jobs
from bot.worker.retries import MAX_ATTEMPTS, backoff
from bot.worker.runs import begin
from bot.worker.runtime import Runtime, install
from bot.worker.scheduling import promote_due
from tests.fakes import FakePort

PULL = PullKey(1, "acme", "shop", 7)
JOB = PullJob.of(PULL).fields()  # what rq passes to the entry function
COMMIT = CommitJob(installation_id=1, owner="acme", repo="shop", sha="h1", trigger="d-9")


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
    assert jobs.run_pull_job(**JOB) == "done"
    records = list(runtime.audit.export())
    assert [r["deliveries"] for r in records] == [["d-1"]]
    assert records[0]["tier"] == "L2" and records[0]["actions"]


def test_a_completed_evaluation_leaves_its_mark(runtime: FakeRuntime) -> None:
    assert runtime.dispatcher.last_evaluation(PULL) is None
    runtime.dispatcher.submit(PULL, "d-1")
    before = time.time()
    assert jobs.run_pull_job(**JOB) == "done"
    mark = runtime.dispatcher.last_evaluation(PULL)
    assert mark is not None
    assert (mark.head_sha, mark.check_status, mark.check_conclusion) == ("h1", "in_progress", None)
    assert mark.tier == "L2"  # what a merge group's check shows for the pull request
    assert before <= mark.at <= time.time()
    assert 29 * 86400 < runtime.redis.ttl(PULL.key("mark")) <= 30 * 86400
    (record,) = runtime.audit.export()
    assert (record["check_status"], record["check_conclusion"]) == ("in_progress", None)


def test_a_retried_evaluation_leaves_no_mark_until_it_completes(runtime: FakeRuntime) -> None:
    runtime.port.fail("fetch_pull", TransientGitHubError("502"))
    runtime.dispatcher.submit(PULL, "d-1")
    assert jobs.run_pull_job(**JOB) == "retry"
    assert runtime.dispatcher.last_evaluation(PULL) is None


def test_transient_failure_reschedules_with_retry_after(runtime: FakeRuntime) -> None:
    runtime.port.fail("fetch_pull", TransientGitHubError("403 rate limited", retry_after=42))
    runtime.dispatcher.submit(PULL, "d-1")
    Queue("review-tiers", connection=runtime.redis).empty()
    assert jobs.run_pull_job(**JOB) == "retry"
    ((spec, seconds),) = due(runtime.redis)
    assert 40 <= seconds <= 42  # GitHub's retry-after, not a guess
    assert read_due_entry(json.dumps(spec)) == (spec["id"], PullJob.of(PULL, "d-1"))
    assert runtime.dispatcher.attempt(PULL) == 1
    # The retry run sees the original delivery and succeeds.
    assert jobs.run_pull_job(**JOB) == "done"
    assert [r["deliveries"] for r in runtime.audit.export()] == [["d-1"]]
    assert runtime.dispatcher.attempt(PULL) == 0


def due(redis: Redis) -> list[tuple[dict[str, Any], float]]:
    """The due set's entries and how many seconds from now each is due."""
    entries = redis.zrange(DUE_KEY, 0, -1, withscores=True)
    return [(json.loads(raw), score - time.time()) for raw, score in entries]


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
        runtime.redis.delete(DUE_KEY)
        assert jobs.run_pull_job(**JOB) == "retry"
        assert runtime.dispatcher.attempt(PULL) == attempt
        ((_, seconds),) = due(runtime.redis)
        assert 58 <= seconds <= 60
    assert jobs.run_pull_job(**JOB) == "done"
    assert runtime.dispatcher.attempt(PULL) == 0


def test_a_crash_keeps_the_events_for_a_retry(runtime: FakeRuntime) -> None:
    runtime.port.fail("fetch_files", KeyError("surprise"))
    runtime.dispatcher.submit(PULL, "d-1")
    assert jobs.run_pull_job(**JOB) == "retry"
    assert events(runtime) == {"d-1": ""}


def events(runtime: FakeRuntime) -> dict[str, str]:
    raw = runtime.redis.hgetall(PULL.key("dirty"))
    return {k.decode(): v.decode() for k, v in raw.items()}


def test_permanent_failure_is_logged_not_retried(runtime: FakeRuntime) -> None:
    runtime.port.fail("fetch_pull", PermanentGitHubError("GitHub answered 404"))
    runtime.dispatcher.submit(PULL, "d-1")
    Queue("review-tiers", connection=runtime.redis).empty()
    assert jobs.run_pull_job(**JOB) == "done"
    assert due(runtime.redis) == [] and events(runtime) == {}


def test_giving_up_fails_the_check_closed_and_audits_it(runtime: FakeRuntime) -> None:
    runtime.dispatcher.record_evaluation(PULL, EvaluationMark("h0", "completed", "success", 1.0))
    runtime.dispatcher.submit(PULL, "d-1")
    runtime.dispatcher.set_attempt(PULL, MAX_ATTEMPTS)
    token = "ghs_" + "Z9y8" * 9
    runtime.port.fail("fetch_files", TransientGitHubError(f"502 from GitHub, token {token}"))
    Queue("review-tiers", connection=runtime.redis).empty()
    assert jobs.run_pull_job(**JOB) == "done"
    output = runtime.port.checks["h1"]["review-tiers"].output
    assert (output.status, output.conclusion) == ("completed", "failure")
    assert output.title == "Evaluation failed: retrying later"
    assert "`gave-up`" in output.summary and "502 from GitHub" in output.summary
    assert token not in output.summary and "[redacted]" in output.summary
    (record,) = runtime.audit.export()
    assert record["outcome"] == "gave-up" and record["deliveries"] == ["d-1"]
    assert [r["code"] for r in record["reasons"]] == ["gave-up"]
    assert token not in json.dumps(record)
    # No mark: the recovery loop evaluates the PR again later; the events are handled.
    assert runtime.dispatcher.last_evaluation(PULL) is None
    assert runtime.dispatcher.attempt(PULL) == 0 and events(runtime) == {}
    assert due(runtime.redis) == [] and len(Queue("review-tiers", connection=runtime.redis)) == 0


def test_giving_up_when_even_the_check_cannot_be_written(runtime: FakeRuntime) -> None:
    runtime.dispatcher.submit(PULL, "d-1")
    runtime.dispatcher.set_attempt(PULL, MAX_ATTEMPTS)
    runtime.port.fail("fetch_pull", TransientGitHubError("502"), times=2)
    assert jobs.run_pull_job(**JOB) == "done"
    assert "h1" not in runtime.port.checks
    (record,) = runtime.audit.export()
    assert record["outcome"] == "gave-up"
    assert any("could not be written" in failure for failure in record["failures"])


def test_a_real_worker_gives_up_into_a_failing_check(runtime: FakeRuntime) -> None:
    runtime.dispatcher.submit(PULL, "d-1")
    runtime.dispatcher.set_attempt(PULL, MAX_ATTEMPTS - 2)
    runtime.port.fail("fetch_files", TransientGitHubError("502 Bad Gateway"), times=2)
    queue = Queue("review-tiers", connection=runtime.redis)
    work_in_burst(queue, runtime.redis)  # the last attempt fails: a retry is due later
    assert "h1" not in runtime.port.checks and len(due(runtime.redis)) == 1
    promote_due(runtime.dispatcher, now=time.time() + 3600)
    work_in_burst(queue, runtime.redis)  # ... and fails again: given up
    output = runtime.port.checks["h1"]["review-tiers"].output
    assert (output.conclusion, output.title) == ("failure", "Evaluation failed: retrying later")
    assert [r["outcome"] for r in runtime.audit.export()] == ["gave-up"]
    assert due(runtime.redis) == [] and len(queue) == 0 and events(runtime) == {}


def test_busy_pull_is_left_to_the_running_evaluation(runtime: FakeRuntime) -> None:
    run = begin(runtime.dispatcher, PULL)
    assert run is not None
    runtime.dispatcher.submit(PULL, "d-2")
    queue = Queue("review-tiers", connection=runtime.redis)
    queue.empty()
    assert jobs.run_pull_job(**JOB) == "busy"
    assert len(queue) == 0 and due(runtime.redis) == []  # the holder follows up
    run.finish({})
    (follow_up,) = queue.get_jobs()
    assert follow_up.args == () and follow_up.func_name == "bot.worker.jobs.run_pull_job"
    assert decode(follow_up.func_name, follow_up.kwargs) == PullJob.of(PULL, "d-2", settle=True)
    assert jobs.run_pull_job(**follow_up.kwargs) == "done"
    assert [r["deliveries"] for r in runtime.audit.export()] == [["d-2"]]


def test_a_burst_on_a_real_worker_costs_one_evaluation(runtime: FakeRuntime) -> None:
    for i in range(50):
        runtime.dispatcher.submit(PULL, f"d-{i:02d}")
    queue = Queue("review-tiers", connection=runtime.redis)
    work_in_burst(queue, runtime.redis)
    (record,) = runtime.audit.export()
    assert len(record["deliveries"]) == 50
    assert events(runtime) == {} and len(queue) == 0


def work_in_burst(queue: Queue, redis: Redis) -> None:
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        SimpleWorker([queue], connection=redis).work(burst=True)
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)


@pytest.mark.parametrize(
    ("attempt", "retry_after", "expected"),
    [
        (0, None, 5.0),
        (3, None, 40.0),
        (4, None, 60.0),
        (20, None, 60.0),
        (0, 600.0, 600.0),
        (5, 0.0, 1.0),
    ],
)
def test_backoff(attempt: int, retry_after: float | None, expected: float) -> None:
    assert backoff(attempt, retry_after) == expected


def test_commit_job_retries_transient_failures(runtime: FakeRuntime) -> None:
    runtime.port.fail("fetch_pulls_for_commit", TransientGitHubError("502"))
    assert jobs.run_commit_job(**COMMIT.fields()) == "retry"
    ((spec, seconds),) = due(runtime.redis)
    assert 3 <= seconds <= 5 and spec["func"] == "bot.worker.jobs.run_commit_job"
    assert read_due_entry(json.dumps(spec)) == (spec["id"], replace(COMMIT, attempt=1))


def test_commit_job_fans_out_to_its_pulls(runtime: FakeRuntime) -> None:
    assert jobs.run_commit_job(**COMMIT.fields()) == "1 pull request(s)"
    assert events(runtime) == {"d-9": ""}


def test_a_timeout_fails_the_check_and_is_not_retried(runtime: FakeRuntime) -> None:
    # What rq's alarm does inside a job that runs past its limit.
    runtime.port.fail("fetch_files", JobTimeoutException("Task exceeded maximum timeout value"))
    runtime.dispatcher.submit(PULL, "d-1")
    queue = Queue("review-tiers", connection=runtime.redis)
    queue.empty()
    assert jobs.run_pull_job(**JOB) == "done"
    assert due(runtime.redis) == [] and len(queue) == 0
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
    queue.enqueue_call(PullJob.func(), kwargs=PullJob.of(PULL, "d-1").fields(), timeout=1)
    started = time.monotonic()
    work_in_burst(queue, runtime.redis)
    assert time.monotonic() - started < 10
    output = slow.checks["h1"]["review-tiers"].output
    assert output.conclusion == "failure" and output.title == "Evaluation timed out after 1 s"
    assert [r["outcome"] for r in runtime.audit.export()] == ["timeout"]
    assert due(runtime.redis) == [] and len(queue) == 0


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
        assert jobs.run_pull_job(**JOB) == "done"
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


def test_pull_and_commit_jobs_give_up_after_the_same_number_of_runs(
    runtime: FakeRuntime,
) -> None:
    runtime.port.fail("fetch_files", TransientGitHubError("502"), times=100)
    runtime.dispatcher.submit(PULL, "d-1")
    results = [jobs.run_pull_job(**JOB)]
    while results[-1] == "retry":
        results.append(jobs.run_pull_job(**JOB))
    assert results == ["retry"] * (MAX_ATTEMPTS - 1) + ["done"]
    assert [r["outcome"] for r in runtime.audit.export()] == ["gave-up"]
    runtime.port.fail("fetch_pulls_for_commit", TransientGitHubError("502"), times=100)
    runtime.redis.delete(DUE_KEY)
    job, results = COMMIT, []
    while not results or results[-1] == "retry":
        results.append(jobs.run_commit_job(**job.fields()))
        for raw in runtime.redis.zrange(DUE_KEY, 0, -1):
            entry = read_due_entry(raw)
            assert entry is not None and isinstance(entry[1], CommitJob)
            job = entry[1]
        runtime.redis.delete(DUE_KEY)
    assert results == ["retry"] * (MAX_ATTEMPTS - 1) + ["gave up"]
    assert job.attempt == MAX_ATTEMPTS - 1


def test_an_evaluation_records_its_repository_as_a_dependent_of_each_spec(
    runtime: FakeRuntime, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.core.specs import SpecRef, SpecText
    from bot.evaluation import pipeline

    read = pipeline.fetch_policy
    chain = (
        SpecText(SpecRef("acme/spec"), "a" * 40, "version: 1\n"),
        SpecText(SpecRef("acme/base", "base.yml"), "b" * 40, "version: 1\n"),
        SpecText(SpecRef("acme/spec", "more.yml"), "a" * 40, "version: 1\n"),
    )
    monkeypatch.setattr(
        pipeline, "fetch_policy", lambda *a, **k: replace(read(*a, **k), specs=chain)
    )
    runtime.dispatcher.submit(PULL, "d-1")
    assert jobs.run_pull_job(**JOB) == "done"
    shop = RepoRef(1, "acme", "shop")
    assert runtime.dependents.dependents("acme/spec") == [shop]
    assert runtime.dependents.dependents("acme/base") == [shop]
    [record] = runtime.audit.export()
    assert record["specs"][1] == {"repo": "acme/base", "path": "base.yml", "sha": "b" * 40}


def test_an_evaluation_by_the_organisation_policy_depends_on_its_repository(
    runtime: FakeRuntime,
) -> None:
    # A push to acme/.github's default branch may change this policy: it must reach the PR.
    runtime.port.org_config = "version: 1\n"
    runtime.dispatcher.submit(PULL, "d-1")
    assert jobs.run_pull_job(**JOB) == "done"
    assert runtime.dependents.dependents("acme/.github") == [RepoRef(1, "acme", "shop")]


def test_an_evaluation_without_specs_records_no_dependent(runtime: FakeRuntime) -> None:
    runtime.dispatcher.submit(PULL, "d-1")
    assert jobs.run_pull_job(**JOB) == "done"
    assert runtime.redis.keys("rt:spec-dependents:*") == []
