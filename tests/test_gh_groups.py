"""The PyGithub port's merge group reads against the GitHub simulator: ranges and their pages,
and the pull requests of a commit."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.evaluation.ports import RepoRef
from bot.gh.client import PyGithubPort
from bot.gh.groups import MAX_RANGE_PAGES
from bot.ops.errors import PermanentGitHubError
from tests.ghsim import GitHubSimulator
from tests.ghsim.clients import checked_simulator

APP_ID = 4242
OWNER, NAME = "acme", "widgets"
REPO = RepoRef(1, OWNER, NAME)


def commits(number: int, count: int) -> list[dict[str, str]]:
    return [
        {"sha": f"{number:02x}{index:038x}", "message": f"step {index}", "author": "alice"}
        for index in range(count)
    ]


@pytest.fixture
def sim(keys: tuple[str, str]) -> Iterator[GitHubSimulator]:
    with checked_simulator(app_id=APP_ID, app_public_key_pem=keys[1]) as sim:
        sim.add_repo(OWNER, NAME)
        for number, count in ((7, 2), (8, 1), (9, 180)):
            steps = commits(number, count)
            sim.add_pull(
                OWNER, NAME, number, author="alice", head_sha=steps[-1]["sha"], commits=steps
            )
        yield sim


def test_a_group_range_lists_its_commits_oldest_first(
    sim: GitHubSimulator, port: PyGithubPort
) -> None:
    group = sim.add_merge_group(OWNER, NAME, [7, 8])
    found = port.fetch_commit_range(REPO, group.base_sha, group.head_sha)
    assert found.shas == tuple(c.sha for c in group.commits) and found.total == 5
    assert found.shas[-1] == group.head_sha


def test_a_long_range_is_paged_and_cut_with_its_total(
    sim: GitHubSimulator, port: PyGithubPort
) -> None:
    group = sim.add_merge_group(OWNER, NAME, [9])
    found = port.fetch_commit_range(REPO, group.base_sha, group.head_sha)
    assert found.shas == tuple(c.sha for c in group.commits) and found.total == 181
    assert sim.count("GET", f"/repos/{OWNER}/{NAME}/compare/") == 2
    for number in range(10, 12):
        steps = commits(number, 120)
        sim.add_pull(OWNER, NAME, number, author="alice", head_sha=steps[-1]["sha"], commits=steps)
    longer = sim.add_merge_group(OWNER, NAME, [9, 10, 11])
    cut = port.fetch_commit_range(REPO, longer.base_sha, longer.head_sha)
    assert cut.total == 423 and len(cut.shas) == 100 * MAX_RANGE_PAGES


def test_an_unknown_range_is_permanent(port: PyGithubPort) -> None:
    with pytest.raises(PermanentGitHubError):
        port.fetch_commit_range(REPO, "a" * 40, "b" * 40)


def test_a_commits_pull_requests_open_or_closed(sim: GitHubSimulator, port: PyGithubPort) -> None:
    sim.pull(OWNER, NAME, 8).state = "closed"
    (first,) = port.fetch_commit_pulls(REPO, commits(7, 2)[0]["sha"])
    assert (first.number, first.state, first.base_ref, first.head_sha) == (
        7,
        "open",
        "main",
        commits(7, 2)[-1]["sha"],
    )
    assert [p.state for p in port.fetch_commit_pulls(REPO, commits(8, 1)[0]["sha"])] == ["closed"]
    assert port.fetch_commit_pulls(REPO, "f" * 40) == ()
