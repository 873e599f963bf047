"""Every kind of request a delivery may make turns into work, in one place."""

from __future__ import annotations

import ast
import inspect
import textwrap
from dataclasses import fields
from typing import Any, get_args, get_type_hints

import pytest

from bot.intake.deliveries import DeliveryBatch
from bot.state.jobkinds import CommitJob
from bot.state.keys import PullKey
from bot.state.requests import (
    CommitRequest,
    EvaluateRequest,
    LabelClaim,
    Lifecycle,
    LifecycleRequest,
    MergeGroupRequest,
    Request,
)

SAMPLES: dict[object, Any] = {
    str: "x",
    bool: True,
    int: 7,
    int | None: 7,
    str | None: "lead",
    LabelClaim | None: LabelClaim("labeled", "tier-override/L1", "lead", "h", "main"),
    Lifecycle: Lifecycle("closed", head_sha="h"),
}
KINDS = get_args(Request)


def sample(kind: type) -> Request:
    hints = get_type_hints(kind)
    values = {}
    for f in fields(kind):
        assert hints[f.name] in SAMPLES, f"add a sample for {hints[f.name]} ({kind.__name__})"
        values[f.name] = SAMPLES[hints[f.name]]
    request: Request = kind(**values)
    return request


def work(batch: DeliveryBatch) -> list[int]:
    counts = (batch.pulls, batch.commits, batch.claims, batch.endings, batch.groups, batch.pushes)
    return [len(items) for items in counts]


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.__name__)
def test_every_kind_of_request_turns_into_work(kind: type) -> None:
    batch = DeliveryBatch("d-1", "0" * 64)
    batch.add(sample(kind))
    assert sum(work(batch)) >= 1


def test_each_kind_goes_to_its_own_work() -> None:
    batch = DeliveryBatch("d-1", "0" * 64)
    ids = ("d-1", "pull_request", 1, "acme", "shop")
    claim = LabelClaim("labeled", "tier-override/L1", "lead", "h", "main")
    ending = LifecycleRequest(*ids, 7, Lifecycle("closed", head_sha="h"))
    batch.add(EvaluateRequest(*ids, 7, "dev", claim))
    batch.add(CommitRequest(*ids, "abc"))
    batch.add(ending)
    group = MergeGroupRequest(*ids, "head", "base", "refs/heads/main")
    batch.add(group)
    assert batch.groups == [group]
    assert batch.pulls == {PullKey(1, "acme", "shop", 7): "dev"}
    assert [c.grant.label for c in batch.claims] == ["tier-override/L1"]
    job = CommitJob(installation_id=1, owner="acme", repo="shop", sha="abc", trigger="d-1")
    assert batch.commits == [job] and batch.endings == [ending]


def test_the_downstream_ends_in_an_exhaustiveness_check() -> None:
    """mypy reports a kind of request without a branch only while the match ends this way."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(DeliveryBatch.add)))
    [match] = [node for node in ast.walk(tree) if isinstance(node, ast.Match)]
    last = match.cases[-1]
    assert isinstance(last.pattern, ast.MatchAs) and last.pattern.pattern is None
    assert ast.unparse(last.body[0]) == "assert_never(req)"
