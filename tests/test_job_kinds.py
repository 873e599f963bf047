"""The job registry: every kind has an entry the worker can import, and a queued job's entry
path and keyword arguments give back the same job."""

from __future__ import annotations

import dataclasses
import importlib
import inspect
from typing import Any

import pytest
from redis import Redis
from rq.job import Job as RqJob

from bot.state.jobkinds import KINDS, CommitJob, PullJob, decode
from bot.state.keys import PullKey
from bot.state.queueing import due_entry, read_due_entry
from bot.worker.workers import job_fields

SAMPLES: dict[type, Any] = {int: 3, str: "text", bool: True}


def sample(kind: type) -> Any:
    values = {}
    for f in dataclasses.fields(kind):
        assert f.type in {"int", "str", "bool"}, f"{kind.__name__}.{f.name}: JSON scalars only"
        values[f.name] = SAMPLES[{"int": int, "str": str, "bool": bool}[str(f.type)]]
    return kind(**values)


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.__name__)
def test_every_kind_has_an_entry_taking_its_fields(kind: type) -> None:
    module, _, name = kind.func().rpartition(".")
    entry = getattr(importlib.import_module(module), name)
    parameters = list(inspect.signature(entry).parameters.values())
    assert [p.kind for p in parameters] == [inspect.Parameter.VAR_KEYWORD]
    assert kind.func() == f"{entry.__module__}.{entry.__name__}"


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.__name__)
def test_a_job_survives_the_queue_and_the_due_set(kind: type) -> None:
    job = sample(kind)
    assert decode(kind.func(), job.fields()) == job
    assert read_due_entry(due_entry(job, "id-1")) == ("id-1", job)


def test_entry_paths_are_unique() -> None:
    assert len({kind.func() for kind in KINDS}) == len(KINDS)


def test_jobs_of_another_shape_are_no_kind_of_ours() -> None:
    fields = PullJob.of(PullKey(1, "acme", "shop", 7), "d-1").fields()
    assert decode("bot.jobs.run_pull_job", fields) is None  # the first release's path
    assert decode(PullJob.func(), {}) is None  # positional arguments: no keywords at all
    assert decode(PullJob.func(), {**fields, "extra": 1}) is None
    assert read_due_entry(b'{"id": "x", "func": "bot.jobs.run_pull_job", "args": [1]}') is None
    assert read_due_entry(b"not json") is None


def test_log_fields_come_from_the_job_fields(redis_client: Redis) -> None:
    def queued(func: str, **options: Any) -> RqJob:
        return RqJob.create(func, connection=redis_client, **options)

    pull = PullJob.of(PullKey(1, "acme", "shop", 7), "d-1", settle=True)
    commit = CommitJob(installation_id=2, owner="acme", repo="web", sha="abc", trigger="d-2")
    assert job_fields(queued(PullJob.func(), kwargs=pull.fields())) == {
        "installation_id": 1,
        "repository": "acme/shop",
        "pull_number": 7,
        "delivery_id": "d-1",
    }
    assert job_fields(queued(CommitJob.func(), kwargs=commit.fields())) == {
        "installation_id": 2,
        "repository": "acme/web",
        "delivery_id": "d-2",
    }
    # A job the first release queued: its old path and positional arguments name no kind.
    assert job_fields(queued("bot.jobs.run_pull_job", args=(1, "acme", "shop", 7, "d-1"))) == {}
