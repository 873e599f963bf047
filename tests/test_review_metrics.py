"""Review-quality metrics: tier decisions, AI provenance, merges without approval, rubber stamps,
and a repository label that stays bounded."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from redis import Redis

from bot.evaluation.ports import ReviewInfo
from bot.evaluation.record import Record
from bot.intake.web import create_app
from bot.ops.metrics import Metrics
from bot.ops.review_metrics import OTHER_REPOSITORY, RepositoryLabels
from bot.service import make_intake, make_ready
from bot.state.queueing import Dispatcher
from bot.state.verdicts import note_verdict, take_verdict, verdict_key
from bot.worker import jobs
from tests.test_jobs import JOB, PULL, FakeRuntime, runtime  # noqa: F401 (fixture)
from tests.test_lifecycle import closed_body
from tests.test_web import SETTINGS, post


def value(metrics: Metrics, name: str, **labels: str) -> float:
    return metrics.registry.get_sample_value(name, labels) or 0.0


def iso(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).isoformat().replace("+00:00", "Z")


def evaluated(tier: str | None, head: str = "h1", **facts: object) -> Record:
    record = Record("d-1", "acme/shop", 7, tier=tier, head_sha=head, facts=dict(facts))
    record.check_conclusion = "success"
    return record


def test_decisions_ai_and_missing_context_are_counted_per_repository_and_tier() -> None:
    metrics = Metrics()
    metrics.review.observe_decision("acme/shop", "L3", True, True)
    metrics.review.observe_decision("acme/shop", "L1", False, False)
    metrics.review.observe_decision("acme/shop", None, True, True)  # no tier: nothing decided
    labels = {"repository": "acme/shop", "tier": "L3"}
    assert value(metrics, "review_tiers_tier_decisions_total", **labels) == 1
    assert value(metrics, "review_tiers_tier_decisions_total", repository="acme/shop", tier="L1")
    assert value(metrics, "review_tiers_ai_assisted_evaluations_total", **labels) == 1
    assert value(metrics, "review_tiers_generation_context_missing_total", **labels) == 1
    assert not value(metrics, "review_tiers_ai_assisted_evaluations_total", tier="L1")


def test_an_l3_merge_counts_as_unapproved_only_when_its_check_was_not_success() -> None:
    metrics = Metrics()
    metrics.review.observe_merge("acme/shop", "L3", "failure")
    metrics.review.observe_merge("acme/shop", "L3", "success")
    metrics.review.observe_merge("acme/shop", "L2", "failure")
    assert value(metrics, "review_tiers_l3_merged_without_approval_total", repository="acme/shop")
    assert (
        value(metrics, "review_tiers_l3_merged_without_approval_total", repository="acme/shop") == 1
    )
    assert value(metrics, "review_tiers_merged_pulls_total", repository="acme/shop", tier="L3") == 2


@pytest.mark.parametrize(
    ("tier", "seconds", "judged", "stamped"),
    [("L2", 60, 1, 1), ("L3", 299, 1, 1), ("L3", 300, 1, 0), ("L1", 10, 0, 0)],
)
def test_rubber_stamps_are_approvals_of_l2_l3_within_the_threshold(
    tier: str, seconds: float, judged: int, stamped: int
) -> None:
    metrics = Metrics(rubber_stamp_minutes=5)
    metrics.review.observe_approval("acme/shop", tier, seconds)
    labels = {"repository": "acme/shop", "tier": tier}
    assert value(metrics, "review_tiers_approvals_total", **labels) == judged
    assert value(metrics, "review_tiers_rubber_stamp_approvals_total", **labels) == stamped


def test_the_repository_label_is_bounded() -> None:
    labels = RepositoryLabels(limit=2)
    assert [labels(r) for r in ("a/x", "a/y", "a/z", "a/x")] == [
        "a/x",
        "a/y",
        OTHER_REPOSITORY,
        "a/x",
    ]
    metrics = Metrics()
    metrics.review.repository = RepositoryLabels(limit=1)
    for number in range(50):
        metrics.review.observe_decision(f"acme/repo-{number}", "L2", False, False)
    series = [
        s.labels["repository"]
        for family in metrics.registry.collect()
        if family.name == "review_tiers_tier_decisions"
        for s in family.samples
        if s.name.endswith("_total")
    ]
    assert sorted(series) == ["acme/repo-0", OTHER_REPOSITORY]


def test_each_approval_of_a_head_is_judged_once_from_when_the_head_was_seen(
    redis_client: Redis,
) -> None:
    seen = 1_000_000.0
    assert note_verdict(redis_client, evaluated("L2"), seen) == []
    record = evaluated("L2")
    record.approvals = [
        {"id": 1, "submitted_at": iso(seen + 120)},
        {"id": 2, "submitted_at": iso(seen - 600)},  # before the App saw the head: not judged
        {"id": 3, "submitted_at": "not a time"},
    ]
    assert note_verdict(redis_client, record, seen + 200) == [120.0]
    assert note_verdict(redis_client, record, seen + 300) == []  # already judged
    pushed = evaluated("L2", head="h2")
    pushed.approvals = [{"id": 4, "submitted_at": iso(seen + 400)}]
    assert note_verdict(redis_client, pushed, seen + 390) == [10.0]
    assert redis_client.ttl(verdict_key("acme/shop", 7)) > 0


def test_a_verdict_is_taken_once(redis_client: Redis) -> None:
    record = evaluated("L3")
    record.check_conclusion = "failure"
    note_verdict(redis_client, record, time.time())
    verdict = take_verdict(redis_client, "acme/shop", 7)
    assert verdict is not None and (verdict.tier, verdict.check_conclusion) == ("L3", "failure")
    assert take_verdict(redis_client, "acme/shop", 7) is None


def test_the_worker_counts_decisions_and_rubber_stamps(runtime: FakeRuntime) -> None:  # noqa: F811
    runtime.dispatcher.submit(PULL, "d-1")
    assert jobs.run_pull_job(**JOB) == "done"
    review = {"repository": "acme/shop", "tier": "L2"}
    assert value(runtime.metrics, "review_tiers_tier_decisions_total", **review) == 1
    soon = iso(time.time() + 30)
    runtime.port.reviews[7] = [ReviewInfo("lead", "APPROVED", "h1", 11, soon)]
    for delivery in ("d-2", "d-3"):
        runtime.dispatcher.submit(PULL, delivery)
        assert jobs.run_pull_job(**JOB) == "done"
    assert value(runtime.metrics, "review_tiers_rubber_stamp_approvals_total", **review) == 1
    assert value(runtime.metrics, "review_tiers_approvals_total", **review) == 1
    record = list(runtime.audit.export())[-1]
    assert record["approvals"] == [{"id": 11, "submitted_at": soon}]
    assert record["facts"]["generation_context_missing"] is False


def test_the_worker_counts_ai_assisted_and_missing_context(runtime: FakeRuntime) -> None:  # noqa: F811
    facts = {"ai_assisted": True, "generation_context_missing": True}
    runtime.record(evaluated("L3", **facts), 0.1)
    labels = {"repository": "acme/shop", "tier": "L3"}
    assert value(runtime.metrics, "review_tiers_ai_assisted_evaluations_total", **labels) == 1
    assert value(runtime.metrics, "review_tiers_generation_context_missing_total", **labels) == 1


@pytest.mark.parametrize(("merged", "counted"), [(True, 1), (False, 0)])
def test_the_web_counts_an_l3_merged_without_success(
    redis_client: Redis, merged: bool, counted: int
) -> None:
    metrics = Metrics()
    intake = make_intake(Dispatcher(redis_client), metrics=metrics)
    client = create_app(SETTINGS, intake, make_ready(redis_client)).test_client()
    record = Record("d-0", "Codertocat/Hello-World", 2, tier="L3", head_sha="h")
    record.check_conclusion = "failure"
    note_verdict(redis_client, record, time.time())
    assert post(client, "pull_request", closed_body(merged=merged)).status_code == 202
    labels = {"repository": "Codertocat/Hello-World"}
    assert value(metrics, "review_tiers_l3_merged_without_approval_total", **labels) == counted
    assert not redis_client.exists(verdict_key("Codertocat/Hello-World", 2))


def test_a_merge_the_app_never_evaluated_adds_no_series(redis_client: Redis) -> None:
    metrics = Metrics()
    intake = make_intake(Dispatcher(redis_client), metrics=metrics)
    client = create_app(SETTINGS, intake, make_ready(redis_client)).test_client()
    assert post(client, "pull_request", closed_body(merged=True)).status_code == 202
    names = {s.name for f in metrics.registry.collect() for s in f.samples}
    assert "review_tiers_merged_pulls_total" not in names
