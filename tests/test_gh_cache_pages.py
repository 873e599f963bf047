"""Conditional reads of paged listings: a full page answered 304 does not hide a page added
after it, each reader keeps entries of its own shape, an entry that does not parse is read
again, and a listing read whole is never decided on in part."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from redis import Redis

from bot.core.names import COMMENT_MARKER
from bot.evaluation.ports import RepoRef
from bot.gh import conditional
from bot.gh.client import PyGithubPort
from bot.gh.listings import Listings
from bot.ops.errors import PermanentGitHubError
from bot.ops.settings import AppSettings
from tests.ghsim import GitHubSimulator
from tests.ghsim.clients import checked_simulator
from tests.ghsim.state import Comment, IssueEvent, Review

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


def test_a_review_after_a_full_last_page_is_read(
    sim: GitHubSimulator, keys: tuple[str, str], redis_client: Redis
) -> None:
    reviews = sim.pull(OWNER, NAME, 7).reviews
    reviews.extend(Review(1000 + i, "carl", "COMMENTED", HEAD) for i in range(99))
    reviews.append(Review(2000, "bob", "APPROVED", HEAD))
    assert len(port_of(sim, keys, redis_client).fetch_reviews(REPO, 7)) == 100
    reviews.append(Review(3000, "dana", "CHANGES_REQUESTED", HEAD))
    sim.reset_log()
    seen = port_of(sim, keys, redis_client).fetch_reviews(REPO, 7)
    assert [r.state for r in seen[-2:]] == ["APPROVED", "CHANGES_REQUESTED"]
    # Page 1 is unchanged (free); page 2 is asked for because page 1 was full.
    assert pages(sim, f"{API}/pulls/7/reviews") == [("1", 304), ("2", 200)]
    sim.reset_log()
    assert len(port_of(sim, keys, redis_client).fetch_reviews(REPO, 7)) == 101
    assert pages(sim, f"{API}/pulls/7/reviews") == [("1", 304), ("2", 304)]


def test_the_apps_comment_after_a_full_last_page_is_found(
    sim: GitHubSimulator, keys: tuple[str, str], redis_client: Redis
) -> None:
    comments = sim.pull(OWNER, NAME, 7).comments
    comments.extend(Comment(100 + i, "alice", f"c{i}") for i in range(100))
    assert port_of(sim, keys, redis_client).fetch_sticky_comment(REPO, 7, COMMENT_MARKER) is None
    ident = port_of(sim, keys, redis_client).create_comment(REPO, 7, f"{COMMENT_MARKER}\nhi")
    found = port_of(sim, keys, redis_client).fetch_sticky_comment(REPO, 7, COMMENT_MARKER)
    assert found is not None and found.id == ident


def test_a_label_event_after_a_full_last_page_is_read(
    sim: GitHubSimulator, keys: tuple[str, str], redis_client: Redis
) -> None:
    events = sim.pull(OWNER, NAME, 7).events
    events.append(IssueEvent(1, "labeled", "override", "maintainer"))
    events.extend(IssueEvent(10 + i, "labeled", "other", "alice") for i in range(99))
    assert port_of(sim, keys, redis_client).fetch_label_actors(REPO, 7)
    events.append(IssueEvent(500, "labeled", "override", "triager"))
    actors = port_of(sim, keys, redis_client).fetch_label_actors(REPO, 7)
    assert {(e.label, e.actor) for e in actors} == {("override", "triager"), ("other", "alice")}


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


def test_a_listing_read_whole_is_refused_past_the_cap(
    sim: GitHubSimulator,
    keys: tuple[str, str],
    redis_client: Redis,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(conditional, "MAX_PAGES", 1)
    pull = sim.pull(OWNER, NAME, 7)
    pull.reviews.extend(Review(1 + i, "carl", "COMMENTED", HEAD) for i in range(100))
    pull.comments.extend(Comment(1 + i, "alice", "c") for i in range(100))
    pull.events.extend(IssueEvent(1 + i, "labeled", "x", "alice") for i in range(100))
    port = port_of(sim, keys, redis_client)
    # Exactly the cap: nothing past it, nothing refused.
    assert len(port.fetch_reviews(REPO, 7)) == 100
    pull.reviews.append(Review(500, "dana", "CHANGES_REQUESTED", HEAD))
    pull.comments.append(Comment(500, "alice", "c"))
    pull.events.append(IssueEvent(500, "labeled", "override", "alice"))
    with pytest.raises(PermanentGitHubError, match="more than 100 items"):
        port.fetch_reviews(REPO, 7)
    with pytest.raises(PermanentGitHubError, match="more than 100 items"):
        port.fetch_sticky_comment(REPO, 7, COMMENT_MARKER)
    with pytest.raises(PermanentGitHubError, match="more than 100 items"):
        port.fetch_label_actors(REPO, 7)


def test_listings_read_in_full_have_no_cut_of_5000(
    sim: GitHubSimulator, keys: tuple[str, str], redis_client: Redis
) -> None:
    # Reviews were read in full before conditional reads: 5,001 are still all read.
    reviews = sim.pull(OWNER, NAME, 7).reviews
    reviews.extend(Review(1 + i, "carl", "COMMENTED", HEAD) for i in range(5000))
    reviews.append(Review(9000, "dana", "CHANGES_REQUESTED", HEAD))
    seen = port_of(sim, keys, redis_client).fetch_reviews(REPO, 7)
    assert len(seen) == 5001 and seen[-1].state == "CHANGES_REQUESTED"
