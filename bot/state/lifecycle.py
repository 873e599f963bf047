"""The end of a pull request's or a repository's life in the App: purge its Redis state.

A closed pull request loses its events, lease, attempts, evaluation mark and grants; an
installation that is deleted, or repositories taken out of it, also lose their cached token
and file caches, and are marked removed so the recovery loop leaves them alone.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from urllib.parse import quote

from redis import Redis

from bot.evaluation.ports import RepoRef
from bot.ops.audit import AuditLog
from bot.ops.review_metrics import ReviewMetrics
from bot.state.grants import grants_key
from bot.state.keys import TOKEN_KEY, TOKEN_USED_KEY, PullKey
from bot.state.queueing import PENDING_KEY, Dispatcher
from bot.state.requests import LifecycleRequest
from bot.state.verdicts import take_verdict

log = logging.getLogger(__name__)

REMOVED_TTL = 30 * 86400
PULL_SUFFIXES = ("dirty", "queued", "lease", "attempt", "mark")


def end_state(
    dispatcher: Dispatcher,
    audit: AuditLog,
    req: LifecycleRequest,
    metrics: ReviewMetrics | None = None,
) -> None:
    """Apply a lifecycle delivery: purge what it ends; a close is kept in the audit log, and a
    merge the App had evaluated is counted in ``metrics``."""
    change = req.lifecycle
    if change.action == "closed" and req.number is not None:
        verdict = take_verdict(dispatcher.redis, f"{req.owner}/{req.repo}", req.number)
        if metrics is not None and verdict is not None and change.merged:
            metrics.observe_merge(f"{req.owner}/{req.repo}", verdict.tier, verdict.check_conclusion)
        dispatcher.forget_pull(PullKey(req.installation_id, req.owner, req.repo, req.number))
        audit.append(
            {
                "delivery_id": req.delivery_id,
                "deliveries": [req.delivery_id],
                "repository": f"{req.owner}/{req.repo}",
                "pull_number": req.number,
                "outcome": "closed",
                "merged": change.merged,
                "merged_at": change.merged_at,
                "head_sha": change.head_sha,
            }
        )
    elif change.action == "installation deleted":
        dispatcher.forget_installation(req.installation_id, None)
    elif change.action == "repositories removed":
        dispatcher.forget_installation(req.installation_id, change.repos)
    elif change.action == "repositories added":
        restore_repositories(dispatcher.redis, req.installation_id, change.repos)
    log.info(
        "%s: state updated",
        change.action,
        extra={"installation_id": req.installation_id, "repositories": len(change.repos)},
    )


def removed_key(installation_id: int, owner: str | None = None, repo: str | None = None) -> str:
    """The marker of a removed installation (no repository given) or repository."""
    if owner is None or repo is None:
        return f"rt:removed:{installation_id}"
    return f"rt:removed:{installation_id}:{owner}/{repo}"


def purge_pull(redis: Redis, pull: PullKey) -> None:
    pipe = redis.pipeline(transaction=True)
    pipe.delete(*(pull.key(suffix) for suffix in PULL_SUFFIXES))
    pipe.delete(grants_key(RepoRef(pull.installation_id, pull.owner, pull.repo), pull.number))
    pipe.srem(PENDING_KEY, pull.member())
    pipe.execute()


def purge_installation(
    redis: Redis, installation_id: int, repos: Sequence[tuple[str, str]] | None
) -> None:
    """Purge every key of ``repos`` (the whole installation when None) and mark them removed."""
    for pattern in _patterns(installation_id, repos):
        _delete_matching(redis, pattern)
    for member in redis.smembers(PENDING_KEY):
        pull = PullKey.from_member(member)
        if pull.installation_id == installation_id and (
            repos is None or (pull.owner, pull.repo) in set(repos)
        ):
            redis.srem(PENDING_KEY, member)
    pipe = redis.pipeline()
    pipe.delete(TOKEN_KEY.format(installation_id=installation_id))
    pipe.delete(TOKEN_USED_KEY.format(installation_id=installation_id))
    for owner, repo in repos if repos is not None else [(None, None)]:
        pipe.set(removed_key(installation_id, owner, repo), "1", ex=REMOVED_TTL)
    pipe.execute()


def restore_repositories(
    redis: Redis, installation_id: int, repos: Sequence[tuple[str, str]]
) -> None:
    """Repositories added (back) to an installation are no longer removed."""
    if repos:
        redis.delete(*(removed_key(installation_id, owner, repo) for owner, repo in repos))


def is_removed(redis: Redis, installation_id: int, owner: str, repo: str) -> bool:
    keys = (removed_key(installation_id), removed_key(installation_id, owner, repo))
    return bool(redis.exists(*keys))


def _patterns(installation_id: int, repos: Sequence[tuple[str, str]] | None) -> Iterator[str]:
    if repos is None:
        prefixes = (
            "rt:pr",
            "rt:grants",
            "rt:etag",
            "rt:listing",
            "rt:cached",
            "rt:group",
            "rt:role",
        )
        for prefix in prefixes:
            yield f"{prefix}:{installation_id}:*"
        return
    for owner, repo in repos:
        name = _glob_escape(f"{owner}/{repo}")
        yield f"rt:pr:{installation_id}:{name}#*"
        yield f"rt:grants:{installation_id}:{name}#*"
        yield f"rt:group:{installation_id}:{name}@*"
        url = _glob_escape(f"/repos/{quote(owner, safe='')}/{quote(repo, safe='')}")
        yield f"rt:etag:{installation_id}:{url}:*"
        # Entries of earlier releases, then today's, whose kind comes before the URL.
        yield f"rt:listing:{installation_id}:{url}/*"
        yield f"rt:cached:{installation_id}:*:{url}/*"
        yield f"rt:role:{installation_id}:{url}:*"


def _glob_escape(text: str) -> str:
    return "".join(f"\\{c}" if c in "*?[]\\" else c for c in text)


def _delete_matching(redis: Redis, pattern: str) -> None:
    batch: list[bytes] = []
    for key in redis.scan_iter(match=pattern, count=500):
        batch.append(key)
        if len(batch) >= 500:
            redis.delete(*batch)
            batch.clear()
    if batch:
        redis.delete(*batch)
