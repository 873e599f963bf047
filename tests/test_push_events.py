"""Push deliveries: which pushes may change a pull request's policy, and the one job the intake
queues for them (none for a push that changes nothing a pull request is judged by)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from redis import Redis
from rq import Queue

from bot.evaluation.ports import RepoRef
from bot.intake.webhook import Skip, route
from bot.service import make_intake
from bot.state.dependents import RedisSpecDependents
from bot.state.jobkinds import PushJob, decode
from bot.state.queueing import QUEUE_NAME, Dispatcher
from bot.state.requests import PushRequest
from tests.ghsim import GitHubSimulator
from tests.ghsim.push import Pushed, push_payload

DELIVERY = "d-push"


@pytest.fixture(scope="module")
def sim() -> Iterator[GitHubSimulator]:
    sim = GitHubSimulator()  # only its store: nothing is served
    sim.add_installation(7)
    sim.add_repo("acme", "shop")
    yield sim


def routed(sim: GitHubSimulator, branch: str, pushed: Pushed | None = None) -> object:
    payload = push_payload(sim.store, "acme", "shop", branch, pushed or Pushed())
    return route("push", DELIVERY, payload, app_id=1, app_slug="review-tiers")


def request(branch: str, default: bool, policy: bool) -> list[PushRequest]:
    return [PushRequest(DELIVERY, "push", 7, "acme", "shop", branch, default, policy)]


@pytest.mark.parametrize(
    "pushed",
    [
        Pushed(modified=[".github/review-tiers.yml"]),
        Pushed(added=["CODEOWNERS"]),
        Pushed(removed=[".github/CODEOWNERS"]),
        Pushed(modified=["docs/CODEOWNERS", "README.md"]),
        Pushed(forced=True),  # the commits it replaced are not listed
        Pushed(commits=20),  # the list may be cut short
    ],
)
def test_a_push_that_may_change_the_policy_of_a_branch(
    sim: GitHubSimulator, pushed: Pushed
) -> None:
    assert routed(sim, "release", pushed) == request("release", False, True)
    assert routed(sim, "main", pushed) == request("main", True, True)


def test_a_push_to_the_default_branch_may_change_a_spec(sim: GitHubSimulator) -> None:
    assert routed(sim, "main", Pushed(modified=["review-tiers.yml"])) == request(
        "main", True, False
    )


def test_pushes_that_concern_no_policy_are_skipped(sim: GitHubSimulator) -> None:
    reason = "push: no policy or CODEOWNERS file changed"
    assert routed(sim, "feature", Pushed(modified=["README.md", "src/CODEOWNERS"])) == Skip(reason)
    assert routed(sim, "feature", Pushed(commits=19)) == Skip(reason)
    payload = push_payload(sim.store, "acme", "shop", "feature", Pushed(commits=3))
    payload["size"] = 30  # the events API's shape: more commits than listed
    assert route("push", DELIVERY, payload, app_id=1, app_slug="x") == request("feature", 0, 1)
    deleted = push_payload(sim.store, "acme", "shop", "main") | {"deleted": True}
    assert route("push", DELIVERY, deleted, app_id=1, app_slug="x") == Skip(
        "push: the branch was deleted"
    )
    tag = push_payload(sim.store, "acme", "shop", "main") | {"ref": "refs/tags/v1"}
    assert route("push", DELIVERY, tag, app_id=1, app_slug="x") == Skip("push: a tag, not a branch")


@pytest.fixture
def queue(redis_client: Redis) -> Queue:
    return Queue(QUEUE_NAME, connection=redis_client)


def queued(queue: Queue) -> list[object]:
    return [decode(job.func_name, job.kwargs) for job in queue.get_jobs()]


def job(branch: str, policy: bool, spec: bool) -> PushJob:
    return PushJob(
        installation_id=7,
        owner="acme",
        repo="shop",
        branch=branch,
        policy=policy,
        spec=spec,
        trigger=DELIVERY,
    )


def test_the_intake_queues_one_job_only_for_a_push_with_work(
    sim: GitHubSimulator, redis_client: Redis, queue: Queue
) -> None:
    intake = make_intake(Dispatcher(redis_client))
    readme = routed(sim, "main", Pushed(modified=["README.md"]))
    assert isinstance(readme, list) and intake(DELIVERY, "0" * 64, readme)
    assert queued(queue) == []  # no repository extends acme/shop: nothing to re-evaluate
    RedisSpecDependents(redis_client).record("acme/shop", RepoRef(8, "other", "web"))
    assert intake("d-2", "1" * 64, readme)
    assert queued(queue) == [job("main", False, True)]
    queue.empty()
    policy = routed(sim, "release", Pushed(modified=[".github/review-tiers.yml"]))
    assert isinstance(policy, list) and intake("d-3", "2" * 64, policy)
    assert queued(queue) == [job("release", True, False)]
