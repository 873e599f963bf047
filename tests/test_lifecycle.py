"""Lifecycle deliveries on a real Redis: a close, an installation deleted, repositories removed."""

from __future__ import annotations

import json

import pytest
from flask.testing import FlaskClient
from redis import Redis

from bot.evaluation.ports import RepoRef
from bot.gh.conditional import Conditional
from bot.intake.web import create_app
from bot.ops.audit import AuditLog
from bot.service import make_intake, make_ready
from bot.state.grants import RedisGrantStore, grants_key
from bot.state.groups import group_key
from bot.state.keys import PullKey
from bot.state.queueing import PENDING_KEY, Dispatcher, EvaluationMark
from bot.worker.runs import begin
from tests.test_web import SETTINGS, fixture_body, post

PULL = PullKey(1, "Codertocat", "Hello-World", 2)  # what pull_request.closed.json names
OTHER = PullKey(1, "Codertocat", "Other", 5)
MERGED_AT = "2026-01-02T03:04:05Z"
HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821"


@pytest.fixture
def dispatcher(redis_client: Redis) -> Dispatcher:
    return Dispatcher(redis_client)


@pytest.fixture
def client(dispatcher: Dispatcher, redis_client: Redis) -> FlaskClient:
    return create_app(SETTINGS, make_intake(dispatcher), make_ready(redis_client)).test_client()


def with_state(dispatcher: Dispatcher, pull: PullKey) -> None:
    """Everything a PR leaves in Redis: events, a queued job, a lease, attempts, a mark, grants."""
    dispatcher.submit(pull, "d-1")
    assert begin(dispatcher, pull) is not None
    dispatcher.set_attempt(pull, 2)
    dispatcher.record_evaluation(pull, EvaluationMark("h", "completed", "success", 1.0))
    repo = RepoRef(pull.installation_id, pull.owner, pull.repo)
    RedisGrantStore(dispatcher.redis).record_claim(
        repo, pull.number, "x", ("h", "main", "lead", "d-1")
    )


def pull_keys(redis: Redis, pull: PullKey) -> list[bytes]:
    repo = RepoRef(pull.installation_id, pull.owner, pull.repo)
    keys = [pull.key(s) for s in ("dirty", "queued", "lease", "attempt", "mark")]
    return [k for k in [*keys, grants_key(repo, pull.number)] if redis.exists(k)]


def closed_body(merged: bool) -> bytes:
    payload = json.loads(fixture_body("pull_request.closed"))
    payload["pull_request"]["merged"] = merged
    payload["pull_request"]["merged_at"] = MERGED_AT if merged else None
    return json.dumps(payload).encode()


def test_a_merged_pull_request_ends_its_state_and_is_audited(
    client: FlaskClient, dispatcher: Dispatcher, redis_client: Redis
) -> None:
    with_state(dispatcher, PULL)
    with_state(dispatcher, OTHER)
    assert post(client, "pull_request", closed_body(merged=True)).status_code == 202
    assert pull_keys(redis_client, PULL) == []
    assert not dispatcher.lease_alive(PULL) and dispatcher.last_evaluation(PULL) is None
    assert redis_client.smembers(PENDING_KEY) == {OTHER.member().encode()}
    assert len(pull_keys(redis_client, OTHER)) == 6  # another PR keeps everything
    (record,) = AuditLog(redis_client).export()
    assert record["outcome"] == "closed" and record["merged"] is True
    assert record["merged_at"] == MERGED_AT and record["head_sha"] == HEAD
    assert (record["repository"], record["pull_number"]) == ("Codertocat/Hello-World", 2)
    # A replay records nothing twice.
    assert post(client, "pull_request", closed_body(merged=True)).status_code == 200
    assert len(list(AuditLog(redis_client).export())) == 1


def test_a_pull_request_closed_unmerged_is_audited_as_such(
    client: FlaskClient, redis_client: Redis
) -> None:
    assert post(client, "pull_request", closed_body(merged=False)).status_code == 202
    (record,) = AuditLog(redis_client).export()
    assert (record["outcome"], record["merged"], record["merged_at"]) == ("closed", False, None)


