"""The fault proxy: seeded faults of every kind, slowdowns by path, loopback only."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests

from tests.faults.proxy import KINDS, FaultProxy
from tests.ghsim import GitHubSimulator

REPO_PATH = "/repos/acme/shop"


@pytest.fixture
def sim() -> Iterator[GitHubSimulator]:
    with GitHubSimulator.serve() as simulator:
        simulator.add_repo("acme", "shop")
        yield simulator


@pytest.fixture
def proxy(sim: GitHubSimulator) -> Iterator[FaultProxy]:
    started = FaultProxy(sim.url, seed=3, delay_seconds=0.05, retry_after=7).start()
    yield started
    started.stop()


def outcome(sim: GitHubSimulator, proxy: FaultProxy) -> str:
    """What a client sees of one request for the repository through ``proxy``."""
    headers = {"User-Agent": "fault-test", "Authorization": f"token {sim.issue_token()}"}
    try:
        response = requests.get(f"{proxy.url}{REPO_PATH}", headers=headers, timeout=5)
    except requests.ConnectionError:
        return "dropped"
    return f"{response.status_code} {response.headers.get('retry-after', '-')}"


def test_without_faults_it_forwards_everything(sim: GitHubSimulator, proxy: FaultProxy) -> None:
    assert outcome(sim, proxy) == "200 -"
    assert sim.count("GET", REPO_PATH) == 1 and proxy.counts["forwarded"] == 1


def test_each_fault_kind_is_answered_as_github_would(
    sim: GitHubSimulator, proxy: FaultProxy
) -> None:
    seen = {}
    for kind in KINDS:
        proxy.set_faults(1.0, (kind,))
        seen[kind] = outcome(sim, proxy)
    assert seen == {
        "502": "502 -",
        "500": "500 -",
        "403-secondary": "403 7",
        "429": "429 7",
        "delay": "200 -",  # late, then served
        "drop": "dropped",
    }
    assert sim.count("GET", REPO_PATH) == 1  # only the delayed request reached GitHub


def test_the_same_seed_gives_the_same_faults(sim: GitHubSimulator) -> None:
    runs = []
    for _ in range(2):
        proxy = FaultProxy(sim.url, seed=11).start()
        proxy.set_faults(0.5, ("502", "429"))
        runs.append([outcome(sim, proxy) for _ in range(20)])
        proxy.stop()
    assert runs[0] == runs[1]
    assert set(runs[0]) == {"200 -", "502 -", "429 2"}


def test_a_slowdown_delays_only_matching_paths(sim: GitHubSimulator, proxy: FaultProxy) -> None:
    rule = proxy.slow(r"/repos/acme/shop$", 0.3)
    started = time.monotonic()
    assert outcome(sim, proxy) == "200 -"
    slowed = time.monotonic() - started
    proxy.unslow(rule)
    started = time.monotonic()
    assert outcome(sim, proxy) == "200 -"
    assert slowed >= 0.3 > time.monotonic() - started


def test_beyond_its_budget_it_forwards_nothing(sim: GitHubSimulator, proxy: FaultProxy) -> None:
    proxy.budget = 1
    assert [outcome(sim, proxy), outcome(sim, proxy)] == ["200 -", "dropped"]
    assert sim.count("GET", REPO_PATH) == 1


def test_it_forwards_to_loopback_only() -> None:
    with pytest.raises(ValueError, match="loopback only"):
        FaultProxy("http://192.0.2.1:8080")
