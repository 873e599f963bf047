"""Fixtures for end-to-end tests: one simulator, Redis database and set of processes per module."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis import Redis

from tests.e2e.harness import OWNER, REPO, Processes, app_env, running_app
from tests.ghsim import GitHubSimulator

E2E_DB = 14
SPEC_CONFIG = Path(__file__).resolve().parents[1] / "fixtures" / "configs" / "spec-example.yml"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def sim(keys: tuple[str, str]) -> Iterator[GitHubSimulator]:
    simulator = GitHubSimulator(app_public_key_pem=keys[1])
    simulator.start()
    simulator.add_installation(4711)
    simulator.add_repo(OWNER, REPO)
    simulator.set_file(OWNER, REPO, "main", ".github/review-tiers.yml", SPEC_CONFIG.read_text())
    simulator.set_file(OWNER, REPO, "main", ".github/CODEOWNERS", "* @acme/backend\n")
    for team, user in (("architects", "arch"), ("payments", "payer"), ("backend", "backer")):
        simulator.add_team_member(OWNER, team, user)
    for user, role in (
        ("arch", "write"),
        ("payer", "write"),
        ("backer", "write"),
        ("dev", "write"),
        ("writer", "write"),
        ("lead", "maintain"),
    ):
        simulator.set_role(OWNER, REPO, user, role)
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
def app(
    sim: GitHubSimulator,
    keys: tuple[str, str],
    e2e_redis_url: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Processes]:
    port = _free_port()
    env = app_env(sim, keys[0], e2e_redis_url, port)
    metrics_ports = [_free_port(), _free_port()]  # two workers, each with its own /metrics
    env["REVIEW_TIERS_WEB_METRICS_PORT"] = str(_free_port())
    with running_app(env, port, tmp_path_factory.mktemp("logs"), metrics_ports) as procs:
        yield procs
