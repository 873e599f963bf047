"""A delivery's writes in one Redis round trip, with the guarantees of the watched transaction."""

from __future__ import annotations

import hashlib
import threading

import pytest
from flask.testing import FlaskClient
from redis import Redis
from redis.connection import Connection
from rq import Queue

from bot.intake.deliveries import body_key, delivery_key
from bot.intake.delivery_script import ACCEPT_LUA
from bot.state.jobkinds import PullJob
from bot.state.queueing import QUEUE_NAME, Dispatcher
from tests.test_deliveries import DUPLICATE, OPENED, PULL, client, dispatcher, jobs, labeled
from tests.test_web import DELIVERY, post

__all__ = ["client", "dispatcher"]  # fixtures shared with tests/test_deliveries.py


@pytest.fixture
def trips(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times this test's thread sent commands to Redis (one entry per packed send);
    threads an earlier test left running send on their own connections, uncounted."""
    sent: list[int] = []
    send = Connection.send_packed_command
    test_thread = threading.get_ident()  # the Flask test client serves in the caller's thread

    def counting(self: Connection, command: object, check_health: bool = True) -> None:
        if threading.get_ident() == test_thread:
            sent.append(1)
        send(self, command, check_health)  # type: ignore[arg-type]

    monkeypatch.setattr(Connection, "send_packed_command", counting)
    return sent


def test_a_fresh_delivery_is_queued_in_one_round_trip(
    client: FlaskClient, redis_client: Redis, trips: list[int]
) -> None:
    # Outside the count: the connection's set-up, rq's one look at the server's version, and
    # the script itself, which outlives databases: a server just started, or one whose scripts
    # a test flushed (the last test here), asks for it again: three trips instead of one.
    Queue(QUEUE_NAME, connection=redis_client).get_redis_server_version()
    redis_client.script_load(ACCEPT_LUA)
    trips.clear()
    assert post(client, "pull_request", OPENED).status_code == 202
    assert len(trips) == 1  # the script, by digest
    trips.clear()
    assert post(client, "pull_request", OPENED, X_GitHub_Delivery="second").status_code == 200
    assert len(trips) == 1
    assert jobs(redis_client) == [PullJob.of(PULL, DELIVERY)]
    assert redis_client.hgetall(PULL.key("dirty")) == {DELIVERY.encode(): b""}


def test_duplicates_by_id_and_by_body_write_nothing(
    client: FlaskClient, redis_client: Redis
) -> None:
    assert post(client, "pull_request", OPENED).status_code == 202
    assert redis_client.exists(delivery_key(DELIVERY))
    assert redis_client.exists(body_key(hashlib.sha256(OPENED).hexdigest()))
    Queue(QUEUE_NAME, connection=redis_client).empty()
    redis_client.delete(PULL.key("queued"), PULL.key("dirty"))
    by_id = post(client, "pull_request", labeled("c" * 40))  # same id, another body
    by_body = post(client, "pull_request", OPENED, X_GitHub_Delivery="fresh-id")
    assert (by_id.status_code, by_id.json) == (200, DUPLICATE)
    assert (by_body.status_code, by_body.json) == (200, DUPLICATE)
    assert jobs(redis_client) == [] and not redis_client.exists(PULL.key("dirty"))
    assert not redis_client.exists(delivery_key("fresh-id"))


def test_a_pull_request_with_a_queued_job_coalesces_into_it(
    client: FlaskClient, dispatcher: Dispatcher, redis_client: Redis
) -> None:
    redis_client.set(PULL.key("queued"), "running-job")
    assert post(client, "pull_request", OPENED).status_code == 202
    assert jobs(redis_client) == []  # no second job: the running one takes the event
    assert redis_client.get(PULL.key("queued")) == b"running-job"
    assert redis_client.hgetall(PULL.key("dirty")) == {DELIVERY.encode(): b""}
    assert redis_client.sismember("rt:pending", PULL.member())
    redis_client.delete(PULL.key("queued"))
    assert post(client, "pull_request", OPENED, X_GitHub_Delivery="d-2").status_code == 200
    body = OPENED.replace(b'"opened"', b'"opened" ', 1)  # another signed body, same pull
    assert post(client, "pull_request", body, X_GitHub_Delivery="d-3").status_code == 202
    [job] = jobs(redis_client)
    assert job == PullJob.of(PULL, "d-3")
    assert redis_client.get(PULL.key("queued")) != b"running-job"


def test_a_script_the_server_forgot_is_sent_again(client: FlaskClient, redis_client: Redis) -> None:
    redis_client.script_flush()
    assert post(client, "pull_request", OPENED).status_code == 202
    assert len(Queue(QUEUE_NAME, connection=redis_client)) == 1
