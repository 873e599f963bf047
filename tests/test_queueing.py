"""Scheduling on a real Redis: events kept until handled, leases, the due set and the sweeper."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from redis import Redis
from rq import Queue
from rq.job import Job, JobStatus

from bot.state.jobkinds import CommitJob, PullJob, decode
from bot.state.keys import PullKey
from bot.state.queueing import DUE_KEY, PENDING_KEY, Dispatcher, EvaluationMark
from bot.worker.runs import begin
from bot.worker.scheduling import promote_due, sweep

PULL = PullKey(1, "acme", "shop", 7)


def queue(redis: Redis) -> Queue:
    return Queue("review-tiers", connection=redis)


def queued_jobs(redis: Redis) -> list[Job]:
    return queue(redis).get_jobs()


def as_job(job: Job) -> PullJob | CommitJob | None:
    """The job kind and fields a queued rq job stands for, as the worker rebuilds them."""
    return None if job.args else decode(job.func_name or "", job.kwargs)


def due(redis: Redis) -> list[tuple[dict[str, object], float]]:
    """The due set's entries and how many seconds from now each is due."""
    entries = redis.zrange(DUE_KEY, 0, -1, withscores=True)
    return [(json.loads(raw), score - time.time()) for raw, score in entries]


def marker(redis: Redis, pull: PullKey = PULL) -> str | None:
    raw = redis.get(pull.key("queued"))
    return raw.decode() if raw else None


def events(redis: Redis, pull: PullKey = PULL) -> dict[str, str]:
    return {k.decode(): v.decode() for k, v in redis.hgetall(pull.key("dirty")).items()}


