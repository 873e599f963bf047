"""Conditional reads of paged listings: each reader keeps entries of its own shape, apart from
those of earlier releases, and an entry that does not parse is read again."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from redis import Redis

from bot.evaluation.ports import RepoRef
from bot.gh.client import PyGithubPort
from bot.gh.listings import Listings
from bot.ops.settings import AppSettings
from tests.ghsim import GitHubSimulator
from tests.ghsim.clients import checked_simulator
from tests.ghsim.state import Review

APP_ID = 4646
OWNER, NAME, HEAD = "acme", "widgets", "a" * 40
API = f"/repos/{OWNER}/{NAME}"
REPO = RepoRef(1, OWNER, NAME)


@pytest.fixture
def sim(keys: tuple[str, str]) -> Iterator[GitHubSimulator]:
    with checked_simulator(app_id=APP_ID, app_public_key_pem=keys[1]) as sim:
        sim.add_repo(OWNER, NAME, installation_id=1)
        sim.add_pull(OWNER, NAME, 7, author="alice", head_sha=HEAD)
        sim.add_pull(OWNER, NAME, 8, author="bob", head_sha="b" * 40)
        yield sim


def settings(sim: GitHubSimulator, keys: tuple[str, str]) -> AppSettings:
    return AppSettings(app_id=APP_ID, private_key=keys[0], webhook_secret="s", api_url=sim.url)


def port_of(sim: GitHubSimulator, keys: tuple[str, str], redis: Redis) -> PyGithubPort:
    """A port as each job builds one: only Redis carries what an earlier one read."""
    return PyGithubPort(settings(sim, keys), redis, 1)


def pages(sim: GitHubSimulator, path: str) -> list[tuple[str, int]]:
    return [(r.query.get("page", ""), r.status) for r in sim.requests if r.path == path]


def test_readers_of_one_listing_keep_entries_of_their_own(
    sim: GitHubSimulator, keys: tuple[str, str], redis_client: Redis
) -> None:
    # The recovery scan and the policy preview both list open pull requests, in two shapes.
    listings = Listings(settings(sim, keys), redis_client, 1)
    expected = [(8, "b" * 40), (7, HEAD)]
    for base in ("main", None):
        assert listings.open_pulls(REPO, base) == expected
        preview = port_of(sim, keys, redis_client).fetch_open_pulls(REPO, base)
        assert [(p.number, p.head_sha) for p in preview] == expected
        assert listings.open_pulls(REPO, base) == expected
    assert {key.split(b":")[3] for key in redis_client.scan_iter(match="rt:cached:*")} == {
        b"pull-shas",
        b"pulls",
    }


def test_an_entry_that_does_not_parse_is_read_again(
    sim: GitHubSimulator, keys: tuple[str, str], redis_client: Redis
) -> None:
    sim.pull(OWNER, NAME, 7).reviews.append(Review(1, "bob", "APPROVED", HEAD))
    port_of(sim, keys, redis_client).fetch_reviews(REPO, 7)
    (key,) = redis_client.scan_iter(match="rt:cached:1:reviews:*")
    entry = json.loads(redis_client.get(key) or "")
    for data in ([[8, "b" * 40]], {"not": "a page"}, [{"number": 7}]):
        redis_client.set(key, json.dumps({**entry, "data": data}))
        sim.reset_log()
        (review,) = port_of(sim, keys, redis_client).fetch_reviews(REPO, 7)
        assert (review.user, review.state) == ("bob", "APPROVED")
        seen = [r for r in sim.requests if r.path == f"{API}/pulls/7/reviews"]
        assert [(r.status, r.headers.get("If-None-Match")) for r in seen] == [
            (304, entry["etag"]),
            (200, None),
        ]


def test_entries_are_kept_apart_from_those_of_earlier_releases(
    sim: GitHubSimulator, keys: tuple[str, str], redis_client: Redis
) -> None:
    # Workers of an earlier release, still running during a deploy, read ``rt:listing`` keys
    # and expect their own shape (``items``) in them.
    Listings(settings(sim, keys), redis_client, 1).open_pulls(REPO)
    port_of(sim, keys, redis_client).fetch_open_pulls(REPO, None)
    assert list(redis_client.scan_iter(match="rt:listing:*")) == []
    assert len(list(redis_client.scan_iter(match="rt:cached:1:*"))) == 2
