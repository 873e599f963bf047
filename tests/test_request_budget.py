"""The GitHub request budget of one evaluation of a 20-file pull request (no interfaces,
overrides or extends), through the real adapter against the simulator: a regression that adds
rate-limited reads fails here. bench/github_requests.py prints the same figures for larger ones."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import fields

import pytest
from redis import Redis

from bot.evaluation.pipeline import evaluate_pull
from bot.evaluation.ports import RepoRef
from bot.evaluation.read_ahead import reading_ahead
from bot.evaluation.record import RunInfo
from bot.gh.client import PyGithubPort
from bot.ops.errors import TransientGitHubError
from bot.ops.metrics import REQUEST_KINDS, Metrics, request_kind
from bot.ops.settings import AppSettings
from tests.fakes import FakeGrantStore, FakePort
from tests.ghsim import GitHubSimulator
from tests.ghsim.clients import checked_simulator
from tests.test_pipeline import SPEC_CONFIG, make_port

APP_ID = 4545
OWNER, NAME = "acme", "shop"
API = f"/repos/{OWNER}/{NAME}"
REPO = RepoRef(1, OWNER, NAME)
PATCH = "@@ -0,0 +1,2 @@\n+a = 1\n+b = 2"
FILES = [{"filename": f"src/app/mod_{i}.py", "additions": 2, "patch": PATCH} for i in range(20)]


@pytest.fixture
def sim(keys: tuple[str, str]) -> Iterator[GitHubSimulator]:
    with checked_simulator(app_id=APP_ID, app_public_key_pem=keys[1]) as sim:
        sim.add_repo(OWNER, NAME)
        sim.set_file(OWNER, NAME, "main", ".github/review-tiers.yml", SPEC_CONFIG)
        sim.set_file(OWNER, NAME, "main", ".github/CODEOWNERS", "/src/ @acme/backend\n")
        sim.add_team_member(OWNER, "backend", "backer")
        for number in (1, 2):
            sim.add_pull(OWNER, NAME, number, author="dev", head_sha=f"{number:040x}", files=FILES)
        yield sim


def evaluation(
    sim: GitHubSimulator, keys: tuple[str, str], redis: Redis, number: int
) -> tuple[Counter[str], PyGithubPort]:
    """One evaluation with a port of its own, as a worker's job has; requests by kind."""
    settings = AppSettings(app_id=APP_ID, private_key=keys[0], webhook_secret="s", api_url=sim.url)
    port = PyGithubPort(settings, redis, 1)
    sim.reset_log()
    record = evaluate_pull(port, REPO, number, RunInfo("d-1", (None,)), FakeGrantStore())
    port.close()
    assert record.tier == "L2"
    kinds = Counter(
        request_kind(r.method, r.path, "304" if r.status == 304 else str(r.status))
        for r in sim.requests
    )
    return kinds, port


def test_the_request_budget_of_a_20_file_pull_request(
    sim: GitHubSimulator, keys: tuple[str, str], redis_client: Redis
) -> None:
    cold, port = evaluation(sim, keys, redis_client, 1)
    # Nothing cached yet: the base branch's tip, its five files in one GraphQL query (no REST
    # read of them), and every listing of the pull request.
    assert cold["rate_limited"] <= 9 and cold["mint"] == 1
    assert sim.count("POST", "/graphql") == 1 and sim.count("GET", f"{API}/contents/") == 0
    assert cold["write"] == 3  # the check, the labels, the review request
    assert sim.count("GET", "/orgs/") == 0  # nobody reviewed: team members do not matter yet
    # The adapter's own count, which the worker's metrics report, agrees with GitHub's log.
    assert port.requests.counts == {kind: cold[kind] for kind in REQUEST_KINDS}
    first, _ = evaluation(sim, keys, redis_client, 2)
    # A new pull request of a repository already evaluated: its base files are known, and the
    # branch's tip revalidated for free; a query would cost a request each time.
    assert first["rate_limited"] <= 7 and first["mint"] == 0
    assert sim.count("POST", "/graphql") == 0 and sim.count("GET", f"{API}/contents/") == 0
    repeat, _ = evaluation(sim, keys, redis_client, 2)
    # Only what the App's own writes changed is read again: the pull request and its checks.
    assert repeat["rate_limited"] <= 2 and repeat["write"] == 0
    again, port = evaluation(sim, keys, redis_client, 2)
    assert sim.count("POST", "/graphql") == 0
    assert again["rate_limited"] == 0 and again["write"] == 0 and again["free"] >= 8
    metrics = Metrics()
    metrics.observe_evaluation_requests(port.requests.counts)
    name = "review_tiers_github_requests_per_evaluation_sum"
    assert metrics.registry.get_sample_value(name, {"kind": "free"}) == again["free"]
    assert metrics.registry.get_sample_value(name, {"kind": "rate_limited"}) == 0


