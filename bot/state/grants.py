"""The grant store on Redis: one hash per pull request, one JSON record per label.

The intake records a claim from each signed ``labeled`` delivery, in the transaction that
records the delivery (so a replay writes nothing); the worker decides it and writes the outcome
back with compare-and-set, so a claim recorded meanwhile is never lost.
Every key expires GRANT_TTL after its last write: a grant nobody touched for that long is
forgotten, and a label whose record is gone counts as suspended.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from redis import Redis
from redis.client import Pipeline

from bot.core.grants import Grant
from bot.evaluation.ports import RepoRef
from bot.state.requests import EvaluateRequest

GRANT_TTL = 30 * 86400

# A redelivery of the same delivery must not reset a record the worker already decided.
_CLAIM = """
local cur = redis.call('hget', KEYS[1], ARGV[1])
if cur and cjson.decode(cur)['delivery_id'] == ARGV[3] then return 0 end
redis.call('hset', KEYS[1], ARGV[1], ARGV[2])
redis.call('expire', KEYS[1], ARGV[4])
return 1
"""

# ARGV[4] == '1': only when no record exists; else only when the record came from ARGV[3].
_SAME = """
local cur = redis.call('hget', KEYS[1], ARGV[1])
if ARGV[4] == '1' then
  if cur then return 0 end
elseif (not cur) or cjson.decode(cur)['delivery_id'] ~= ARGV[3] then
  return 0
end
"""
_SAVE = (
    _SAME
    + """
redis.call('hset', KEYS[1], ARGV[1], ARGV[2])
redis.call('expire', KEYS[1], ARGV[5])
return 1
"""
)
_DROP = _SAME + "\nredis.call('hdel', KEYS[1], ARGV[1])\nreturn 1\n"


def grants_key(repo: RepoRef, number: int) -> str:
    return f"rt:grants:{repo.installation_id}:{repo.full_name}#{number}"


@dataclass(frozen=True)
class Claim:
    """The record a signed ``labeled`` delivery asks to write, and where."""

    key: str
    grant: Grant


def claim_of(req: EvaluateRequest) -> Claim | None:
    """The claim of a signed ``labeled`` delivery; other deliveries claim nothing.

    Only the intake calls this, after the signature was verified: it is the claim's one
    source, so no comment or label listing can create or revive a grant.
    """
    if req.label is None or req.label.action != "labeled":
        return None
    repo = RepoRef(req.installation_id, req.owner, req.repo)
    at = datetime.now(UTC).isoformat(timespec="seconds")
    label = req.label
    grant = Grant(
        label.name, label.head_sha, label.sender, at, req.delivery_id, base_ref=label.base_ref
    )
    return Claim(grants_key(repo, req.number), grant)


def write_claim(target: Redis | Pipeline, claim: Claim) -> Any:
    """Write ``claim`` at once on a connection, or at EXEC inside a transaction's pipeline."""
    grant = claim.grant
    args = (grant.label, _dump(grant), grant.delivery_id, GRANT_TTL)
    return target.eval(_CLAIM, 1, claim.key, *args)


class RedisGrantStore:
    """The only owner of grant state; the pipeline sees it through the GrantStore protocol."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    def record_claim(
        self, repo: RepoRef, number: int, label: str, claim: tuple[str, str, str, str]
    ) -> bool:
        """Record ``(head_sha, base_ref, sender, delivery_id)`` of a signed ``labeled`` delivery
        directly (the intake writes claims in its delivery transaction instead)."""
        head_sha, base_ref, sender, delivery_id = claim
        at = datetime.now(UTC).isoformat(timespec="seconds")
        grant = Grant(label, head_sha, sender, at, delivery_id, base_ref=base_ref)
        return bool(write_claim(self.redis, Claim(grants_key(repo, number), grant)))

    def load(self, repo: RepoRef, number: int) -> dict[str, Grant]:
        raw = self.redis.hgetall(grants_key(repo, number))
        records = (json.loads(value) for value in raw.values())
        return {r["label"]: Grant(**r) for r in records}

    def save(self, repo: RepoRef, number: int, grant: Grant, replaces: str | None) -> bool:
        args = (grant.label, _dump(grant), replaces or "", _absent(replaces), GRANT_TTL)
        return bool(self.redis.eval(_SAVE, 1, grants_key(repo, number), *args))

    def drop(self, repo: RepoRef, number: int, label: str, replaces: str) -> bool:
        args = (label, "", replaces, _absent(replaces))
        return bool(self.redis.eval(_DROP, 1, grants_key(repo, number), *args))


def _dump(grant: Grant) -> str:
    return json.dumps(asdict(grant), sort_keys=True)


def _absent(replaces: str | None) -> str:
    return "1" if replaces is None else "0"
