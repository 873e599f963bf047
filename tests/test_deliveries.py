"""Replays on a real Redis: a delivery answered 202 is recorded with its jobs, all or nothing."""

from __future__ import annotations

import copy
import hashlib
import json
import threading
from dataclasses import replace

import pytest
from flask.testing import FlaskClient
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from rq import Queue

from bot.evaluation.ports import RepoRef
from bot.intake.deliveries import DELIVERY_TTL, body_key, delivery_key
from bot.intake.web import create_app
from bot.service import make_intake, make_ready
from bot.state.grants import RedisGrantStore
from bot.state.jobkinds import CommitJob, Job, PullJob, decode
from bot.state.keys import PullKey
from bot.state.queueing import QUEUE_NAME, Dispatcher
from bot.state.requests import EvaluateRequest
from bot.worker.runs import begin
from tests.test_web import DELIVERY, SETTINGS, fixture_body, post

PULL = PullKey(1, "Codertocat", "Hello-World", 2)
REPO = RepoRef(1, "Codertocat", "Hello-World")
OPENED = fixture_body("pull_request.opened")
DIGEST = "0" * 64
DUPLICATE = {"status": "ignored", "reason": "duplicate delivery"}


@pytest.fixture
def dispatcher(redis_client: Redis) -> Dispatcher:
    return Dispatcher(redis_client, debounce_seconds=0)


@pytest.fixture
def client(dispatcher: Dispatcher, redis_client: Redis) -> FlaskClient:
    app = create_app(SETTINGS, make_intake(dispatcher), make_ready(redis_client))
    return app.test_client()


def jobs(redis: Redis) -> list[Job | None]:
    """The queued jobs as the worker reads them: its entry function and keyword arguments."""
    queue = Queue(QUEUE_NAME, connection=redis)
    return [None if job.args else decode(job.func_name, job.kwargs) for job in queue.get_jobs()]


def run_once(dispatcher: Dispatcher, pull: PullKey) -> dict[str, str]:
    """What a worker does with the queued job: take it, its events, and finish."""
    Queue(QUEUE_NAME, connection=dispatcher.redis).empty()
    run = begin(dispatcher, pull)
    assert run is not None
    events = run.events()
    run.finish(events)
    return events


def test_a_repeated_delivery_queues_nothing(
    client: FlaskClient, dispatcher: Dispatcher, redis_client: Redis
) -> None:
    assert post(client, "pull_request", OPENED).status_code == 202
    assert jobs(redis_client) == [PullJob.of(PULL, DELIVERY)]
    assert 0 < redis_client.ttl(delivery_key(DELIVERY)) <= DELIVERY_TTL
    assert run_once(dispatcher, PULL) == {DELIVERY: ""}
    repeat = post(client, "pull_request", OPENED)
    assert (repeat.status_code, repeat.json) == (200, DUPLICATE)
    assert jobs(redis_client) == []
    assert redis_client.hgetall(PULL.key("dirty")) == {}
    other = post(client, "pull_request", labeled("a" * 40), X_GitHub_Delivery="another-delivery")
    assert other.status_code == 202 and len(jobs(redis_client)) == 1


def labeled(head: str, label: str = "tier-override/L1") -> bytes:
    payload = json.loads(fixture_body("pull_request.labeled"))
    payload["pull_request"]["head"]["sha"] = head
    payload["label"]["name"] = label
    return json.dumps(payload).encode()


def claim(redis: Redis, label: str = "tier-override/L1") -> tuple[str, str] | None:
    record = RedisGrantStore(redis).load(REPO, 2).get(label)
    return None if record is None else (record.delivery_id, record.head_sha)


def test_a_replayed_labeled_delivery_leaves_a_newer_claim_alone(
    client: FlaskClient, redis_client: Redis
) -> None:
    first, second = labeled("a" * 40), labeled("b" * 40)
    assert post(client, "pull_request", first, X_GitHub_Delivery="d-1").status_code == 202
    assert post(client, "pull_request", second, X_GitHub_Delivery="d-2").status_code == 202
    assert claim(redis_client) == ("d-2", "b" * 40)
    replay = post(client, "pull_request", first, X_GitHub_Delivery="d-1")
    assert (replay.status_code, replay.json) == (200, DUPLICATE)
    assert claim(redis_client) == ("d-2", "b" * 40)


def test_a_signed_body_seen_before_under_another_id_is_a_duplicate(
    client: FlaskClient, redis_client: Redis
) -> None:
    # The delivery id header is not signed: a replay may come with a fresh one.
    first, second = labeled("a" * 40), labeled("b" * 40)
    assert post(client, "pull_request", first, X_GitHub_Delivery="d-1").status_code == 202
    digest = hashlib.sha256(first).hexdigest()
    assert 0 < redis_client.ttl(body_key(digest)) <= DELIVERY_TTL
    assert post(client, "pull_request", second, X_GitHub_Delivery="d-2").status_code == 202
    Queue(QUEUE_NAME, connection=redis_client).empty()
    replay = post(client, "pull_request", first, X_GitHub_Delivery="d-3")
    assert (replay.status_code, replay.json) == (200, DUPLICATE)
    assert jobs(redis_client) == [] and claim(redis_client) == ("d-2", "b" * 40)
    assert not redis_client.exists(delivery_key("d-3"))


