"""A webhook delivery's replay record, its grant claims and the work it queues, written in one
Redis transaction."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import assert_never

from redis import Redis
from redis.client import Pipeline
from redis.exceptions import ResponseError, WatchError

from bot.intake.delivery_script import Recorder, run_accept
from bot.state.dependents import has_dependents
from bot.state.grants import Claim, claim_of, write_claim
from bot.state.groups import queue_group
from bot.state.jobkinds import CommitJob, PushJob
from bot.state.keys import PullKey
from bot.state.queueing import Dispatcher
from bot.state.requests import (
    CommitRequest,
    EvaluateRequest,
    LifecycleRequest,
    MergeGroupRequest,
    PushRequest,
    Request,
)

# How long a delivery id, and the digest of its signed body, are remembered: a replay (or a
# redelivery of a delivery already answered 202) within this window queues nothing.
DELIVERY_TTL = 3600
# A run ending touches a watched key (the queued marker); after this many such races the intake
# gives up with an error, so GitHub sees a failed delivery that can be redelivered.
MAX_ATTEMPTS = 5


class ContendedError(RuntimeError):
    """The transaction lost every race against workers touching the same pull requests."""


@dataclass
class DeliveryBatch:
    """What one delivery asks for: pull requests to mark dirty, commits whose PRs to find, the
    grant claims of its ``labeled`` events, and the state it ends once it is recorded."""

    delivery_id: str
    body_sha256: str  # of the signed body: the delivery id header is not signed
    pulls: dict[PullKey, str] = field(default_factory=dict)  # pull request -> recheck actor
    commits: list[CommitJob] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    endings: list[LifecycleRequest] = field(default_factory=list)
    groups: list[MergeGroupRequest] = field(default_factory=list)
    pushes: list[PushJob] = field(default_factory=list)

    def add(self, req: Request) -> None:
        """Turn one request into work: the one place that says where each kind goes (mypy
        checks that every kind of request has a branch)."""
        match req:
            case EvaluateRequest():
                claim = claim_of(req)
                if claim is not None:
                    self.claims.append(claim)
                pull = PullKey(req.installation_id, req.owner, req.repo, req.number)
                self.pulls[pull] = req.actor or ""
            case CommitRequest():
                self.commits.append(
                    CommitJob(
                        installation_id=req.installation_id,
                        owner=req.owner,
                        repo=req.repo,
                        sha=req.sha,
                        trigger=req.delivery_id,
                    )
                )
            case LifecycleRequest():
                self.endings.append(req)  # applied by the caller once the delivery is recorded
            case MergeGroupRequest():
                self.groups.append(req)
            case PushRequest():
                self.pushes.append(push_job(req))
            case _:
                assert_never(req)


def push_job(req: PushRequest) -> PushJob:
    return PushJob(
        installation_id=req.installation_id,
        owner=req.owner,
        repo=req.repo,
        branch=req.branch,
        policy=req.policy_changed,
        spec=req.default_branch,
        trigger=req.delivery_id,
    )


def delivery_key(delivery_id: str) -> str:
    return f"rt:delivery:{delivery_id}"


def body_key(body_sha256: str) -> str:
    return f"rt:delivery-body:{body_sha256}"


def accept(dispatcher: Dispatcher, batch: DeliveryBatch) -> bool:
    """Record the delivery, its grant claims, mark its pull requests dirty and queue their jobs,
    all or nothing; False (and nothing written) when the delivery was recorded before, by its
    id or by its signed body under another id.

    One script call does it all (one round trip), unless the delivery claims a grant: a claim
    is itself a script, which a script cannot call, so those go through a watched transaction.
    """
    if not batch.claims:
        return _accept_in_one_trip(dispatcher, batch)
    for _ in range(MAX_ATTEMPTS):
        with dispatcher.redis.pipeline(transaction=True) as pipe:
            try:
                return _transact(pipe, dispatcher, batch)
            except WatchError:
                continue  # a watched key changed before EXEC: nothing was written, look again
    raise ContendedError(f"delivery {batch.delivery_id}: {MAX_ATTEMPTS} transactions lost a race")


def _accept_in_one_trip(dispatcher: Dispatcher, batch: DeliveryBatch) -> bool:
    records = (delivery_key(batch.delivery_id), body_key(batch.body_sha256))
    pushes = _pushes(dispatcher.redis, batch)  # read first: a push is rare, dependents rarer
    recorder = Recorder(dispatcher.redis)
    try:
        pipe = recorder.pipe
        _record(pipe, dispatcher, batch, records, pushes)
        recorder.close_group()
        for pull in batch.pulls:  # run only by a pull request with no job queued or running
            dispatcher.start(pipe, pull, batch.delivery_id, dispatcher.debounce, settle=False)
            recorder.close_group()
        markers = [pull.key("queued") for pull in batch.pulls]
        return run_accept(dispatcher.redis, records, markers, recorder.argv())
    finally:
        recorder.discard()


def _record(
    pipe: Pipeline,
    dispatcher: Dispatcher,
    batch: DeliveryBatch,
    records: tuple[str, str],
    pushes: list[PushJob],
) -> None:
    """The writes every accepted delivery makes, either way it is accepted: its replay
    records, its pull requests' events, and the jobs of its commits, groups and pushes."""
    for key in records:
        pipe.set(key, batch.delivery_id, ex=DELIVERY_TTL)
    for pull, actor in batch.pulls.items():
        dispatcher.record_event(pipe, pull, batch.delivery_id, actor)
    for job in batch.commits:
        dispatcher.enqueue(job, 0, pipe)
    for group in batch.groups:
        queue_group(pipe, dispatcher, group)
    for push in pushes:
        if push.policy or push.spec:
            dispatcher.enqueue(push, 0, pipe)


def _pushes(redis: Redis | Pipeline, batch: DeliveryBatch) -> list[PushJob]:
    """A push to a default branch reaches dependents only if the repository has any."""
    return [
        job
        if not job.spec or has_dependents(redis, f"{job.owner}/{job.repo}")
        else replace(job, spec=False)
        for job in batch.pushes
    ]


def _transact(pipe: Pipeline, dispatcher: Dispatcher, batch: DeliveryBatch) -> bool:
    records = (delivery_key(batch.delivery_id), body_key(batch.body_sha256))
    pipe.watch(*records, *(pull.key("queued") for pull in batch.pulls))
    if pipe.exists(*records):
        return False
    idle = [pull for pull in batch.pulls if not pipe.exists(pull.key("queued"))]
    pushes = _pushes(pipe, batch)
    pipe.multi()
    for claim in batch.claims:  # visible to the job's run, as they commit together
        write_claim(pipe, claim)
    _record(pipe, dispatcher, batch, records, pushes)
    for pull in idle:  # a pull request with a job queued or running coalesces into it
        dispatcher.start(pipe, pull, batch.delivery_id, dispatcher.debounce, settle=False)
    try:
        pipe.execute()
    except ResponseError:
        # Redis still applies the other commands of a transaction when one fails: take the
        # records back so that the failed (non-202) delivery can be redelivered.
        dispatcher.redis.delete(*records)
        raise
    return True
