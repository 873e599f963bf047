"""The record of which repositories extend a spec repository, on a real Redis."""

from __future__ import annotations

from redis import Redis

from bot.evaluation.ports import RepoRef
from bot.state.dependents import (
    DEPENDENTS_TTL,
    RedisSpecDependents,
    dependents_key,
    has_dependents,
)

SHOP, WEB = RepoRef(1, "acme", "shop"), RepoRef(2, "other", "web")


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_records_each_dependent_once_under_its_installation(redis_client: Redis) -> None:
    store = RedisSpecDependents(redis_client)
    assert store.dependents("acme/spec") == [] and not has_dependents(redis_client, "acme/spec")
    store.record("acme/spec", WEB)
    store.record("acme/spec", SHOP)
    store.record("Acme/Spec", SHOP)  # GitHub's names are case-insensitive
    assert store.dependents("acme/spec") == [SHOP, WEB]
    assert store.dependents("ACME/spec") == [SHOP, WEB]
    assert has_dependents(redis_client, "acme/SPEC") and store.dependents("acme/other") == []


def test_a_dependent_not_refreshed_expires(redis_client: Redis) -> None:
    clock = Clock()
    store = RedisSpecDependents(redis_client, clock)
    store.record("acme/spec", SHOP)
    clock.now += DEPENDENTS_TTL / 2
    store.record("acme/spec", WEB)
    clock.now += DEPENDENTS_TTL / 2 + 1
    assert store.dependents("acme/spec") == [WEB]  # SHOP was last seen too long ago
    store.record("acme/spec", WEB)
    assert redis_client.zcard(dependents_key("acme/spec")) == 1  # and is dropped on write
    assert 0 < redis_client.ttl(dependents_key("acme/spec")) <= DEPENDENTS_TTL


def test_entries_written_by_something_else_are_ignored(redis_client: Redis) -> None:
    redis_client.zadd(dependents_key("acme/spec"), {"not json": 2e9, '["x"]': 2e9})
    store = RedisSpecDependents(redis_client)
    store.record("acme/spec", SHOP)
    assert store.dependents("acme/spec") == [SHOP]