def test_a_base_branch_that_moved_is_read_at_its_new_tip(
    sim: GitHubSimulator, keys: tuple[str, str], redis_client: Redis
) -> None:
    evaluation(sim, keys, redis_client, 1)
    sim.set_file(OWNER, NAME, "main", ".github/CODEOWNERS", "/src/ @acme/payments\n")
    sim.add_team_member(OWNER, "payments", "payer")
    evaluation(sim, keys, redis_client, 1)
    assert "payments" in sim.pull(OWNER, NAME, 1).requested_teams


def test_a_read_made_ahead_fails_where_the_pipeline_asks_for_it(
    sim: GitHubSimulator, keys: tuple[str, str], redis_client: Redis
) -> None:
    sim.inject("GET", f"/repos/{OWNER}/{NAME}/pulls/1/reviews$", status=502)
    settings = AppSettings(app_id=APP_ID, private_key=keys[0], webhook_secret="s", api_url=sim.url)
    port = PyGithubPort(settings, redis_client, 1)
    with pytest.raises(TransientGitHubError):
        evaluate_pull(port, REPO, 1, RunInfo("d-1", (None,)), FakeGrantStore())
    # Every read comes before the first write: the token's exchange is all that was posted.
    assert [r.template for r in sim.writes()] == [
        "/app/installations/{installation_id}/access_tokens"
    ]
    record = evaluate_pull(port, REPO, 1, RunInfo("d-2", (None,)), FakeGrantStore())
    assert record.tier == "L2" and sim.check_runs(OWNER, NAME, f"{1:040x}")


def test_each_read_ahead_has_a_client_of_its_own(
    redis_client: Redis, keys: tuple[str, str]
) -> None:
    settings = AppSettings(app_id=APP_ID, private_key=keys[0], webhook_secret="s")
    port = PyGithubPort(settings, redis_client, 1)
    other = port.sibling()
    assert other.installation_id == 1 and other.requests is port.requests
    redis_client.set("rt:token:1", "ghs_x", ex=60)
    assert other.rest.requester is not port.rest.requester
    fake = make_port([])
    with reading_ahead(fake, REPO, fake.pulls[7]) as ahead:
        assert ahead is fake  # a port without siblings (the tests' fake) is used as it is


def test_a_read_ahead_that_cannot_start_raises_where_the_read_is_asked_for() -> None:
    fake = make_port([])

    class Refusing(FakePort):
        def sibling(self) -> FakePort:
            raise TransientGitHubError("no client for a read ahead")

    port = Refusing(**{f.name: getattr(fake, f.name) for f in fields(fake)})
    pull = port.pulls[7]
    with reading_ahead(port, REPO, pull) as ahead:
        asked = ThreadPoolExecutor(1).submit(ahead.fetch_files, REPO, 7)
        # Raised at once, never a wait until the job's time limit.
        with pytest.raises(TransientGitHubError, match="no client"):
            asked.result(timeout=10)


def test_a_pull_request_whose_base_branch_is_gone_fails_its_check(
    sim: GitHubSimulator, keys: tuple[str, str], redis_client: Redis
) -> None:
    sim.add_pull(OWNER, NAME, 3, author="dev", head_sha=f"{3:040x}", files=FILES, base_ref="gone")
    settings = AppSettings(app_id=APP_ID, private_key=keys[0], webhook_secret="s", api_url=sim.url)
    port = PyGithubPort(settings, redis_client, 1)
    record = evaluate_pull(port, REPO, 3, RunInfo("d-1", (None,)), FakeGrantStore())
    # Never the default policy of a branch read as empty: the check fails, saying why.
    assert record.tier is None and "'gone' was not found" in record.outcome
    (check,) = sim.check_runs(OWNER, NAME, f"{3:040x}")
    assert check.conclusion == "failure"