def test_a_labeled_delivery_answered_503_writes_no_claim(
    client: FlaskClient, redis_client: Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    enqueue = Dispatcher.enqueue

    def lost_connection(*args: object, **kwargs: object) -> None:
        raise RedisConnectionError("Connection closed by server.")

    monkeypatch.setattr(Dispatcher, "enqueue", lost_connection)
    body = labeled("a" * 40)
    assert post(client, "pull_request", body).status_code == 503
    assert redis_client.keys("*") == []
    monkeypatch.setattr(Dispatcher, "enqueue", enqueue)
    assert post(client, "pull_request", body).status_code == 202  # the redelivery: same id, body
    assert claim(redis_client) == (DELIVERY, "a" * 40)


def test_a_delivery_answered_503_is_not_recorded(
    client: FlaskClient,
    dispatcher: Dispatcher,
    redis_client: Redis,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    enqueue = Dispatcher.enqueue

    def lost_connection(*args: object, **kwargs: object) -> None:
        raise RedisConnectionError("Connection closed by server.")

    monkeypatch.setattr(Dispatcher, "enqueue", lost_connection)
    first = post(client, "pull_request", OPENED)
    assert (first.status_code, first.json["reason"]) == (503, "queue unavailable")
    assert redis_client.keys("*") == []  # no record, no dirty mark, no job: all or nothing
    monkeypatch.setattr(Dispatcher, "enqueue", enqueue)
    redelivered = post(client, "pull_request", OPENED)  # GitHub's redelivery keeps the id
    assert redelivered.status_code == 202
    assert jobs(redis_client) == [PullJob.of(PULL, DELIVERY)]
    assert run_once(dispatcher, PULL) == {DELIVERY: ""}


def test_a_command_failing_inside_the_transaction_takes_the_record_back(
    client: FlaskClient, dispatcher: Dispatcher, redis_client: Redis
) -> None:
    # Redis runs the rest of a transaction when one command fails (here: a wrong key type).
    redis_client.set(PULL.key("dirty"), "not a hash")
    first = post(client, "pull_request", OPENED)
    assert first.status_code == 503
    assert not redis_client.exists(delivery_key(DELIVERY))
    redis_client.delete(PULL.key("dirty"))
    assert post(client, "pull_request", OPENED).status_code == 202
    assert redis_client.exists(delivery_key(DELIVERY))
    assert run_once(dispatcher, PULL) == {DELIVERY: ""}


def check_run_naming(*numbers: int) -> bytes:
    payload = json.loads(fixture_body("check_run.completed"))
    [entry] = payload["check_run"]["pull_requests"]
    payload["check_run"]["pull_requests"] = [copy.deepcopy(entry) | {"number": n} for n in numbers]
    return json.dumps(payload).encode()


def test_one_record_covers_every_pull_request_of_a_delivery(
    client: FlaskClient, redis_client: Redis
) -> None:
    body = check_run_naming(2, 3)
    queued = post(client, "check_run", body)
    assert (queued.status_code, queued.json) == (202, {"status": "queued", "count": 2})
    pending = jobs(redis_client)
    assert len(pending) == 2
    assert set(pending) == {PullJob.of(replace(PULL, number=n), DELIVERY) for n in (2, 3)}
    assert redis_client.keys("rt:delivery:*") == [delivery_key(DELIVERY).encode()]
    Queue(QUEUE_NAME, connection=redis_client).empty()
    assert post(client, "check_run", body).json == DUPLICATE
    assert jobs(redis_client) == []


def test_a_status_delivery_is_recorded_too(client: FlaskClient, redis_client: Redis) -> None:
    body = fixture_body("status")
    assert post(client, "status", body).status_code == 202
    payload = json.loads(body)
    assert jobs(redis_client) == [
        CommitJob(
            installation_id=payload["installation"]["id"],
            owner="Codertocat",
            repo="Hello-World",
            sha=payload["sha"],
            trigger=DELIVERY,
        )
    ]
    assert post(client, "status", body).json == DUPLICATE
    assert len(jobs(redis_client)) == 1


def test_concurrent_copies_of_one_delivery_queue_it_once(
    dispatcher: Dispatcher, redis_client: Redis
) -> None:
    intake = make_intake(dispatcher)
    request = EvaluateRequest(DELIVERY, "pull_request", 1, "Codertocat", "Hello-World", 2)
    answers: list[bool] = []
    start = threading.Barrier(8)

    def deliver() -> None:
        start.wait(5)
        answers.append(intake(DELIVERY, DIGEST, [request]))

    threads = [threading.Thread(target=deliver) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sorted(answers) == [False] * 7 + [True]
    assert len(jobs(redis_client)) == 1
