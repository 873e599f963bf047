"""Fixtures for end-to-end tests: one simulator, Redis database and set of processes per module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from redis import Redis

from tests.builders import free_port, worker_index
from tests.e2e.harness import SECRET, Processes, app_env, running_app, seed_repository
from tests.ghsim import GitHubSimulator

E2E_DB = 8 + worker_index()  # one per test process, apart from the unit tests


@pytest.fixture(scope="module")
def sim(keys: tuple[str, str]) -> Iterator[GitHubSimulator]:
    simulator = GitHubSimulator(app_public_key_pem=keys[1])
    simulator.start()
    seed_repository(simulator)
    yield simulator
    assert simulator.invalid_requests == [], simulator.invalid_requests
    simulator.stop()


@pytest.fixture(scope="module")
def e2e_redis_url(redis_server_url: str) -> Iterator[str]:
    base = redis_server_url.rstrip("/")
    if base.count("/") > 2:
        base = base.rsplit("/", 1)[0]
    url = f"{base}/{E2E_DB}"
    Redis.from_url(url).flushdb()
    yield url
    Redis.from_url(url).flushdb()


@pytest.fixture(scope="module")
def app_settings() -> dict[str, str]:
    """Extra settings of the App's processes; a test module overrides it to change them."""
    return {}


@pytest.fixture(scope="module")
def app(
    sim: GitHubSimulator,
    keys: tuple[str, str],
    e2e_redis_url: str,
    app_settings: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Processes]:
    port = free_port()
    env = app_env(sim, keys[0], e2e_redis_url, port)
    metrics_ports = [free_port(), free_port()]  # two workers, each with its own /metrics
    env["REVIEW_TIERS_WEB_METRICS_PORT"] = str(free_port())
    env.update(app_settings)
    # GitHub's side: where the simulator sends (and redelivers) deliveries it logs.
    sim.set_webhook(f"http://127.0.0.1:{port}/webhook", SECRET)
    with running_app(env, port, tmp_path_factory.mktemp("logs"), metrics_ports) as procs:
        yield procs