def until(check: Callable[[], bool], seconds: float = 3.0) -> bool:
    """Whether ``check`` holds within ``seconds`` of Redis's own clock (TTLs lapse in Redis)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        threading.Event().wait(0.02)
    return False


def test_a_lone_event_is_queued_at_once_and_a_burst_coalesces(redis_client: Redis) -> None:
    dispatcher = Dispatcher(redis_client)
    results = [dispatcher.submit(PULL, f"d-{i}") for i in range(50)]
    assert results.count(True) == 1 and results[0] is True
    (job,) = queued_jobs(redis_client)
    assert as_job(job) == PullJob.of(PULL, "d-0") and marker(redis_client) == job.id
    assert due(redis_client) == []  # no hold: nothing waits for a scheduler
    assert len(events(redis_client)) == 50
    assert redis_client.sismember(PENDING_KEY, PULL.member())


def test_events_during_a_run_coalesce_into_one_follow_up(redis_client: Redis) -> None:
    dispatcher = Dispatcher(redis_client)
    dispatcher.submit(PULL, "d-0")
    queue(redis_client).empty()  # a worker took the job
    run = begin(dispatcher, PULL)
    assert run is not None
    taken = run.events()
    for i in range(1, 20):  # arrive while the run is in progress
        assert dispatcher.submit(PULL, f"d-{i}") is False
    assert queued_jobs(redis_client) == []
    run.finish(taken)
    (follow_up,) = queued_jobs(redis_client)
    assert as_job(follow_up) == PullJob.of(PULL, "d-9", settle=True)  # the last pending
    assert marker(redis_client) == follow_up.id
    assert sorted(events(redis_client)) == sorted(f"d-{i}" for i in range(1, 20))
    queue(redis_client).empty()
    second = begin(dispatcher, PULL)
    assert second is not None
    second.finish(second.events())
    assert queued_jobs(redis_client) == [] and events(redis_client) == {}
    assert marker(redis_client) is None  # the next event queues a job at once again
    assert not redis_client.sismember(PENDING_KEY, PULL.member())


def test_a_run_removes_only_the_entries_it_handled(redis_client: Redis) -> None:
    dispatcher = Dispatcher(redis_client)
    dispatcher.submit(PULL, "d-1")
    dispatcher.submit(PULL, "d-2")
    run = begin(dispatcher, PULL)
    assert run is not None
    taken = run.events()
    redis_client.hset(PULL.key("dirty"), "d-2", "octocat")  # changed after the run read it
    dispatcher.submit(PULL, "d-3")
    run.finish(taken)
    assert events(redis_client) == {"d-2": "octocat", "d-3": ""}


def test_a_killed_run_keeps_its_events_and_its_lease_lapses(redis_client: Redis) -> None:
    dispatcher = Dispatcher(redis_client, lease_seconds=0.2)
    dispatcher.submit(PULL, "d-1")
    run = begin(dispatcher, PULL)
    assert run is not None and run.events() == {"d-1": ""}
    # The process dies here: no heartbeat, no finish.
    assert dispatcher.lease_alive(PULL)
    assert begin(dispatcher, PULL) is None
    assert until(lambda: not dispatcher.lease_alive(PULL))
    assert events(redis_client) == {"d-1": ""}
    assert begin(dispatcher, PULL) is not None


def test_the_heartbeat_keeps_a_live_run_leased(redis_client: Redis) -> None:
    dispatcher = Dispatcher(redis_client, lease_seconds=0.3)
    run = begin(dispatcher, PULL)
    assert run is not None
    with run:
        started = time.monotonic()
        assert not until(lambda: not dispatcher.lease_alive(PULL), 1.0)
        assert time.monotonic() - started >= 1.0  # three lease periods, still held
    assert until(lambda: not dispatcher.lease_alive(PULL))  # stopped with the run


def test_a_lease_is_released_only_by_its_holder(redis_client: Redis) -> None:
    dispatcher = Dispatcher(redis_client)
    run = begin(dispatcher, PULL)
    assert run is not None
    impostor = begin(Dispatcher(redis_client), PullKey(1, "acme", "shop", 8))
    assert impostor is not None
    impostor.pull = PULL  # a stale run ending with another token
    impostor.finish({})
    assert dispatcher.lease_alive(PULL)
    run.finish({})
    assert not dispatcher.lease_alive(PULL)


def test_a_retry_waits_in_the_due_set_with_the_events_kept(redis_client: Redis) -> None:
    dispatcher = Dispatcher(redis_client)
    dispatcher.submit(PULL, "d-1")
    queue(redis_client).empty()
    run = begin(dispatcher, PULL)
    assert run is not None
    run.finish(run.events(), retry_in=30)
    assert queued_jobs(redis_client) == []
    ((spec, seconds),) = due(redis_client)
    assert 28 <= seconds <= 30 and spec["id"] == marker(redis_client)
    assert events(redis_client) == {"d-1": ""}
    assert promote_due(dispatcher) == 0  # not due yet
    assert promote_due(dispatcher, now=time.time() + 31) == 1
    (job,) = queued_jobs(redis_client)
    assert job.id == spec["id"] and due(redis_client) == []


def test_a_hold_puts_a_lone_event_in_the_due_set(redis_client: Redis) -> None:
    dispatcher = Dispatcher(redis_client, debounce_seconds=2)
    dispatcher.submit(PULL, "d-0")
    dispatcher.submit(PULL, "d-1")
    assert queued_jobs(redis_client) == []
    ((spec, seconds),) = due(redis_client)
    assert 1 <= seconds <= 2 and spec["func"] == "bot.worker.jobs.run_pull_job"
    assert spec["kwargs"] == PullJob.of(PULL, "d-0").fields()


def test_each_due_entry_is_queued_by_exactly_one_of_many_pollers(redis_client: Redis) -> None:
    dispatcher = Dispatcher(redis_client)
    for n in range(40):
        job = CommitJob(installation_id=1, owner="acme", repo="shop", sha=f"{n:040x}", trigger="d")
        dispatcher.enqueue(job, 5)
    ids = {str(spec["id"]) for spec, _ in due(redis_client)}
    start = threading.Barrier(6)
    later = time.time() + 10

    def poll() -> None:
        mine = Dispatcher(Redis(connection_pool=redis_client.connection_pool))
        start.wait(5)
        for _ in range(200):
            promote_due(mine, now=later)
            if not redis_client.zcard(DUE_KEY):
                return

    pollers = [threading.Thread(target=poll) for _ in range(6)]
    for thread in pollers:
        thread.start()
    for thread in pollers:
        thread.join(30)
    jobs = queued_jobs(redis_client)
    assert len(jobs) == 40 and {job.id for job in jobs} == ids


def test_the_sweeper_requeues_a_pull_with_events_and_no_live_job(redis_client: Redis) -> None:
    dispatcher = Dispatcher(redis_client)
    dispatcher.submit(PULL, "d-1")
    queue(redis_client).empty()
    redis_client.delete(f"rq:job:{marker(redis_client)}")  # the job was lost
    assert sweep(dispatcher) == 1
    (job,) = queued_jobs(redis_client)
    assert marker(redis_client) == job.id
    assert sweep(dispatcher) == 0  # a queued job is alive: nothing more


def test_the_sweeper_requeues_a_pull_whose_run_was_killed(redis_client: Redis) -> None:
    dispatcher = Dispatcher(redis_client, lease_seconds=0.2)
    dispatcher.submit(PULL, "d-1")
    (job,) = queued_jobs(redis_client)
    queue(redis_client).empty()
    job.set_status(JobStatus.STARTED)
    job.started_at = datetime.now(UTC)
    job.save()
    run = begin(dispatcher, PULL)
    assert run is not None
    assert sweep(dispatcher) == 0  # the run is alive
    assert until(lambda: not dispatcher.lease_alive(PULL))  # ... then killed
    job.started_at = datetime.now(UTC) - timedelta(seconds=5)
    job.save()
    assert sweep(dispatcher) == 1
    (again,) = queued_jobs(redis_client)
    assert as_job(again) == PullJob.of(PULL, "sweeper")


def test_the_sweeper_leaves_due_and_idle_pulls_alone(redis_client: Redis) -> None:
    dispatcher = Dispatcher(redis_client, debounce_seconds=60)
    dispatcher.submit(PULL, "d-1")  # held in the due set
    idle = PullKey(1, "acme", "shop", 9)
    redis_client.sadd(PENDING_KEY, idle.member())  # its events were handled meanwhile
    assert sweep(dispatcher) == 0
    assert queued_jobs(redis_client) == []
    assert redis_client.smembers(PENDING_KEY) == {PULL.member().encode()}


def test_recheck_actor_is_kept(redis_client: Redis) -> None:
    dispatcher = Dispatcher(redis_client)
    dispatcher.submit(PULL, "d-0", actor="octocat")
    dispatcher.submit(PULL, "d-1")
    assert events(redis_client) == {"d-0": "octocat", "d-1": ""}


def test_the_last_evaluation_is_remembered_for_thirty_days(redis_client: Redis) -> None:
    dispatcher = Dispatcher(redis_client)
    assert dispatcher.last_evaluation(PULL) is None
    mark = EvaluationMark("a" * 40, "completed", "success", 1700000000.5)
    dispatcher.record_evaluation(PULL, mark)
    assert dispatcher.last_evaluation(PULL) == mark
    assert 29 * 86400 < redis_client.ttl(PULL.key("mark")) <= 30 * 86400
    pending = EvaluationMark("b" * 40, "in_progress", None, 1700000001.0)
    dispatcher.record_evaluation(PULL, pending)
    assert dispatcher.last_evaluation(PULL) == pending
    dispatcher.forget_evaluation(PULL)
    assert dispatcher.last_evaluation(PULL) is None
