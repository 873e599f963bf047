"""A merge group's check through the port, as a queued job, and from its deliveries."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace

import pytest
from redis import Redis
from rq import Queue

from bot.core.actions import CheckState
from bot.core.models import Mode
from bot.core.names import CHECK_NAME, CONFIG_PATH
from bot.evaluation.merge_group import GroupRef, evaluate_group
from bot.evaluation.ports import CheckRunInfo, CommitRange, PullInfo, RepoRef
from bot.ops.audit import AuditLog
from bot.ops.errors import PermanentGitHubError, TransientGitHubError
from bot.ops.settings import AppSettings
from bot.service import make_intake
from bot.state.groups import group_key
from bot.state.jobkinds import GroupJob, decode
from bot.state.keys import PullKey
from bot.state.queueing import QUEUE_NAME, Dispatcher, EvaluationMark, read_due_entry
from bot.state.requests import MergeGroupRequest
from bot.worker import jobs
from bot.worker.retries import MAX_ATTEMPTS
from bot.worker.runtime import install
from tests.fakes import FakePort
from tests.test_jobs import FakeRuntime, due

REPO = RepoRef(1, "acme", "shop")
BASE, HEAD = "b" * 40, "9" * 40
GROUP = GroupRef(HEAD, BASE, "refs/heads/main")
PASSED = CheckState("completed", "success", "L2: requirements met", "")
WAITING = CheckState("in_progress", None, "L2: waiting for 1 approval(s)", "")
JOB = GroupJob(
    installation_id=1, owner="acme", repo="shop", head_sha=HEAD, base_sha=BASE,
    base_ref="refs/heads/main", trigger="d-1",
)  # fmt: skip


def pull(number: int, state: str = "open", base: str = "main") -> PullInfo:
    head = f"{number}" * 40
    return PullInfo(
        number, state, False, "dev", f"Change {number}", "", head, base, BASE, (), (), ()
    )


def queue_port(*checks: CheckState | None) -> FakePort:
    """#1 and #2 queued (a commit each and a merge commit each); #3 closed and #4 stacked on
    another branch also hold a commit of the group. ``checks`` are #1's and #2's own checks."""
    port = FakePort()
    for info in (pull(1), pull(2), pull(3, "closed"), pull(4, base="feature")):
        port.pulls[info.number] = info
    port.ranges[(BASE, HEAD)] = CommitRange(("1" * 40, "m1", "2" * 40, HEAD), 4)
    port.commit_pulls = {"1" * 40: (1, 3), "2" * 40: (2, 4)}
    for number, state in zip((1, 2), checks, strict=True):
        if state is not None:
            port.checks[f"{number}" * 40] = {CHECK_NAME: CheckRunInfo(number, state)}
    return port


def group_check(port: FakePort) -> CheckState:
    return port.checks[HEAD][CHECK_NAME].output


def no_tiers(number: int, head: str) -> str | None:
    return None


def test_the_group_passes_when_each_queued_pull_request_passed() -> None:
    port = queue_port(PASSED, PASSED)
    record = evaluate_group(port, REPO, GROUP, "d-1", lambda n, h: "L2" if n == 1 else None)
    assert record.pull_numbers == [1, 2] and record.commits == 4
    assert (record.check_status, record.check_conclusion) == ("completed", "success")
    assert [a.split("(")[0] for a in record.actions] == ["create_check"]
    summary = group_check(port).summary
    assert "| #1 Change 1 | L2 |" in summary and "| #2 Change 2 | not recorded |" in summary
    assert "#3" not in summary and "#4" not in summary  # closed, and into another branch
    lookups = [args[0] for name, args in port.calls if name == "fetch_commit_pulls"]
    assert lookups == ["1" * 40, "m1", "2" * 40, HEAD]


def test_one_pull_request_waiting_fails_the_group_and_names_it() -> None:
    port = queue_port(PASSED, WAITING)
    record = evaluate_group(port, REPO, GROUP, "d-1", no_tiers)
    assert record.check_conclusion == "failure"
    assert group_check(port).title.startswith("#2 blocks the group: its review-tiers check")


def test_a_pull_request_without_its_check_fails_the_group() -> None:
    port = queue_port(PASSED, None)
    evaluate_group(port, REPO, GROUP, "d-1", no_tiers)
    assert group_check(port).title == (
        "#2 blocks the group: no review-tiers check on its head 2222222"
    )


