"""The push job against the simulator: which open pull requests it submits, through which
installation, coalesced with queued work, and what it leaves for a retry."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue

from bot.evaluation.ports import RepoRef
from bot.ops.audit import AuditLog
from bot.ops.settings import AppSettings
from bot.state.jobkinds import PullJob, PushJob, decode
from bot.state.keys import PullKey
from bot.state.queueing import DUE_KEY, QUEUE_NAME, Dispatcher, read_due_entry
from bot.worker.pushes import EVALUATION_REQUESTS, fan_out_push
from bot.worker.retries import MAX_ATTEMPTS
from bot.worker.runtime import Runtime, install
from tests.ghsim import GitHubSimulator
from tests.ghsim.clients import checked_simulator

SPEC_PUSH = PushJob(
    installation_id=1,
    owner="acme",
    repo="spec",
    branch="main",
    policy=False,
    spec=True,
    trigger="d-push",
)
SHOP = [PullKey(1, "acme", "shop", n) for n in (1, 2)]
WEB = [PullKey(2, "other", "web", n) for n in (5, 6)]


@pytest.fixture
def sim(keys: tuple[str, str]) -> Iterator[GitHubSimulator]:
    with checked_simulator(app_public_key_pem=keys[1]) as sim:
        sim.add_repo("acme", "spec")
        sim.add_repo("acme", "shop")
        sim.add_pull("acme", "shop", 1, author="dev", head_sha="1" * 40)
        sim.add_pull("acme", "shop", 2, author="dev", head_sha="2" * 40, base_ref="release")
        sim.add_installation(2)  # another account, whose repository extends acme/spec too
        sim.add_repo("other", "web")
        sim.add_pull("other", "web", 5, author="dev", head_sha="5" * 40)
        sim.add_pull("other", "web", 6, author="dev", head_sha="6" * 40, base_ref="next")
        yield sim


def make_runtime(sim: GitHubSimulator, keys: tuple[str, str], redis: Redis, **more: int) -> Runtime:
    settings = AppSettings(
        app_id=sim.app.id,
        private_key=keys[0],
        webhook_secret="s" * 12,
        api_url=sim.url,
        **more,  # type: ignore[arg-type]
    )
    return Runtime(settings, redis, Dispatcher(redis), AuditLog(redis))


@pytest.fixture
def runtime(sim: GitHubSimulator, keys: tuple[str, str], redis_client: Redis) -> Iterator[Runtime]:
    rt = make_runtime(sim, keys, redis_client)
    rt.dependents.record("acme/spec", RepoRef(1, "acme", "shop"))
    rt.dependents.record("acme/spec", RepoRef(2, "other", "web"))
    install(rt)
    yield rt
    install(None)


def queued(redis: Redis) -> list[PullKey]:
    jobs = [decode(j.func_name, j.kwargs) for j in Queue(QUEUE_NAME, connection=redis).get_jobs()]
    return sorted((j.pull for j in jobs if isinstance(j, PullJob)), key=PullKey.args)


def due(redis: Redis) -> list[PushJob]:
    entries = [read_due_entry(raw) for raw in redis.zrange(DUE_KEY, 0, -1)]
    return [e[1] for e in entries if e is not None and isinstance(e[1], PushJob)]


def test_a_spec_push_submits_every_open_pull_of_each_dependent(
    sim: GitHubSimulator, runtime: Runtime, redis_client: Redis
) -> None:
    assert fan_out_push(SPEC_PUSH) == "4 pull request(s)"
    assert queued(redis_client) == SHOP + WEB
    assert runtime.dispatcher.redis.hgetall(WEB[0].key("dirty")) == {b"d-push": b""}
    # Each dependent is listed by its own installation (the other's token gets a 404).
    listed = [r for r in sim.requests if r.path.endswith("/pulls")]
    assert [(r.path, r.status, r.query.get("base")) for r in listed] == [
        ("/repos/acme/shop/pulls", 200, None),
        ("/repos/other/web/pulls", 200, None),
    ]


def test_a_policy_push_submits_the_pulls_into_its_branch(
    sim: GitHubSimulator, runtime: Runtime, redis_client: Redis
) -> None:
    push = PushJob(
        installation_id=1,
        owner="acme",
        repo="shop",
        branch="release",
        policy=True,
        spec=False,
        trigger="d-2",
    )
    assert fan_out_push(push) == "1 pull request(s)"
    assert queued(redis_client) == [SHOP[1]]
    assert sim.requests[-1].query["base"] == "release"


def test_a_pull_already_queued_is_not_queued_twice(runtime: Runtime, redis_client: Redis) -> None:
    runtime.dispatcher.submit(WEB[0], "d-1")
    fan_out_push(SPEC_PUSH)
    assert queued(redis_client) == SHOP + WEB  # one job each
    assert set(redis_client.hkeys(WEB[0].key("dirty"))) == {b"d-1", b"d-push"}


def test_an_installation_that_fails_is_tried_again_alone(
    sim: GitHubSimulator, runtime: Runtime, redis_client: Redis
) -> None:
    sim.inject("GET", r"^/repos/other/web/pulls$", status=502)
    fan_out_push(SPEC_PUSH)
    assert queued(redis_client) == SHOP
    [retry] = due(redis_client)
    assert (retry.only_installation, retry.attempt) == (2, 1)
    Queue(QUEUE_NAME, connection=redis_client).empty()
    assert fan_out_push(retry) == "2 pull request(s)"
    assert queued(redis_client) == WEB


def test_a_dependent_the_app_left_is_skipped(
    sim: GitHubSimulator, runtime: Runtime, redis_client: Redis
) -> None:
    runtime.dependents.record("acme/spec", RepoRef(2, "other", "gone"))
    assert fan_out_push(SPEC_PUSH) == "4 pull request(s)"
    assert due(redis_client) == []  # nothing to retry: the entry expires by itself


def test_the_fan_out_keeps_the_queued_evaluations_budget(
    sim: GitHubSimulator, keys: tuple[str, str], redis_client: Redis
) -> None:
    for number in range(10, 20):
        sim.add_pull("other", "web", number, author="dev", head_sha=f"{number:040x}")
    floor = 500
    rt = make_runtime(sim, keys, redis_client, recovery_min_remaining=floor)
    rt.dependents.record("acme/spec", RepoRef(2, "other", "web"))
    install(rt)
    try:
        # Whatever the token and the listing cost, room for three evaluations above the floor.
        sim.set_rate_limit(remaining=floor + 2 * EVALUATION_REQUESTS + EVALUATION_REQUESTS // 2)
        assert fan_out_push(SPEC_PUSH) == "3 pull request(s)"
    finally:
        install(None)
    assert len(queued(redis_client)) == 3
    [retry] = due(redis_client)
    assert (retry.only_installation, retry.attempt) == (2, 0)  # progress: no failure
    waits = [score for _, score in redis_client.zrange(DUE_KEY, 0, -1, withscores=True)]
    assert waits and min(waits) > redis_client.time()[0] + 800  # after the budget wait


def test_a_fan_out_stopped_for_its_budget_resumes_where_it_stopped(
    sim: GitHubSimulator, keys: tuple[str, str], redis_client: Redis
) -> None:
    for number in range(10, 20):
        sim.add_pull("other", "web", number, author="dev", head_sha=f"{number:040x}")
    floor = 500
    rt = make_runtime(sim, keys, redis_client, recovery_min_remaining=floor)
    rt.dependents.record("acme/spec", RepoRef(2, "other", "web"))
    install(rt)
    try:
        sim.set_rate_limit(remaining=floor + 2 * EVALUATION_REQUESTS + EVALUATION_REQUESTS // 2)
        fan_out_push(SPEC_PUSH)
        first = queued(redis_client)
        Queue(QUEUE_NAME, connection=redis_client).empty()  # the evaluations ran
        for pull in first:
            redis_client.delete(pull.key("queued"), pull.key("dirty"))
        [retry] = due(redis_client)
        sim.set_rate_limit(remaining=floor + 2 * EVALUATION_REQUESTS + EVALUATION_REQUESTS // 2)
        fan_out_push(retry)
    finally:
        install(None)
    # The retry goes on with the pull requests the first run did not reach, rather than
    # evaluating the same ones again and stopping at the same place every time.
    again = queued(redis_client)
    assert len(first) == 3 and len(again) == 3
    assert not set(first) & set(again)


def test_a_fan_out_that_crashes_is_tried_again_from_where_it_stopped(
    runtime: Runtime, redis_client: Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    submit = runtime.dispatcher.submit
    calls: list[PullKey] = []

    def flaky(pull: PullKey, delivery_id: str, actor: str | None = None) -> bool:
        calls.append(pull)
        if len(calls) == 2:
            raise RedisError("Connection reset by peer")
        return submit(pull, delivery_id, actor)

    monkeypatch.setattr(runtime.dispatcher, "submit", flaky)
    assert fan_out_push(SPEC_PUSH) == "retry"
    [retry] = due(redis_client)
    assert (retry.attempt, retry.only_installation) == (1, 0)
    fan_out_push(retry)
    assert queued(redis_client) == SHOP + WEB
    first, crashed = calls[:2]
    assert calls.count(first) == 1  # the retry goes on after what the first run submitted
    assert calls.count(crashed) == 2


def test_a_fan_out_that_goes_on_under_its_budget_is_never_given_up(
    sim: GitHubSimulator, keys: tuple[str, str], redis_client: Redis
) -> None:
    for number in range(10, 20):
        sim.add_pull("other", "web", number, author="dev", head_sha=f"{number:040x}")
    floor = 500
    rt = make_runtime(sim, keys, redis_client, recovery_min_remaining=floor)
    rt.dependents.record("acme/spec", RepoRef(2, "other", "web"))
    install(rt)
    try:
        sim.set_rate_limit(remaining=floor + 2 * EVALUATION_REQUESTS + EVALUATION_REQUESTS // 2)
        # Many budget stops already, each after some progress: the rest still gets its turn.
        late = replace(SPEC_PUSH, attempt=MAX_ATTEMPTS - 1, only_installation=2)
        assert fan_out_push(late) == "3 pull request(s)"
    finally:
        install(None)
    [retry] = due(redis_client)
    assert (retry.only_installation, retry.attempt) == (2, MAX_ATTEMPTS - 1)
