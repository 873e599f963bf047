"""Per-PR coalescing on a real Redis: one run at a time, exactly one follow-up."""

from __future__ import annotations

from redis import Redis
from rq import Queue

from bot.queueing import Dispatcher, PullKey

PULL = PullKey(1, "acme", "shop", 7)


def queued_jobs(redis: Redis) -> int:
    return len(Queue("review-tiers", connection=redis))


def test_a_burst_enqueues_one_job(redis_client: Redis) -> None:
    dispatcher = Dispatcher(redis_client, debounce_seconds=0)
    results = [dispatcher.submit(PULL, f"d-{i}") for i in range(50)]
    assert results.count(True) == 1
    assert queued_jobs(redis_client) == 1
    assert len(dispatcher.take_events(PULL)) == 50


def test_events_during_a_run_cause_exactly_one_follow_up(redis_client: Redis) -> None:
    dispatcher = Dispatcher(redis_client, debounce_seconds=0)
    dispatcher.submit(PULL, "d-0")
    Queue("review-tiers", connection=redis_client).empty()
    token = dispatcher.begin(PULL)
    assert token is not None
    assert list(dispatcher.take_events(PULL)) == ["d-0"]
    for i in range(1, 20):  # arrive while the run holds the lock
        dispatcher.submit(PULL, f"d-{i}")
    assert queued_jobs(redis_client) == 1
    # The queued job starts on another worker while the first run still holds the lock.
    assert dispatcher.begin(PULL) is None
    dispatcher.finish(PULL, token)
    assert queued_jobs(redis_client) == 2  # the one that found the lock busy, plus the follow-up
    second = dispatcher.begin(PULL)
    assert second is not None and len(dispatcher.take_events(PULL)) == 19
    dispatcher.finish(PULL, second)
    assert queued_jobs(redis_client) == 2  # nothing new arrived: no further follow-up


def test_a_run_with_no_events_left_does_nothing(redis_client: Redis) -> None:
    dispatcher = Dispatcher(redis_client, debounce_seconds=0)
    token = dispatcher.begin(PULL)
    assert token is not None and dispatcher.take_events(PULL) == {}
    dispatcher.finish(PULL, token)
    assert queued_jobs(redis_client) == 0


def test_lock_is_released_only_by_its_holder(redis_client: Redis) -> None:
    dispatcher = Dispatcher(redis_client, debounce_seconds=0)
    token = dispatcher.begin(PULL)
    assert token is not None
    dispatcher.finish(PULL, "someone-else")
    assert dispatcher.begin(PULL) is None
    dispatcher.finish(PULL, token)
    assert dispatcher.begin(PULL) is not None


def test_retry_keeps_the_events_and_schedules_one_job(redis_client: Redis) -> None:
    dispatcher = Dispatcher(redis_client, debounce_seconds=0)
    token = dispatcher.begin(PULL)
    assert token is not None
    dispatcher.mark_retry(PULL, {"d-1": ""}, attempt=1)
    dispatcher.finish(PULL, token, retry_in=30)
    scheduled = Queue("review-tiers", connection=redis_client).scheduled_job_registry
    assert len(scheduled.get_job_ids()) == 1
    assert dispatcher.attempt(PULL) == 1
    assert dispatcher.take_events(PULL) == {"d-1": ""}


def test_debounce_schedules_instead_of_queueing(redis_client: Redis) -> None:
    dispatcher = Dispatcher(redis_client, debounce_seconds=2)
    dispatcher.submit(PULL, "d-0")
    queue = Queue("review-tiers", connection=redis_client)
    assert len(queue) == 0 and len(queue.scheduled_job_registry.get_job_ids()) == 1


def test_recheck_actor_is_kept(redis_client: Redis) -> None:
    dispatcher = Dispatcher(redis_client, debounce_seconds=0)
    dispatcher.submit(PULL, "d-0", actor="octocat")
    dispatcher.submit(PULL, "d-1")
    assert dispatcher.take_events(PULL) == {"d-0": "octocat", "d-1": ""}