SHADOWED = CheckState("completed", "neutral", "Shadow: would be L2 (team review)", "")


def test_a_neutral_check_from_shadow_mode_blocks_a_repository_that_enforces() -> None:
    # #2 was evaluated while the repository was in shadow mode; its base policy enforces now.
    port = queue_port(PASSED, SHADOWED)
    port.contents[(BASE, CONFIG_PATH)] = "version: 1\nmode: enforce\n"
    record = evaluate_group(port, REPO, GROUP, "d-1", no_tiers)
    assert record.check_conclusion == "failure"
    assert group_check(port).title.startswith("#2 blocks the group:")


@pytest.mark.parametrize(
    ("policy", "process"),
    [("version: 1\nmode: shadow\n", Mode.ENFORCE), ("version: 1\n", Mode.SHADOW)],
)
def test_a_neutral_check_passes_while_the_repository_is_in_shadow_mode(
    policy: str, process: Mode
) -> None:
    port = queue_port(PASSED, SHADOWED)
    port.contents[(BASE, CONFIG_PATH)] = policy
    record = evaluate_group(port, REPO, GROUP, "d-1", no_tiers, process)
    assert record.check_conclusion == "neutral"


def test_a_range_not_read_in_full_fails_without_looking_pull_requests_up() -> None:
    port = queue_port(PASSED, PASSED)
    port.ranges[(BASE, HEAD)] = CommitRange(("1" * 40,), 301)
    evaluate_group(port, REPO, GROUP, "d-1", no_tiers)
    assert group_check(port).conclusion == "failure"
    assert not [c for c in port.calls if c[0] == "fetch_commit_pulls"]


def test_the_same_group_again_converges_on_the_same_check() -> None:
    port = queue_port(PASSED, WAITING)
    evaluate_group(port, REPO, GROUP, "d-1", no_tiers)
    again = evaluate_group(port, REPO, GROUP, "d-2", no_tiers)
    assert again.actions == [] and len(port.writes()) == 1
    # #2 passed meanwhile: a completed check is not reopened, a new run shows the new result.
    port.checks["2" * 40][CHECK_NAME] = CheckRunInfo(2, PASSED)
    third = evaluate_group(port, REPO, GROUP, "d-3", no_tiers)
    assert [a.split("(")[0] for a in third.actions] == ["create_check"]
    assert group_check(port).conclusion == "success"


def test_a_github_error_reaches_the_job() -> None:
    port = queue_port(PASSED, PASSED)
    port.fail("fetch_commit_pulls", TransientGitHubError("502"))
    with pytest.raises(TransientGitHubError):
        evaluate_group(port, REPO, GROUP, "d-1", no_tiers)
    assert port.writes() == []


# -- the job ---------------------------------------------------------------------------------


@pytest.fixture
def runtime(redis_client: Redis) -> Iterator[FakeRuntime]:
    settings = AppSettings(app_id=1, private_key="", webhook_secret="")
    rt = FakeRuntime(settings, redis_client, Dispatcher(redis_client, 0), AuditLog(redis_client))
    rt.port = queue_port(PASSED, PASSED)
    install(rt)
    yield rt
    install(None)


def test_the_job_checks_the_group_audits_it_and_shows_recorded_tiers(runtime: FakeRuntime) -> None:
    mark = EvaluationMark("1" * 40, "completed", "success", 0.0, "L3")
    runtime.dispatcher.record_evaluation(PullKey(1, "acme", "shop", 1), mark)
    stale = EvaluationMark("0" * 40, "completed", "success", 0.0, "L1")  # another head
    runtime.dispatcher.record_evaluation(PullKey(1, "acme", "shop", 2), stale)
    assert jobs.run_group_job(**JOB.fields()) == "success"
    summary = group_check(runtime.port).summary
    assert "| #1 Change 1 | L3 |" in summary and "| #2 Change 2 | not recorded |" in summary
    (record,) = runtime.audit.export()
    assert record["kind"] == "merge_group" and record["pull_numbers"] == [1, 2]
    assert record["delivery_id"] == "d-1" and record["head_sha"] == HEAD


