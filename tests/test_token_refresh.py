"""Installation tokens minted again ahead of expiry by the workers' token thread, on a fake clock,
against the simulator and a real Redis: once across workers, never for a dropped token."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest
from redis import Redis

from bot.gh.auth import LOCK_KEY, REFRESH_KEY, TOKEN_KEY, InstallationTokens
from bot.ops.settings import AppSettings
from bot.state.keys import TOKEN_USED_KEY, PullKey
from bot.state.queueing import Dispatcher
from bot.worker.runtime import Runtime, install, refresh_installed_tokens
from bot.worker.scheduling import TokenRefresher, Upkeep
from tests.ghsim import GitHubSimulator
from tests.ghsim.clients import checked_simulator

APP_ID = 4242
MINT = "/app/installations/1/access_tokens"
KEY = TOKEN_KEY.format(installation_id=1)
ENDPOINT = "/app/installations/{id}/access_tokens"


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def sim(keys: tuple[str, str]) -> Iterator[GitHubSimulator]:
    with checked_simulator(app_id=APP_ID, app_public_key_pem=keys[1]) as sim:
        yield sim


@pytest.fixture
def settings(sim: GitHubSimulator, keys: tuple[str, str]) -> AppSettings:
    return AppSettings(app_id=APP_ID, private_key=keys[0], webhook_secret="s", api_url=sim.url)


def due_at(redis: Redis) -> float | None:
    return redis.zscore(REFRESH_KEY, "1")


def test_a_token_is_minted_again_before_the_cache_lets_it_go(
    sim: GitHubSimulator, settings: AppSettings, redis_client: Redis
) -> None:
    clock = Clock()
    tokens = InstallationTokens(settings, redis_client, clock=clock)
    first = tokens.get(1)
    due = due_at(redis_client)
    # Cached for an hour less five minutes; minted again ten minutes before that.
    assert due is not None and 2680 <= due - clock.now <= 2700
    clock.now = due - 1
    assert tokens.refresh_due() == 0 and sim.count("POST", MINT) == 1
    clock.now = due
    assert tokens.refresh_due() == 1 and sim.count("POST", MINT) == 2
    second = tokens.get(1)
    assert second != first and redis_client.get(KEY) == second.encode()
    assert tokens.refresh_due() == 0 and sim.count("POST", MINT) == 2


def test_workers_refresh_a_token_once(
    sim: GitHubSimulator, settings: AppSettings, redis_client: Redis, redis_url: str
) -> None:
    clock = Clock()
    InstallationTokens(settings, redis_client, clock=clock).get(1)
    clock.now += 3000
    with Redis.from_url(redis_url) as one, Redis.from_url(redis_url) as two:
        workers = [InstallationTokens(settings, r, clock=clock) for r in (one, two)]
        redis_client.set(LOCK_KEY.format(installation_id=1), "a worker minting", px=5000)
        assert [w.refresh_due() for w in workers] == [0, 0]  # the lock holder mints
        redis_client.delete(LOCK_KEY.format(installation_id=1))
        assert [w.refresh_due() for w in workers] == [1, 0]
    assert sim.count("POST", MINT) == 2


def test_a_token_no_longer_cached_is_left_to_the_next_get(
    sim: GitHubSimulator, settings: AppSettings, redis_client: Redis
) -> None:
    clock = Clock()
    tokens = InstallationTokens(settings, redis_client, clock=clock)
    tokens.get(1)
    tokens.forget(1)  # refused by GitHub, or purged with its installation
    clock.now += 3000
    assert tokens.refresh_due() == 0 and due_at(redis_client) is None
    assert sim.count("POST", MINT) == 1


def test_a_token_nobody_asked_for_lately_is_minted_on_demand_only(
    sim: GitHubSimulator, settings: AppSettings, redis_client: Redis
) -> None:
    clock = Clock()
    tokens = InstallationTokens(settings, redis_client, clock=clock)
    tokens.get(1)
    assert redis_client.ttl(TOKEN_USED_KEY.format(installation_id=1)) > 3500
    redis_client.delete(TOKEN_USED_KEY.format(installation_id=1))  # an hour without evaluations
    clock.now += 3000
    assert tokens.refresh_due() == 0 and due_at(redis_client) is None
    assert sim.count("POST", MINT) == 1


def test_a_refresh_github_fails_is_tried_again_later(
    sim: GitHubSimulator, settings: AppSettings, redis_client: Redis
) -> None:
    clock = Clock()
    tokens = InstallationTokens(settings, redis_client, clock=clock)
    first = tokens.get(1)
    clock.now += 3000
    sim.inject("POST", MINT, status=502)
    assert tokens.refresh_due() == 0
    assert due_at(redis_client) == clock.now + 30 and tokens.get(1) == first
    clock.now += 30
    assert tokens.refresh_due() == 1 and tokens.get(1) != first


def test_mints_made_ahead_are_counted_in_the_runtime_metrics(
    sim: GitHubSimulator, settings: AppSettings, redis_client: Redis
) -> None:
    assert refresh_installed_tokens() == 0  # no runtime: nothing to mint with
    InstallationTokens(settings, redis_client).get(1)
    redis_client.zadd(REFRESH_KEY, {"1": 0})  # due long ago
    runtime = Runtime.build(settings, redis_client)
    install(runtime)
    try:
        assert refresh_installed_tokens() == 1 and sim.count("POST", MINT) == 2
    finally:
        install(None)
    counted = runtime.metrics.registry.get_sample_value(
        "review_tiers_github_requests_total",
        {"method": "POST", "endpoint": ENDPOINT, "status": "2xx"},
    )
    assert counted == 1


def test_due_jobs_are_queued_while_a_token_mint_waits_on_github(redis_client: Redis) -> None:
    minting, github_answers = threading.Event(), threading.Event()

    def slow_mint() -> None:  # GitHub taking its whole HTTP timeout to answer
        minting.set()
        github_answers.wait(10)

    refresher, upkeep = TokenRefresher(slow_mint), Upkeep(Dispatcher(redis_client))
    refresher.start()
    upkeep.start()
    try:
        assert minting.wait(5), "the token thread never looked for tokens to refresh"
        Dispatcher(redis_client).replace_job(PULL, None, "d-1", delay=0.01)  # a held job
        assert wait_for(lambda: redis_client.llen("rq:queue:review-tiers") == 1, 5)
        assert refresher.is_alive() and not github_answers.is_set()
    finally:
        github_answers.set()
        for thread in (refresher, upkeep):
            thread.stopped.set()
            thread.join(5)
    assert not refresher.is_alive() and not upkeep.is_alive()


def test_the_token_thread_outlives_a_failed_pass(caplog: pytest.LogCaptureFixture) -> None:
    passes: list[int] = []
    again = threading.Event()

    def refresh() -> None:
        passes.append(1)
        if len(passes) == 1:
            raise ConnectionError("GitHub went away")
        again.set()

    refresher = TokenRefresher(refresh)
    refresher.start()
    try:
        assert again.wait(5), "no pass after a failed one"
    finally:
        refresher.stopped.set()
        refresher.join(5)
    assert any("token refresh pass failed" in r.getMessage() for r in caplog.records)


PULL = PullKey(1, "acme", "shop", 7)


def wait_for(check: Callable[[], bool], seconds: float) -> bool:
    pause = threading.Event()
    for _ in range(int(seconds / 0.01)):
        if check():
            return True
        pause.wait(0.01)
    return False
