"""Which repositories extend each spec repository, as learnt from their evaluations: one sorted
set per spec repository, each dependent scored by when an evaluation last read the spec for it.

A dependent that no evaluation refreshed for DEPENDENTS_DAYS is dropped (a repository that
stopped extending the spec, or left the App); any evaluation of one of its pull requests
records it again. The intake asks ``has_dependents`` to decide whether a push to a repository's
default branch is worth a fan-out.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

from redis import Redis

from bot.evaluation.ports import RepoRef
from bot.ops.replies import as_text

DEPENDENTS_DAYS = 30
DEPENDENTS_TTL = DEPENDENTS_DAYS * 86400
DEPENDENTS_KEY = "rt:spec-dependents:{spec_repo}"


def dependents_key(spec_repo: str) -> str:
    # GitHub's owner and repository names are case-insensitive: "Acme/Spec" is "acme/spec".
    return DEPENDENTS_KEY.format(spec_repo=spec_repo.lower())


def has_dependents(redis: Redis, spec_repo: str) -> bool:
    """Whether any repository recorded it extends ``spec_repo`` in the last DEPENDENTS_DAYS
    (an entry past its time may still answer yes; the fan-out reads the live ones)."""
    return bool(redis.exists(dependents_key(spec_repo)))


class RedisSpecDependents:
    """SpecDependents on Redis, shared by every worker and read by the intake."""

    def __init__(self, redis: Redis, clock: Callable[[], float] = time.time) -> None:
        self.redis = redis
        self.clock = clock

    def record(self, spec_repo: str, repo: RepoRef) -> None:
        key, now = dependents_key(spec_repo), self.clock()
        member = json.dumps([repo.installation_id, repo.owner, repo.name])
        pipe = self.redis.pipeline()
        pipe.zadd(key, {member: now})
        pipe.zremrangebyscore(key, "-inf", now - DEPENDENTS_TTL)
        pipe.expire(key, DEPENDENTS_TTL)
        pipe.execute()

    def dependents(self, spec_repo: str) -> list[RepoRef]:
        """The live dependents, by installation, owner and name."""
        since = self.clock() - DEPENDENTS_TTL
        found = []
        for raw in self.redis.zrangebyscore(dependents_key(spec_repo), since, "+inf"):
            try:
                installation_id, owner, name = json.loads(as_text(raw))
                found.append(RepoRef(int(installation_id), str(owner), str(name)))
            except (ValueError, TypeError):
                continue  # not written by record(): ignore it
        return sorted(found, key=lambda r: (r.installation_id, r.owner, r.name))


# The pull requests one push's fan-out has submitted, so a run stopped for its budget resumes
# with the ones it did not reach instead of submitting the same ones again.
FANNED_KEY = "rt:push-fanned:{trigger}"
FANNED_TTL = 2 * 86400


def fanned_key(trigger: str) -> str:
    return FANNED_KEY.format(trigger=trigger)


def was_fanned(redis: Redis, trigger: str, member: str) -> bool:
    return bool(redis.sismember(fanned_key(trigger), member))


def note_fanned(redis: Redis, trigger: str, member: str) -> None:
    pipe = redis.pipeline()
    pipe.sadd(fanned_key(trigger), member)
    pipe.expire(fanned_key(trigger), FANNED_TTL)
    pipe.execute()
