"""Merge groups the App was asked to check: each one's base, kept until the group ends.

A ``merge_group`` delivery names the group's head and base; a re-run of the group's check (a
``check_run`` delivery) names only the head, so the base is recorded here for it. Nothing else
depends on the record: the group's own job carries its base.
"""

from __future__ import annotations

from dataclasses import replace

from redis import Redis
from redis.client import Pipeline

from bot.ops.replies import text_hash
from bot.state.jobkinds import GroupJob
from bot.state.queueing import Dispatcher
from bot.state.requests import MergeGroupRequest

# A merge group lives minutes to hours; ``destroyed`` ends its record sooner.
GROUP_TTL = 3 * 86400


def group_key(installation_id: int, owner: str, repo: str, head_sha: str) -> str:
    return f"rt:group:{installation_id}:{owner}/{repo}@{head_sha}"


def queue_group(pipe: Pipeline, dispatcher: Dispatcher, req: MergeGroupRequest) -> None:
    """Inside the delivery's transaction: forget an ended group, or record a new group's base
    and queue its check."""
    key = group_key(req.installation_id, req.owner, req.repo, req.head_sha)
    if req.ended:
        pipe.delete(key)
        return
    if req.base_sha:
        pipe.hset(key, mapping={"base_sha": req.base_sha, "base_ref": req.base_ref})
        pipe.expire(key, GROUP_TTL)
    job = GroupJob(
        installation_id=req.installation_id,
        owner=req.owner,
        repo=req.repo,
        head_sha=req.head_sha,
        base_sha=req.base_sha,
        base_ref=req.base_ref,
        trigger=req.delivery_id,
    )
    dispatcher.enqueue(job, 0, pipe)


def with_recorded_base(redis: Redis, job: GroupJob) -> GroupJob | None:
    """The job with its group's base: its own, else the recorded one; None when the group is
    not known (it ended, or its record expired)."""
    if job.base_sha:
        return job
    key = group_key(job.installation_id, job.owner, job.repo, job.head_sha)
    raw = text_hash(redis.hgetall(key))
    if not raw.get("base_sha"):
        return None
    return replace(job, base_sha=raw["base_sha"], base_ref=raw.get("base_ref", ""))
