"""What the workers last decided for each pull request, kept for the review metrics.

One Redis hash per pull request: the last evaluation's tier and check conclusion (read by the
web process when the pull request is merged), the head SHA and when the App first evaluated
it (the push time the rubber-stamp metric measures approvals from), and one field per approval
already judged, so a re-evaluation never counts an approval twice. Only an evaluation that
decided a tier writes it, so its repository is one the App is installed on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from redis import Redis

from bot.evaluation.record import Record

VERDICT_TTL = 30 * 86400


def verdict_key(repository: str, number: int) -> str:
    return f"rt:verdict:{repository}#{number}"


@dataclass(frozen=True)
class Verdict:
    tier: str
    check_conclusion: str


def note_verdict(redis: Redis, record: Record, now: float) -> list[float]:
    """Keep ``record``'s tier and check; return, for each approval of its head not judged
    before and given after the App first saw that head, the seconds between the two."""
    if record.tier is None:
        return []
    key = verdict_key(record.repository, record.pull_number)
    pipe = redis.pipeline(transaction=True)
    if _text(redis.hget(key, "head")) != record.head_sha:
        pipe.delete(key)  # a new head: earlier approvals and push time no longer apply
        pipe.hset(key, "head", record.head_sha)
        pipe.hset(key, "seen_at", repr(now))
    pipe.hset(key, "tier", record.tier)
    pipe.hset(key, "check", record.check_conclusion or "")
    pipe.expire(key, VERDICT_TTL)
    pipe.execute()
    seen_at = float(_text(redis.hget(key, "seen_at")) or now)
    gaps = []
    for approval in record.approvals:
        submitted = _timestamp(str(approval.get("submitted_at") or ""))
        # Approvals from before the App saw this head have an unknown push time: not judged.
        if submitted is None or submitted < seen_at:
            continue
        if redis.hsetnx(key, f"approval:{approval.get('id')}", "1"):
            gaps.append(submitted - seen_at)
    return gaps


def take_verdict(redis: Redis, repository: str, number: int) -> Verdict | None:
    """The last verdict of a pull request that has ended, removed from Redis."""
    key = verdict_key(repository, number)
    pipe = redis.pipeline(transaction=True)
    pipe.hmget(key, ["tier", "check"])
    pipe.delete(key)
    (tier, check), _ = pipe.execute()
    if tier is None:
        return None
    return Verdict(_text(tier), _text(check))


def _text(value: bytes | str | None) -> str:
    if isinstance(value, bytes):
        return value.decode()
    return value or ""


def _timestamp(value: str) -> float | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None
