"""The delivery-log scan against the simulator: cursor paging, grouping by guid, the watermark,
and redelivery remembered so that a second scan does not ask again while one is in flight."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from redis import Redis
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from bot.gh.app_client import AppClient
from bot.ops.settings import AppSettings
from bot.worker.redelivery import REDELIVERY_LIMIT, WATERMARK_KEY, Redeliverer
from tests.ghsim import GitHubSimulator
from tests.ghsim.clients import checked_simulator
from tests.ghsim.hooklog import signature

SECRET = "recovery-test-secret"
PERIOD = 300.0


class Receiver:
    """A webhook URL that answers ``status`` and keeps what it received, signature checked."""

    def __init__(self) -> None:
        self.status = 202
        self.received: list[tuple[str, bool]] = []
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def app(self, environ: Any, start_response: Any) -> Any:
        request = Request(environ)
        signed = request.headers.get("X-Hub-Signature-256") == signature(request.data, SECRET)
        self.received.append((request.headers["X-GitHub-Delivery"], signed))
        return Response("{}", status=self.status)(environ, start_response)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/webhook"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    hook = Receiver()
    hook.thread.start()
    yield hook
    hook.server.shutdown()


@pytest.fixture
def sim(keys: tuple[str, str], receiver: Receiver) -> Iterator[GitHubSimulator]:
    with checked_simulator(app_public_key_pem=keys[1]) as simulator:
        simulator.set_webhook(receiver.url, SECRET)
        yield simulator


def settings(sim: GitHubSimulator, keys: tuple[str, str]) -> AppSettings:
    return AppSettings(
        app_id=sim.app.id, private_key=keys[0], webhook_secret=SECRET, api_url=sim.url
    )


def event(number: int) -> dict[str, Any]:
    return {
        "action": "synchronize",
        "number": number,
        "installation": {"id": 4711},
        "repository": {"id": 99, "name": "shop"},
    }


def iso(when: float) -> str:
    return datetime.fromtimestamp(when, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def scanner(sim: GitHubSimulator, keys: tuple[str, str], redis: Redis, clock: Clock) -> Redeliverer:
    return Redeliverer(redis, AppClient(settings(sim, keys)), (PERIOD, 3600.0), clock)


def test_failed_deliveries_are_redelivered_once_with_their_guid(
    sim: GitHubSimulator, keys: tuple[str, str], receiver: Receiver, redis_client: Redis
) -> None:
    receiver.status = 503
    failed = [sim.deliver("pull_request", event(n)).guid for n in range(1, 4)]
    receiver.status = 202
    ok = sim.deliver("pull_request", event(9)).guid
    clock = Clock(time.time())
    report = scanner(sim, keys, redis_client, clock).scan()
    sim.settle_redeliveries()
    assert report.failed == 3 and sorted(report.redelivered) == sorted(failed)
    # Each failed guid went out again, freshly signed with the webhook secret; the good one not.
    again = [guid for guid, _ in receiver.received[4:]]
    assert sorted(again) == sorted(failed) and ok not in again
    assert all(signed for _, signed in receiver.received)
    redone = [d for d in sim.deliveries() if d.redelivery]
    assert sorted(d.guid for d in redone) == sorted(failed)
    assert all(d.status_code == 202 for d in redone)
    # The next scan sees the successful redeliveries: nothing to do.
    assert scanner(sim, keys, redis_client, clock).scan().redelivered == []


def test_a_redelivery_in_flight_is_not_asked_for_again(
    sim: GitHubSimulator, keys: tuple[str, str], receiver: Receiver, redis_client: Redis
) -> None:
    receiver.status = 500
    guid = sim.deliver("pull_request", event(1)).guid
    clock = Clock(time.time())
    assert scanner(sim, keys, redis_client, clock).scan().redelivered == [guid]
    sim.settle_redeliveries()  # the redelivery failed too: the App is still down
    assert scanner(sim, keys, redis_client, clock).scan().redelivered == []
    clock.now += PERIOD  # a period later the failed redelivery is worth another try
    assert scanner(sim, keys, redis_client, clock).scan().redelivered == [guid]
    sim.settle_redeliveries()
    clock.now += PERIOD  # then twice as long
    assert scanner(sim, keys, redis_client, clock).scan().redelivered == []
    clock.now += PERIOD
    assert scanner(sim, keys, redis_client, clock).scan().redelivered == [guid]
    sim.settle_redeliveries()
    assert sim.count("POST", "/app/hook/deliveries/") == 3


def test_paging_follows_the_cursor_and_stops_at_the_watermark(
    sim: GitHubSimulator, keys: tuple[str, str], receiver: Receiver, redis_client: Redis
) -> None:
    clock = Clock(time.time())
    for n in range(250):  # one every ten seconds, the newest 510 s ago
        body = json.dumps(event(n)).encode()
        item = sim.store.hooks.record(f"guid-{n}", "pull_request", body, (202, "OK"))
        item.delivered_at = iso(clock.now - 3000 + 10 * n)
    first = scanner(sim, keys, redis_client, clock).scan()
    assert (first.attempts, first.pages, first.failed) == (250, 3, 0)
    pages = [r for r in sim.requests if r.path == "/app/hook/deliveries"]
    assert [r.query.get("cursor") for r in pages][1:] == ["v1_7000150", "v1_7000050"]
    assert all(r.query["per_page"] == "100" for r in pages)
    watermark = float(redis_client.get(WATERMARK_KEY) or 0)
    assert abs(watermark - (clock.now - 510)) < 2
    # Nothing new: one page read, back to the watermark.
    sim.reset_log()
    again = scanner(sim, keys, redis_client, clock).scan()
    assert again.pages == 1
    assert sim.count("GET", "/app/hook/deliveries") == 1


def test_without_a_watermark_the_scan_looks_back_a_bounded_window(
    sim: GitHubSimulator, keys: tuple[str, str], redis_client: Redis
) -> None:
    old = sim.store.hooks.record("old", "pull_request", b"{}", (502, "failed to connect"))
    old.delivered_at = "2020-01-01T00:00:00Z"
    fresh = sim.store.hooks.record("fresh", "pull_request", b"{}", (502, "failed to connect"))
    report = scanner(sim, keys, redis_client, Clock(time.time())).scan()
    sim.settle_redeliveries()
    assert report.redelivered == [fresh.guid]
    # Even a watermark older than GitHub's three days is not followed past them.
    redis_client.set(WATERMARK_KEY, "0")
    floor = scanner(sim, keys, redis_client, Clock(1e9)).floor(1e9)
    assert floor > 1e9 - REDELIVERY_LIMIT
