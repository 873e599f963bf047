"""The web process's metrics: labels only from verified deliveries, never on the webhook port."""

from __future__ import annotations

import random
import string

import pytest
from flask.testing import FlaskClient
from prometheus_client import generate_latest

from bot.intake.web import create_app
from bot.ops.metrics import DELIVERY_EVENTS, Metrics
from bot.ops.settings import AppSettings
from tests.test_web import APP_ID, BODY, SECRET, Queue, fixture_body, post, signature

OLD_SECRET = "the secret before the rotation"


@pytest.fixture
def queue() -> Queue:
    return Queue()


@pytest.fixture
def metrics() -> Metrics:
    return Metrics()


@pytest.fixture
def client(queue: Queue, metrics: Metrics) -> FlaskClient:
    settings = AppSettings(app_id=APP_ID, private_key="unused here", webhook_secret=SECRET)
    return create_app(settings, queue.enqueue, queue.ready, metrics).test_client()


def delivery_series(metrics: Metrics) -> list[str]:
    text = generate_latest(metrics.registry).decode()
    return [line for line in text.splitlines() if line.startswith("review_tiers_deliveries_total")]


def test_unsigned_posts_cannot_grow_the_series(
    client: FlaskClient, metrics: Metrics, queue: Queue
) -> None:
    rng = random.Random(7)
    for _ in range(3000):
        event = "".join(rng.choices(string.ascii_letters + string.digits, k=24))
        response = post(client, event, BODY, X_Hub_Signature_256=signature(BODY, "guess"))
        assert response.status_code == 401
    oversized = post(client, "x" * 100, b" " * (30 * 1024 * 1024))
    assert oversized.status_code == 413
    assert delivery_series(metrics) == [
        'review_tiers_deliveries_total{event="unverified",outcome="rejected"} 3001.0'
    ]
    assert queue.requests == []


def test_verified_deliveries_are_labelled_from_a_closed_set(
    client: FlaskClient, metrics: Metrics
) -> None:
    assert post(client, "pull_request", BODY).status_code == 202
    assert post(client, "ping", fixture_body("ping")).status_code == 200
    for name in ("star", "watch", "sponsorship"):  # signed, but not an event the App handles
        assert post(client, name, b"{}").status_code == 200
    assert post(client, "pull_request", b"{not json").status_code == 400
    assert sorted(delivery_series(metrics)) == [
        'review_tiers_deliveries_total{event="other",outcome="ignored"} 3.0',
        'review_tiers_deliveries_total{event="ping",outcome="ignored"} 1.0',
        'review_tiers_deliveries_total{event="pull_request",outcome="queued"} 1.0',
        'review_tiers_deliveries_total{event="pull_request",outcome="rejected"} 1.0',
    ]
    assert {"pull_request", "check_run", "status", "merge_group", "push"} <= DELIVERY_EVENTS


def test_metrics_are_not_served_on_the_webhook_port(client: FlaskClient) -> None:
    response = client.get("/metrics")
    assert (response.status_code, response.json) == (
        404,
        {"status": "error", "reason": "not found"},
    )


def test_previous_secret_is_accepted_during_a_rotation(queue: Queue) -> None:
    settings = AppSettings(
        app_id=APP_ID,
        private_key="unused here",
        webhook_secret=SECRET,
        webhook_secret_previous=OLD_SECRET,
    )
    client = create_app(settings, queue.enqueue, queue.ready).test_client()
    assert post(client, "pull_request", BODY).status_code == 202
    old = post(client, "pull_request", BODY, X_Hub_Signature_256=signature(BODY, OLD_SECRET))
    assert old.status_code == 202
    other = post(client, "pull_request", BODY, X_Hub_Signature_256=signature(BODY, "neither"))
    assert other.status_code == 401
    assert len(queue.requests) == 2
    without = create_app(
        AppSettings(app_id=APP_ID, private_key="unused here", webhook_secret=SECRET),
        queue.enqueue,
        queue.ready,
    ).test_client()
    refused = post(without, "pull_request", BODY, X_Hub_Signature_256=signature(BODY, OLD_SECRET))
    assert refused.status_code == 401
