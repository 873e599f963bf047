"""The adapter against the simulator: the App's own comment, refused reviewers, the App's slug."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator

import pytest
from redis import Redis

from bot.core.names import COMMENT_MARKER
from bot.evaluation.ports import RepoRef
from bot.gh.client import PyGithubPort
from bot.gh.identity import check_app_identity
from bot.ops.errors import TransientGitHubError
from bot.ops.settings import AppSettings
from bot.service import warn_on_app_identity
from tests.ghsim import GitHubSimulator
from tests.ghsim.clients import app_key_pair, checked_simulator

APP_ID = 4242
OWNER, NAME = "acme", "widgets"
REPO = RepoRef(1, OWNER, NAME)
MARKER = COMMENT_MARKER
REVIEWERS = f"/repos/{OWNER}/{NAME}/pulls/7/requested_reviewers"


@pytest.fixture
def sim(keys: tuple[str, str]) -> Iterator[GitHubSimulator]:
    with checked_simulator(app_id=APP_ID, app_public_key_pem=keys[1]) as sim:
        sim.add_repo(OWNER, NAME)
        sim.set_role(OWNER, NAME, "bob", "write")
        sim.set_role(OWNER, NAME, "carol", "write")
        sim.add_team_member(OWNER, "core", "carol")
        sim.add_pull(OWNER, NAME, 7, author="alice", head_sha="a" * 40)
        yield sim


def settings_for(sim: GitHubSimulator, keys: tuple[str, str], slug: str) -> AppSettings:
    return AppSettings(
        app_id=APP_ID, private_key=keys[0], webhook_secret="s", api_url=sim.url, app_slug=slug
    )


@pytest.fixture
def port(
    sim: GitHubSimulator, keys: tuple[str, str], redis_client: Redis
) -> Iterator[PyGithubPort]:
    port = PyGithubPort(settings_for(sim, keys, "review-tiers"), redis_client, 1)
    yield port
    port.close()


def test_sticky_comment_found_by_app_id_despite_a_wrong_slug(
    sim: GitHubSimulator, keys: tuple[str, str], redis_client: Redis
) -> None:
    # The operator left GITHUB_APP_SLUG at a value that is not the App's slug.
    port = PyGithubPort(settings_for(sim, keys, "not-our-slug"), redis_client, 1)
    try:
        sim.add_comment(OWNER, NAME, 7, "mallory", f"{MARKER}\nfake")
        assert port.fetch_sticky_comment(REPO, 7, MARKER) is None
        comment_id = port.create_comment(REPO, 7, f"{MARKER}\nours")
        assert sim.pull(OWNER, NAME, 7).comments[-1].user == "review-tiers[bot]"
        found = port.fetch_sticky_comment(REPO, 7, MARKER)
        assert found is not None and (found.id, found.body) == (comment_id, f"{MARKER}\nours")
    finally:
        port.close()


def test_comments_carry_the_app_only_when_the_app_wrote_them(
    sim: GitHubSimulator, port: PyGithubPort
) -> None:
    sim.add_comment(OWNER, NAME, 7, "bob", "a person's comment")
    port.create_comment(REPO, 7, "the App's comment")
    items = port.rest.get(f"/repos/{OWNER}/{NAME}/issues/7/comments")
    apps = [item["performed_via_github_app"] for item in items]
    assert apps[0] is None
    assert (apps[1]["id"], apps[1]["slug"]) == (APP_ID, "review-tiers")


def test_one_refused_reviewer_does_not_block_the_others(
    sim: GitHubSimulator, port: PyGithubPort, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.gh.writes"):
        port.request_reviewers(REPO, 7, ["bob", "stranger"], ["acme/core", "acme/ghosts"])
    pull = sim.pull(OWNER, NAME, 7)
    assert (pull.requested_reviewers, pull.requested_teams) == (["bob"], ["core"])
    bodies = [r.json for r in sim.writes() if r.path == REVIEWERS]
    assert bodies[1:] == [
        {"reviewers": ["bob"]},
        {"reviewers": ["stranger"]},
        {"team_reviewers": ["core"]},
        {"team_reviewers": ["ghosts"]},
    ]
    refused = [r.getMessage() for r in caplog.records]
    assert len(refused) == 2
    assert "stranger" in refused[0] and "team acme/ghosts" in refused[1]


def test_a_team_of_another_organisation_is_not_sent(
    sim: GitHubSimulator, port: PyGithubPort, caplog: pytest.LogCaptureFixture
) -> None:
    # Sending the bare slug "core" would request acme's own team of that name.
    with caplog.at_level(logging.WARNING, logger="bot.gh.writes"):
        port.request_reviewers(REPO, 7, [], ["other-org/core"])
    assert sim.count("POST", REVIEWERS) == 0
    assert "other-org/core" in caplog.records[0].getMessage()


def test_other_errors_on_a_single_request_propagate(
    sim: GitHubSimulator, port: PyGithubPort
) -> None:
    sim.inject("POST", REVIEWERS + "$", 422)
    sim.inject("POST", REVIEWERS + "$", 502)
    with pytest.raises(TransientGitHubError):
        port.request_reviewers(REPO, 7, ["bob", "carol"], [])
    assert sim.pull(OWNER, NAME, 7).requested_reviewers == []


def test_app_identity_matches(sim: GitHubSimulator, keys: tuple[str, str]) -> None:
    assert check_app_identity(settings_for(sim, keys, "review-tiers")) is None
    assert sim.requests[-1].path == "/app" and sim.requests[-1].status == 200


def test_app_identity_names_both_slugs(
    sim: GitHubSimulator, keys: tuple[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    warning = check_app_identity(settings_for(sim, keys, "acme-review-tiers"))
    assert warning is not None
    assert "'acme-review-tiers'" in warning and "'review-tiers'" in warning
    with caplog.at_level(logging.WARNING, logger="bot.service"):
        warn_on_app_identity(settings_for(sim, keys, "acme-review-tiers"))
    assert [r.getMessage() for r in caplog.records] == [warning]


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # nothing listens once the socket is closed


def test_app_identity_unchecked_is_a_warning(keys: tuple[str, str]) -> None:
    settings = AppSettings(
        app_id=APP_ID,
        private_key=keys[0],
        webhook_secret="s",
        api_url=f"http://127.0.0.1:{closed_port()}",
    )
    warning = check_app_identity(settings)
    assert warning is not None and "could not check" in warning
    assert "PRIVATE KEY" not in warning


def test_app_identity_refused_jwt_is_a_warning(sim: GitHubSimulator) -> None:
    other_key = app_key_pair()[0]  # signed with a key the App does not have
    settings = AppSettings(
        app_id=APP_ID, private_key=other_key, webhook_secret="s", api_url=sim.url
    )
    warning = check_app_identity(settings)
    assert warning is not None and "could not check" in warning and "401" in warning
    assert "PRIVATE KEY" not in warning and "eyJ" not in warning