def test_a_transient_error_retries_the_same_group(runtime: FakeRuntime) -> None:
    runtime.port.fail("fetch_commit_range", TransientGitHubError("502", retry_after=7))
    assert jobs.run_group_job(**JOB.fields()) == "retry"
    ((spec, seconds),) = due(runtime.redis)
    assert 5 <= seconds <= 7
    assert read_due_entry(json.dumps(spec)) == (spec["id"], replace(JOB, attempt=1))
    assert jobs.run_group_job(**replace(JOB, attempt=1).fields()) == "success"


def test_a_crash_retries_too(runtime: FakeRuntime) -> None:
    runtime.port.fail("fetch_commit_pulls", KeyError("surprise"))
    assert jobs.run_group_job(**JOB.fields()) == "retry"
    ((spec, _),) = due(runtime.redis)
    assert read_due_entry(json.dumps(spec)) == (spec["id"], replace(JOB, attempt=1))


def test_the_last_attempt_fails_the_group_closed(runtime: FakeRuntime) -> None:
    runtime.port.fail("fetch_commit_range", TransientGitHubError("502 bad gateway"))
    last = replace(JOB, attempt=MAX_ATTEMPTS - 1)
    assert jobs.run_group_job(**last.fields()) == "gave up"
    assert due(runtime.redis) == []
    check = group_check(runtime.port)
    assert check.conclusion == "failure" and "502 bad gateway" in check.summary


def test_a_permanent_error_is_not_retried(runtime: FakeRuntime) -> None:
    runtime.port.fail("fetch_commit_range", PermanentGitHubError("404"))
    assert jobs.run_group_job(**JOB.fields()) == "failed"
    assert due(runtime.redis) == [] and runtime.port.writes() == []


def test_a_rerun_takes_the_recorded_base(runtime: FakeRuntime) -> None:
    key = group_key(1, "acme", "shop", HEAD)
    runtime.redis.hset(key, mapping={"base_sha": BASE, "base_ref": "refs/heads/main"})
    rerun = replace(JOB, base_sha="", base_ref="")
    assert jobs.run_group_job(**rerun.fields()) == "success"
    assert ("fetch_commit_range", (BASE, HEAD)) in runtime.port.calls


def test_a_rerun_of_an_unknown_group_looks_the_commit_up_as_any(runtime: FakeRuntime) -> None:
    """No group recorded for the head (it ended): the re-run is a commit's, with no pull request
    whose head it is, so nothing is evaluated or written."""
    rerun = replace(JOB, base_sha="", base_ref="")
    assert jobs.run_group_job(**rerun.fields()) == "0 pull request(s)"
    assert [c[0] for c in runtime.port.calls] == ["fetch_pulls_for_commit"]


# -- the delivery ----------------------------------------------------------------------------


def queued(redis: Redis) -> list[object]:
    return [
        decode(job.func_name, job.kwargs) for job in Queue(QUEUE_NAME, connection=redis).get_jobs()
    ]


def test_a_delivery_records_the_group_and_queues_its_job(redis_client: Redis) -> None:
    intake = make_intake(Dispatcher(redis_client, 0))
    requested = MergeGroupRequest(
        "d-1", "merge_group", 1, "acme", "shop", HEAD, BASE, "refs/heads/main"
    )
    assert intake("d-1", "1" * 64, [requested])
    assert queued(redis_client) == [JOB]
    key = group_key(1, "acme", "shop", HEAD)
    assert redis_client.hgetall(key) == {
        b"base_sha": BASE.encode(),
        b"base_ref": b"refs/heads/main",
    }
    assert 0 < redis_client.ttl(key) <= 3 * 86400
    # A redelivery queues nothing more.
    assert not intake("d-1", "1" * 64, [requested])
    assert len(queued(redis_client)) == 1
    # A re-run queues the group again, without a base of its own.
    rerun = MergeGroupRequest("d-2", "check_run", 1, "acme", "shop", HEAD)
    assert intake("d-2", "2" * 64, [rerun])
    assert queued(redis_client)[-1] == replace(JOB, base_sha="", base_ref="", trigger="d-2")
    # The group ends: its record goes, and nothing is queued.
    ended = MergeGroupRequest("d-3", "merge_group", 1, "acme", "shop", HEAD, ended=True)
    assert intake("d-3", "3" * 64, [ended])
    assert not redis_client.exists(key) and len(queued(redis_client)) == 2
