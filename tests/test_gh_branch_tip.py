"""A base branch is resolved to its commit through its small ref, conditionally; only GitHub's
404 means the branch is missing, any other refusal stops the read."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from redis import Redis

from bot.evaluation.ports import RepoRef
from bot.gh.client import PyGithubPort
from bot.ops.errors import PermanentGitHubError, TransientGitHubError
from bot.ops.settings import AppSettings
from tests.ghsim import GitHubSimulator
from tests.ghsim.clients import checked_simulator

APP_ID = 4646
OWNER, NAME = "acme", "widgets"
API = f"/repos/{OWNER}/{NAME}"
REPO = RepoRef(1, OWNER, NAME)
BRANCH = "release/2.0"
POLICY = ".github/review-tiers.yml"


@pytest.fixture
def sim(keys: tuple[str, str]) -> Iterator[GitHubSimulator]:
    with checked_simulator(app_id=APP_ID, app_public_key_pem=keys[1]) as sim:
        sim.add_repo(OWNER, NAME, installation_id=1)
        sim.set_file(OWNER, NAME, BRANCH, POLICY, "version: 1\n")
        sim.set_file(OWNER, NAME, BRANCH, "CODEOWNERS", "* @acme/core\n")
        yield sim


def reads(sim: GitHubSimulator) -> list[tuple[str, str, int]]:
    return [
        (r.method, r.path, r.status)
        for r in sim.requests
        if r.path.startswith(API) or r.path == "/graphql"
    ]


def port_of(sim: GitHubSimulator, keys: tuple[str, str], redis: Redis) -> PyGithubPort:
    settings = AppSettings(app_id=APP_ID, private_key=keys[0], webhook_secret="s", api_url=sim.url)
    return PyGithubPort(settings, redis, 1)


def test_a_branch_with_slashes_is_read_at_its_ref(
    sim: GitHubSimulator, keys: tuple[str, str], redis_client: Redis
) -> None:
    port = port_of(sim, keys, redis_client)
    found = port.fetch_base_files(REPO, (POLICY, "CODEOWNERS", "absent.txt"), BRANCH)
    assert found == {POLICY: "version: 1\n", "CODEOWNERS": "* @acme/core\n", "absent.txt": None}
    # The ref, then the files the cache lacks in one GraphQL query.
    assert reads(sim) == [("GET", f"{API}/git/ref/heads/{BRANCH}", 200), ("POST", "/graphql", 200)]
    sim.reset_log()
    assert port_of(sim, keys, redis_client).fetch_file(REPO, POLICY, BRANCH) == "version: 1\n"
    assert reads(sim) == [("GET", f"{API}/git/ref/heads/{BRANCH}", 304)]


def test_a_missing_branch_is_no_branch_without_files(
    sim: GitHubSimulator, keys: tuple[str, str], redis_client: Redis
) -> None:
    port = port_of(sim, keys, redis_client)
    # Read as absent, the base files would give the pull request the default policy.
    with pytest.raises(PermanentGitHubError, match="'gone' was not found"):
        port.fetch_base_files(REPO, (POLICY, "CODEOWNERS"), "gone")
    assert reads(sim) == [("GET", f"{API}/git/ref/heads/gone", 404)]
    assert port.fetch_file(REPO, POLICY, "gone") is None  # one file alone: absent, as before


@pytest.mark.parametrize(
    ("status", "error"),
    [(409, PermanentGitHubError), (422, PermanentGitHubError), (502, TransientGitHubError)],
)
def test_any_other_refusal_is_no_absent_branch(
    sim: GitHubSimulator,
    keys: tuple[str, str],
    redis_client: Redis,
    status: int,
    error: type[Exception],
) -> None:
    # Read as "no such branch", every base file would be absent and another policy apply.
    sim.inject("GET", r"/git/ref/", status=status)
    with pytest.raises(error, match=str(status)):
        port_of(sim, keys, redis_client).fetch_base_files(REPO, (POLICY, "CODEOWNERS"), BRANCH)
