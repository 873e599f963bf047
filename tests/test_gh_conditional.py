"""Conditional reads through the real adapter against the simulator: an ETag per page and per
installation, size caps, and roles kept for a few minutes only."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from redis import Redis

from bot.evaluation.ports import RepoRef
from bot.gh import conditional
from bot.gh.client import PyGithubPort
from bot.gh.roles import ROLE_SECONDS
from bot.ops.settings import AppSettings
from tests.ghsim import GitHubSimulator
from tests.ghsim.clients import checked_simulator

APP_ID = 4646
OWNER, NAME, HEAD = "acme", "widgets", "a" * 40
API = f"/repos/{OWNER}/{NAME}"
FILES = [{"filename": f"src/m{i}.py", "additions": 1} for i in range(250)]


@pytest.fixture
def sim(keys: tuple[str, str]) -> Iterator[GitHubSimulator]:
    with checked_simulator(app_id=APP_ID, app_public_key_pem=keys[1]) as sim:
        sim.add_installation(2)
        sim.add_repo(OWNER, NAME, installation_id=1)
        sim.add_pull(OWNER, NAME, 7, author="alice", head_sha=HEAD, files=FILES)
        sim.set_role(OWNER, NAME, "bob", "maintain")
        yield sim


def port_of(
    sim: GitHubSimulator, keys: tuple[str, str], redis: Redis, installation: int
) -> PyGithubPort:
    settings = AppSettings(app_id=APP_ID, private_key=keys[0], webhook_secret="s", api_url=sim.url)
    return PyGithubPort(settings, redis, installation)


def reads(sim: GitHubSimulator, path: str) -> list[tuple[str, int, str | None]]:
    return [
        (r.query.get("page", ""), r.status, r.headers.get("If-None-Match"))
        for r in sim.requests
        if r.path == path
    ]


def test_each_page_is_asked_for_with_its_own_etag(
    sim: GitHubSimulator, keys: tuple[str, str], redis_client: Redis
) -> None:
    port = port_of(sim, keys, redis_client, 1)
    first = port.fetch_files(RepoRef(1, OWNER, NAME), 7)
    sim.reset_log()
    assert port.fetch_files(RepoRef(1, OWNER, NAME), 7) == first
    seen = reads(sim, f"{API}/pulls/7/files")
    assert [(page, status) for page, status, _ in seen] == [("1", 304), ("2", 304), ("3", 304)]
    assert len({etag for _, _, etag in seen}) == 3
    sim.pull(OWNER, NAME, 7).files[249].additions = 9  # only the last page changes
    sim.reset_log()
    assert port.fetch_files(RepoRef(1, OWNER, NAME), 7)[249]["additions"] == 9
    assert [s for _, s, _ in reads(sim, f"{API}/pulls/7/files")] == [304, 304, 200]


def test_no_installation_reads_another_ones_entries(
    sim: GitHubSimulator, keys: tuple[str, str], redis_client: Redis
) -> None:
    port_of(sim, keys, redis_client, 1).fetch_pull(RepoRef(1, OWNER, NAME), 7)
    sim.reset_log()
    # Installation 2 does not cover the repository: with no ETag of its own it gets GitHub's
    # answer for its token, never installation 1's cached pull request.
    with pytest.raises(Exception, match="404"):
        port_of(sim, keys, redis_client, 2).fetch_pull(RepoRef(2, OWNER, NAME), 7)
    assert reads(sim, f"{API}/pulls/7") == [("", 404, None)]


def test_an_entry_over_the_size_cap_is_not_kept(
    sim: GitHubSimulator,
    keys: tuple[str, str],
    redis_client: Redis,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(conditional, "MAX_ENTRY_CHARS", 200)
    port = port_of(sim, keys, redis_client, 1)
    port.fetch_commit_messages(RepoRef(1, OWNER, NAME), 7)  # small: kept
    port.fetch_files(RepoRef(1, OWNER, NAME), 7)  # 100 entries a page: over the cap
    sim.reset_log()
    port.fetch_commit_messages(RepoRef(1, OWNER, NAME), 7)
    port.fetch_files(RepoRef(1, OWNER, NAME), 7)
    assert [s for _, s, _ in reads(sim, f"{API}/pulls/7/commits")] == [304]
    assert [s for _, s, _ in reads(sim, f"{API}/pulls/7/files")] == [200, 200, 200]
    assert all(
        ttl <= conditional.CONDITIONAL_TTL for ttl in map(redis_client.ttl, keys_of(redis_client))
    )


def keys_of(redis: Redis) -> list[bytes]:
    return list(redis.scan_iter(match="rt:cached:*"))


def test_a_role_is_kept_five_minutes_and_a_refusal_not_at_all(
    sim: GitHubSimulator, keys: tuple[str, str], redis_client: Redis
) -> None:
    port = port_of(sim, keys, redis_client, 1)
    repo = RepoRef(1, OWNER, NAME)
    assert port.fetch_role(repo, "bob") == "maintain"
    assert port.fetch_role(repo, "stranger") == "none"  # 404: no collaborator
    sim.set_role(OWNER, NAME, "bob", "read")
    sim.set_role(OWNER, NAME, "stranger", "write")
    sim.reset_log()
    assert port.fetch_role(repo, "bob") == "maintain"  # within the cached minutes
    assert port.fetch_role(repo, "stranger") == "write"  # the refusal was not kept
    assert [r.path.rsplit("/", 2)[1] for r in sim.requests] == ["stranger"]
    (key,) = redis_client.scan_iter(match="rt:role:1:*bob")
    assert 0 < redis_client.ttl(key) <= ROLE_SECONDS == 300
    redis_client.delete(key)  # the minutes are over
    assert port.fetch_role(repo, "bob") == "read"
    sim.set_role(OWNER, NAME, "bob", "admin")
    assert port.fetch_role(repo, "bob") == "read"  # cached again
    assert port.fetch_role(repo, "bob", fresh=True) == "admin"  # asked of GitHub now
    assert port.fetch_role(repo, "bob") == "admin"  # and the cache took the answer