def cached(redis: Redis, installation_id: int, owner: str, repo: str) -> None:
    """A cached token and file of the installation, as bot/gh writes them, and a merge group's
    record."""
    redis.set(f"rt:token:{installation_id}", "ghs_x", ex=60)
    redis.set(f"rt:etag:{installation_id}:/repos/{owner}/{repo}:main:a.yml", "{}", ex=60)
    redis.set(f"rt:role:{installation_id}:/repos/{owner}/{repo}:bob", "write", ex=60)
    # A conditional read's entry, and one in the shape of earlier releases.
    url = f"/repos/{owner}/{repo}/pulls/3/reviews"
    redis.set(Conditional(redis, installation_id).key("reviews", url, {"page": 1}), "{}", ex=60)
    redis.set(f"rt:listing:{installation_id}:{url}?page=1", "{}", ex=60)
    redis.hset(group_key(installation_id, owner, repo, "a" * 40), "base_sha", "b" * 40)


def test_removed_repositories_are_purged_and_marked(
    client: FlaskClient, dispatcher: Dispatcher, redis_client: Redis
) -> None:
    # installation_repositories.removed.json: installation 2 drops octocat/Hello-World.
    gone, kept = PullKey(2, "octocat", "Hello-World", 3), PullKey(2, "octocat", "Kept", 4)
    for pull in (gone, kept):
        with_state(dispatcher, pull)
        cached(redis_client, 2, pull.owner, pull.repo)
    body = fixture_body("installation_repositories.removed")
    assert post(client, "installation_repositories", body).status_code == 202
    assert pull_keys(redis_client, gone) == [] and len(pull_keys(redis_client, kept)) == 6
    assert redis_client.keys("rt:etag:*") == [b"rt:etag:2:/repos/octocat/Kept:main:a.yml"]
    assert redis_client.keys("rt:role:*") == [b"rt:role:2:/repos/octocat/Kept:bob"]
    assert redis_client.keys("rt:cached:*") == [
        b"rt:cached:2:reviews:/repos/octocat/Kept/pulls/3/reviews?page=1"
    ]
    assert redis_client.keys("rt:listing:*") == [
        b"rt:listing:2:/repos/octocat/Kept/pulls/3/reviews?page=1"
    ]
    assert redis_client.keys("rt:group:*") == [group_key(2, "octocat", "Kept", "a" * 40).encode()]
    assert not redis_client.exists("rt:token:2")
    assert dispatcher.is_removed(2, "octocat", "Hello-World")
    assert not dispatcher.is_removed(2, "octocat", "Kept")
    assert 0 < redis_client.ttl("rt:removed:2:octocat/Hello-World") <= 30 * 86400


def test_a_deleted_installation_is_purged_whole(
    client: FlaskClient, dispatcher: Dispatcher, redis_client: Redis
) -> None:
    mine, other = PullKey(2, "octocat", "Hello-World", 3), PullKey(9, "someone", "else", 1)
    for pull in (mine, other):
        with_state(dispatcher, pull)
        cached(redis_client, pull.installation_id, pull.owner, pull.repo)
    assert post(client, "installation", fixture_body("installation.deleted")).status_code == 202
    assert pull_keys(redis_client, mine) == [] and len(pull_keys(redis_client, other)) == 6
    assert redis_client.keys("rt:token:*") == [b"rt:token:9"]
    assert [key.split(b":")[2] for key in redis_client.keys("rt:cached:*")] == [b"9"]
    assert [key.split(b":")[2] for key in redis_client.keys("rt:listing:*")] == [b"9"]
    assert redis_client.keys("rt:group:*") == [group_key(9, "someone", "else", "a" * 40).encode()]
    assert redis_client.smembers(PENDING_KEY) == {other.member().encode()}
    assert dispatcher.is_removed(2, "octocat", "Anything")
    assert not dispatcher.is_removed(9, "someone", "else")


def test_repositories_added_back_are_no_longer_removed(
    dispatcher: Dispatcher, client: FlaskClient
) -> None:
    # installation_repositories.added.json: installation 957387 gains Codertocat/Space.
    dispatcher.forget_installation(957387, [("Codertocat", "Space")])
    assert dispatcher.is_removed(957387, "Codertocat", "Space")
    body = fixture_body("installation_repositories.added")
    assert post(client, "installation_repositories", body).status_code == 202
    assert not dispatcher.is_removed(957387, "Codertocat", "Space")
