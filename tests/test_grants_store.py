"""The Redis grant store and the intake's claims, on a real Redis."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from redis import Redis

from bot.core.grants import GRANTED
from bot.evaluation.ports import RepoRef
from bot.intake.webhook import route
from bot.service import make_intake
from bot.state.grants import GRANT_TTL, RedisGrantStore, grants_key
from bot.state.queueing import Dispatcher

REPO = RepoRef(1, "Codertocat", "Hello-World")
WEBHOOKS = Path(__file__).parent / "fixtures" / "webhooks"


def labeled(action: str = "labeled", label: str = "tier-override/L1") -> dict:
    payload = json.loads((WEBHOOKS / f"pull_request.{action}.json").read_text())
    payload["installation"] = {"id": 1}
    payload["label"]["name"] = label
    payload["sender"]["login"] = "lead"
    payload["pull_request"]["head"]["sha"] = "a" * 40
    payload["pull_request"]["base"]["ref"] = "release"
    return payload


def test_the_intake_records_the_claim_of_a_signed_labeled_delivery(redis_client: Redis) -> None:
    intake = make_intake(Dispatcher(redis_client, 0))
    routed = route("pull_request", "d-1", labeled(), app_id=1, app_slug="review-tiers")
    assert isinstance(routed, list)
    assert intake("d-1", "0" * 64, routed)
    (grant,) = RedisGrantStore(redis_client).load(REPO, 2).values()
    fields = (grant.label, grant.head_sha, grant.base_ref, grant.actor, grant.delivery_id)
    assert fields == ("tier-override/L1", "a" * 40, "release", "lead", "d-1")
    assert grant.state == "claimed"
    assert grant.at.startswith("20") and grant.role == ""
    assert 0 < redis_client.ttl(grants_key(REPO, 2)) <= GRANT_TTL


def test_an_unlabeled_delivery_claims_nothing(redis_client: Redis) -> None:
    intake = make_intake(Dispatcher(redis_client, 0))
    routed = route("pull_request", "d-1", labeled("unlabeled"), app_id=1, app_slug="review-tiers")
    assert isinstance(routed, list) and routed[0].label is not None
    assert intake("d-1", "0" * 64, routed)
    assert RedisGrantStore(redis_client).load(REPO, 2) == {}


def test_a_redelivery_does_not_reset_a_decided_grant(redis_client: Redis) -> None:
    store = RedisGrantStore(redis_client)
    assert store.record_claim(REPO, 2, "size-exception", ("a" * 40, "main", "lead", "d-1"))
    claim = store.load(REPO, 2)["size-exception"]
    decided = replace(claim, role="admin", state=GRANTED)
    assert store.save(REPO, 2, decided, "d-1")
    assert not store.record_claim(REPO, 2, "size-exception", ("a" * 40, "main", "lead", "d-1"))
    assert store.load(REPO, 2)["size-exception"] == decided
    # A new delivery is a new addition of the label: it replaces the record.
    assert store.record_claim(REPO, 2, "size-exception", ("b" * 40, "main", "lead", "d-2"))
    assert store.load(REPO, 2)["size-exception"].head_sha == "b" * 40


def test_save_and_drop_compare_the_delivery(redis_client: Redis) -> None:
    store = RedisGrantStore(redis_client)
    store.record_claim(REPO, 2, "size-exception", ("a" * 40, "main", "lead", "d-2"))
    claim = store.load(REPO, 2)["size-exception"]
    assert not store.save(REPO, 2, replace(claim, state=GRANTED), "d-1")  # a newer claim won
    assert not store.save(REPO, 2, replace(claim, state=GRANTED), None)  # a record exists
    assert not store.drop(REPO, 2, "size-exception", "d-1")
    assert store.load(REPO, 2)["size-exception"].state == "claimed"
    assert store.drop(REPO, 2, "size-exception", "d-2")
    assert store.load(REPO, 2) == {}
    assert store.save(REPO, 2, claim, None)  # no record: only "none expected" may write
