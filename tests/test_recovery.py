"""The open pull request scan and the loop around it: the predicate, the rate-limit stop, ETags,
one scan per period across workers, and a scan as soon as Redis lost its data."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import pytest
from redis import Redis
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.retry import Retry

from bot.gh.app_client import AppClient
from bot.ops.settings import AppSettings
from bot.state.keys import PullKey
from bot.state.queueing import Dispatcher, EvaluationMark
from bot.worker.fanout import Fanout, OpenPull, fan_out
from bot.worker.recovery import (
    SENTINEL_KEY,
    STALE,
    GitHubPulls,
    Recovery,
    RecoveryLoop,
    needs_evaluation,
)
from tests.ghsim import GitHubSimulator
from tests.ghsim.clients import checked_simulator

INSTALLATION = 4711
NOW = 1_800_000_000.0


def mark(head_sha: str, status: str, conclusion: str | None) -> EvaluationMark:
    """The mark a completed evaluation leaves, written now."""
    return EvaluationMark(head_sha, status, conclusion, time.time())


@pytest.fixture
def sim(keys: tuple[str, str]) -> Iterator[GitHubSimulator]:
    with checked_simulator(app_public_key_pem=keys[1]) as simulator:
        simulator.add_installation(INSTALLATION)
        simulator.add_repo("acme", "shop")
        simulator.add_repo("acme", "docs")
        for number in range(1, 6):
            simulator.add_pull("acme", "shop", number, author="dev", head_sha=f"{number:040x}")
        simulator.add_pull("acme", "docs", 1, author="dev", head_sha="d" * 40)
        yield simulator


def settings(sim: GitHubSimulator, keys: tuple[str, str], **changes: int) -> AppSettings:
    return AppSettings(
        app_id=sim.app.id,
        private_key=keys[0],
        webhook_secret="s" * 12,
        api_url=sim.url,
        **changes,  # type: ignore[arg-type]
    )


def queued(redis: Redis, owner: str, repo: str, number: int) -> list[str]:
    key = PullKey(INSTALLATION, owner, repo, number).key("dirty")
    return sorted(k.decode() for k in redis.hkeys(key))


def pull(head: str = "a" * 40) -> OpenPull:
    return OpenPull(INSTALLATION, "acme", "shop", 1, head)


@pytest.mark.parametrize(
    ("mark", "lease", "expected"),
    [
        (None, False, "never evaluated"),
        (EvaluationMark("b" * 40, "completed", "success", NOW), False, "head moved"),
        (EvaluationMark("a" * 40, "completed", "success", NOW - 86400), False, None),
        (EvaluationMark("a" * 40, "completed", "failure", NOW - 86400), False, None),
        (EvaluationMark("a" * 40, "in_progress", None, NOW - 300), False, None),
        (EvaluationMark("a" * 40, "in_progress", None, NOW - 601), False, STALE),
        (EvaluationMark("a" * 40, "in_progress", None, NOW - 601), True, None),
        (None, True, None),
    ],
)
def test_the_predicate_reads_the_mark(
    mark: EvaluationMark | None, lease: bool, expected: str | None
) -> None:
    assert needs_evaluation(pull(), mark, lease, NOW) == expected


def test_the_scan_queues_pulls_whose_mark_no_longer_stands(
    sim: GitHubSimulator, keys: tuple[str, str], redis_client: Redis
) -> None:
    dispatcher = Dispatcher(redis_client, 0)
    shop = [PullKey(INSTALLATION, "acme", "shop", n) for n in range(1, 6)]
    dispatcher.record_evaluation(shop[0], mark(f"{1:040x}", "completed", "success"))  # current
    dispatcher.record_evaluation(shop[1], mark("0" * 40, "completed", "success"))  # head moved
    dispatcher.record_evaluation(shop[2], mark(f"{3:040x}", "in_progress", None))  # waiting, fresh
    redis_client.set(shop[4].key("lease"), "run")  # never evaluated, but a run is at it
    redis_client.set(f"rt:removed:{INSTALLATION}:acme/docs", "1")
    Recovery(settings(sim, keys), dispatcher).scan("test")
    assert [bool(queued(redis_client, "acme", "shop", n)) for n in range(1, 6)] == [
        False,
        True,
        False,
        True,
        False,
    ]
    (delivery,) = queued(redis_client, "acme", "shop", 2)
    assert delivery.startswith("recovery:")
    assert not queued(redis_client, "acme", "docs", 1)  # removed from the installation


def test_listings_are_read_with_etags(
    sim: GitHubSimulator, keys: tuple[str, str], redis_client: Redis
) -> None:
    dispatcher = Dispatcher(redis_client, 0)
    for number in range(1, 6):
        key = PullKey(INSTALLATION, "acme", "shop", number)
        dispatcher.record_evaluation(key, mark(f"{number:040x}", "completed", "success"))
    docs = PullKey(INSTALLATION, "acme", "docs", 1)
    dispatcher.record_evaluation(docs, mark("d" * 40, "completed", "success"))
    recovery = Recovery(settings(sim, keys), dispatcher)
    recovery.scan("first")
    sim.reset_log()
    before = sim.rate.remaining
    recovery.scan("second")
    listings = [r for r in sim.requests if r.path.endswith("/pulls") or "installation/" in r.path]
    assert [r.status for r in listings] == [304] * 4  # two installations, two repositories
    assert sim.rate.remaining == before - 2  # the App's own two calls; 304s cost nothing


def test_a_waiting_check_is_confirmed_with_one_read(
    sim: GitHubSimulator, keys: tuple[str, str], redis_client: Redis
) -> None:
    dispatcher = Dispatcher(redis_client, 0)
    head = f"{1:040x}"
    key = PullKey(INSTALLATION, "acme", "shop", 1)
    old = EvaluationMark(head, "in_progress", None, time.time() - 3600)
    dispatcher.record_evaluation(key, old)
    run = sim.add_check_run(
        "acme",
        "shop",
        head,
        "review-tiers",
        status="in_progress",
        conclusion=None,
        app_id=sim.app.id,
    )
    source = GitHubPulls(settings(sim, keys), redis_client, AppClient(settings(sim, keys)))
    recovery = Recovery(settings(sim, keys), dispatcher)
    listings = source.installation(INSTALLATION)
    assert recovery._predicate(OpenPull(INSTALLATION, "acme", "shop", 1, head), listings) is None
    sim.repo("acme", "shop").check_runs.remove(run)  # gone: re-evaluate
    assert recovery._predicate(OpenPull(INSTALLATION, "acme", "shop", 1, head), listings) == (
        "check missing"
    )


def test_the_fan_out_stops_for_an_installation_low_on_budget(
    sim: GitHubSimulator,
    keys: tuple[str, str],
    redis_client: Redis,
    caplog: pytest.LogCaptureFixture,
) -> None:
    sim.set_rate_limit(remaining=450)
    source = GitHubPulls(settings(sim, keys), redis_client, AppClient(settings(sim, keys)))
    acted: list[OpenPull] = []
    plan = Fanout(lambda p, _: "always", lambda p, _: acted.append(p), min_remaining=500)
    with caplog.at_level(logging.WARNING, logger="bot.worker.fanout"):
        report = fan_out(source, plan)
    assert report.stopped == [INSTALLATION] and acted == []
    assert sim.count("GET", "/repos/") == 0  # stopped after the repository listing
    assert "recovery stopped for installation 4711" in caplog.text
    sim.set_rate_limit(remaining=5000)
    report = fan_out(source, plan)
    assert report.stopped == [] and len(acted) == 6 == report.acted


def test_one_scan_per_period_across_workers(redis_client: Redis) -> None:
    scans: list[str] = []
    clock = [NOW + 10]
    loops = [RecoveryLoop(redis_client, scans.append, 300, lambda: clock[0]) for _ in range(2)]
    redis_client.set(SENTINEL_KEY, "1")  # Redis kept its data
    for loop in loops:
        loop.step()
    assert scans == ["start-up"]
    clock[0] += 60
    for loop in loops:
        assert loop.step() > 0
    assert scans == ["start-up"]
    clock[0] = NOW - NOW % 300 + 300  # the next period begins
    for loop in loops:
        loop.step()
    assert scans == ["start-up", "period"]


def test_lost_data_triggers_a_scan_at_once(redis_client: Redis) -> None:
    scans: list[str] = []
    clock = [NOW + 10]
    loops = [RecoveryLoop(redis_client, scans.append, 300, lambda: clock[0]) for _ in range(2)]
    for loop in loops:
        loop.step()
    assert scans == ["start-up"]  # an empty Redis: the first to write the sentinel scans
    redis_client.flushdb()
    clock[0] += 30
    for loop in loops:
        loop.step()
    assert scans == ["start-up", "Redis lost its data"]
    assert redis_client.get(SENTINEL_KEY) == b"1"
    assert redis_client.ttl(SENTINEL_KEY) == -1


class Waits:
    """Stands in for the loop's stop event: records each wait, stops after ``limit``."""

    def __init__(self, limit: int) -> None:
        self.delays: list[float] = []
        self.limit = limit

    def wait(self, delay: float) -> bool:
        self.delays.append(delay)
        return len(self.delays) > self.limit


def test_redis_away_does_not_end_the_loop() -> None:
    # No retries inside the client: the loop's own backoff is what is tested.
    away = Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.1, retry=Retry(NoBackoff(), 0))
    loop = RecoveryLoop(away, lambda why: None, 300)
    loop.stopped = Waits(4)  # type: ignore[assignment]
    loop.run()
    assert loop.stopped.delays == [0.0, 2.0, 4.0, 8.0, 16.0]  # type: ignore[attr-defined]
    with pytest.raises(RedisConnectionError):
        away.ping()


def test_github_unreachable_ends_the_scan_with_a_warning(
    sim: GitHubSimulator,
    keys: tuple[str, str],
    redis_client: Redis,
    caplog: pytest.LogCaptureFixture,
) -> None:
    sim.inject("GET", "^/app/hook/deliveries$", 502)
    sim.inject("GET", "^/app/installations$", 502)
    with caplog.at_level(logging.WARNING, logger="bot.worker.recovery"):
        Recovery(settings(sim, keys), Dispatcher(redis_client, 0)).scan("test")
    assert "could not read the delivery log" in caplog.text
    assert "could not list installations" in caplog.text
