"""Routing real webhook payloads, signature checks, and malformed deliveries."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.intake.webhook import PayloadError, Skip, route, verify_signature
from bot.state.requests import (
    CommitRequest,
    EvaluateRequest,
    LabelClaim,
    Lifecycle,
    LifecycleRequest,
    MergeGroupRequest,
    PushRequest,
    Request,
)

WEBHOOKS = Path(__file__).parent / "fixtures/webhooks"
APP_ID = 4242
SLUG = "review-tiers"
DELIVERY = "72d3162e-cc78-11e3-81ab-4c9367dc0958"
STATUS_SHA = "6113728f27ae82c7b1a177c8d03f9e96e0adf246"
RERUN_SHA = "d6fde92930d4715a2b49857d24b940956b26d2d3"
CHECK_SHA = "ec26c3e57ca3a959ca5aad62de7213c562f8c821"
GROUP_HEAD = "2ffea6db159f6b6c47a24e778fb9ef40cf6b1c7d"
GROUP_BASE = "380387fbc80638b734a49e1be1c4dfec1c01b33c"
QUEUE_BRANCH = "gh-readonly-queue/main/pr-104-929f8209d40f77f4abc622a499c93a83babdbe64"

Payload = dict[str, Any]
Mutation = Callable[[Payload], None]


def load(fixture: str) -> Payload:
    payload: Payload = json.loads((WEBHOOKS / f"{fixture}.json").read_text(encoding="utf-8"))
    return payload


def event_of(fixture: str) -> str:
    return fixture.partition(".")[0]


def with_installation(payload: Payload) -> None:
    # Two examples come from an OAuth-App-style hook and carry no installation object.
    payload["installation"] = {"id": 1}


def recheck_comment(body: str) -> Mutation:
    def mutate(payload: Payload) -> None:
        payload["issue"]["pull_request"] = {"url": "https://api.github.com/repos/x/y/pulls/1"}
        payload["comment"]["body"] = body

    return mutate


def setting(path: str, value: Any) -> Mutation:
    def mutate(payload: Payload) -> None:
        *parents, last = path.split(".")
        node = payload
        for key in parents:
            node = node[key]
        node[last] = value

    return mutate


def deleting(path: str) -> Mutation:
    def mutate(payload: Payload) -> None:
        *parents, last = path.split(".")
        node = payload
        for key in parents:
            node = node[key]
        del node[last]

    return mutate


def chain(*mutations: Mutation) -> Mutation:
    def mutate(payload: Payload) -> None:
        for step in mutations:
            step(payload)

    return mutate


@dataclass(frozen=True)
class Case:
    """A fixture, optional edits of a copy of it, and what routing must return."""

    fixture: str
    expect: list[tuple[int | None, str | None, str | None]] | str
    mutations: tuple[Mutation, ...] = ()
    app_id: int = APP_ID
    event: str | None = None
    owner: str = "Codertocat"
    repo: str = "Hello-World"
    label: LabelClaim | None = None  # what a labeled/unlabeled delivery claims
    lifecycle: Lifecycle | None = None  # what a delivery ending state says
    # What a merge group request says: head, base, base ref, ended (expect: [(None, None, None)]).
    group: tuple[str, str, str, bool] | None = None


PR = [(2, None, None)]
LABELED = LabelClaim("labeled", "bug", "Codertocat", CHECK_SHA, "master")

# One unedited case per fixture (checked below), then edited variants of real payloads.
CASES: dict[str, Case] = {
    "check_run.completed": Case("check_run.completed", PR, (with_installation,)),
    "check_run.rerequested": Case(
        "check_run.rerequested", "another app's check", owner="github", repo="hello-world"
    ),
    "check_suite.completed": Case("check_suite.completed", PR, (with_installation,)),
    "installation.created": Case("installation.created", "installation event logged"),
    "installation.deleted": Case(
        "installation.deleted",
        [(None, None, None)],
        owner="octocat",
        repo="",
        lifecycle=Lifecycle("installation deleted"),
    ),
    "installation_repositories.added": Case(
        "installation_repositories.added",
        [(None, None, None)],
        owner="Codertocat",
        repo="",
        lifecycle=Lifecycle("repositories added", repos=(("Codertocat", "Space"),)),
    ),
    "installation_repositories.removed": Case(
        "installation_repositories.removed",
        [(None, None, None)],
        owner="octocat",
        repo="",
        lifecycle=Lifecycle("repositories removed", repos=(("octocat", "Hello-World"),)),
    ),
    "issue_comment.created": Case("issue_comment.created", "not a pull request"),
    "merge_group.checks_requested": Case(
        "merge_group.checks_requested",
        [(None, None, None)],
        owner="octo-org",
        repo="octo-repo",
        group=(GROUP_HEAD, GROUP_BASE, "refs/heads/main", False),
    ),
    "merge_group.destroyed": Case(
        "merge_group.destroyed",
        [(None, None, None)],
        owner="octo-org",
        repo="octo-repo",
        group=(GROUP_HEAD, "", "", True),
    ),
    "ping": Case("ping", "ping"),
    "pull_request.closed": Case(
        "pull_request.closed", PR, lifecycle=Lifecycle("closed", head_sha=CHECK_SHA)
    ),
    "pull_request.edited": Case("pull_request.edited", PR),
    "pull_request.labeled": Case("pull_request.labeled", PR, label=LABELED),
    "pull_request.opened": Case("pull_request.opened", PR),
    "pull_request.ready_for_review": Case("pull_request.ready_for_review", PR),
    "pull_request.reopened": Case("pull_request.reopened", PR),
    "pull_request.synchronize": Case("pull_request.synchronize", PR),
    "pull_request.unlabeled": Case(
        "pull_request.unlabeled",
        PR,
        label=LabelClaim("unlabeled", "bug", "Codertocat", CHECK_SHA, "master"),
    ),
    "pull_request_review.dismissed": Case("pull_request_review.dismissed", PR),
    "pull_request_review.submitted": Case("pull_request_review.submitted", PR),
    "push": Case("push", "a tag, not a branch"),
    "push.branch": Case(
        "push.branch",
        "no policy or CODEOWNERS file changed",
        (setting("ref", "refs/heads/feature"),),
    ),
    "status": Case("status", [(None, STATUS_SHA, None)]),
    # Variants.
    "rerequested ours, no PRs listed (fork): lookup by sha": Case(
        "check_run.rerequested",
        [(None, RERUN_SHA, None)],
        app_id=2,
        owner="github",
        repo="hello-world",
    ),
    "rerequested ours with PRs": Case(
        "check_run.rerequested",
        [(5, None, None), (6, None, None)],
        (setting("check_run.pull_requests", [{"number": 5}, {"number": 6}, {"number": 5}]),),
        app_id=2,
        owner="github",
        repo="hello-world",
    ),
    "check_run completed of our own check": Case(
        "check_run.completed", "our own check", (with_installation,), app_id=29310
    ),
    "check_suite completed of our own suite": Case(
        "check_suite.completed", "our own check", (with_installation,), app_id=29310
    ),
    "check_suite rerequested ours": Case(
        "check_suite.completed",
        PR,
        (with_installation, setting("action", "rerequested")),
        app_id=29310,
    ),
    "check_run created": Case(
        "check_run.completed", "action created", (setting("action", "created"),)
    ),
    "check_suite PR of another repository is dropped": Case(
        "check_suite.completed",
        [(None, CHECK_SHA, None)],
        (with_installation, setting("repository.id", 1)),
    ),
    "check_run completed without installation": Case("check_run.completed", "no installation id"),
    "pull_request merged": Case(
        "pull_request.closed",
        PR,
        (
            setting("pull_request.merged", True),
            setting("pull_request.merged_at", "2026-01-02T03:04:05Z"),
        ),
        lifecycle=Lifecycle("closed", True, "2026-01-02T03:04:05Z", CHECK_SHA),
    ),
    "a closed pull request's other events stay skipped": Case(
        "pull_request.closed", "#2 is closed", (setting("action", "labeled"),)
    ),
    "pull_request assigned": Case(
        "pull_request.opened", "action assigned", (setting("action", "assigned"),)
    ),
    "edit of a closed pull request": Case(
        "pull_request.edited", "#2 is closed", (setting("pull_request.state", "closed"),)
    ),
    "review edited": Case("pull_request_review.submitted", PR, (setting("action", "edited"),)),
    "event caused by the app itself": Case(
        "pull_request.labeled", "app itself", (setting("sender.login", "review-tiers[bot]"),)
    ),
    "another bot's event is handled": Case(
        "pull_request.labeled",
        PR,
        (setting("sender.login", "renovate[bot]"),),
        label=LabelClaim("labeled", "bug", "renovate[bot]", CHECK_SHA, "master"),
    ),
    "override label: the claim carries label, sender, head and base branch": Case(
        "pull_request.labeled",
        PR,
        (
            setting("label.name", "tier-override/L1"),
            setting("sender.login", "lead"),
            setting("pull_request.head.sha", "a" * 40),
            setting("pull_request.base.ref", "release"),
        ),
        label=LabelClaim("labeled", "tier-override/L1", "lead", "a" * 40, "release"),
    ),
    "recheck command": Case(
        "issue_comment.created",
        [(1, None, "Codertocat")],
        (recheck_comment("/review-tiers recheck"),),
    ),
    "recheck command, loose spelling, more lines": Case(
        "issue_comment.created",
        [(1, None, "Codertocat")],
        (recheck_comment("\r\n  /Review-Tiers   RECHECK \r\nplease, the CI was flaky"),),
    ),
    "recheck command edited": Case(
        "issue_comment.created",
        [(1, None, "Codertocat")],
        (recheck_comment("/review-tiers recheck"), setting("action", "edited")),
    ),
    "recheck command deleted": Case(
        "issue_comment.created",
        "action deleted",
        (recheck_comment("/review-tiers recheck"), setting("action", "deleted")),
    ),
    "command not on the first line": Case(
        "issue_comment.created", "not a recheck", (recheck_comment("hi\n/review-tiers recheck"),)
    ),
    "empty comment body": Case("issue_comment.created", "not a recheck", (recheck_comment(""),)),
    "recheck on a closed pull request": Case(
        "issue_comment.created",
        "#1 is closed",
        (recheck_comment("/review-tiers recheck"), setting("issue.state", "closed")),
    ),
    "merge group of another action": Case(
        "merge_group.checks_requested", "action created", (setting("action", "created"),)
    ),
    "merge group dequeued or invalidated ends the same way": Case(
        "merge_group.destroyed",
        [(None, None, None)],
        (setting("reason", "invalidated"),),
        owner="octo-org",
        repo="octo-repo",
        group=(GROUP_HEAD, "", "", True),
    ),
    "rerequested ours on a merge group's head: the group's check again": Case(
        "check_run.rerequested",
        [(None, None, None)],
        (
            setting("check_run.pull_requests", []),
            setting("check_run.check_suite.head_branch", QUEUE_BRANCH),
        ),
        app_id=2,
        owner="github",
        repo="hello-world",
        group=(RERUN_SHA, "", "", False),
    ),
    "check_suite rerequested ours on a merge group's head": Case(
        "check_suite.completed",
        [(None, None, None)],
        (
            with_installation,
            setting("action", "rerequested"),
            setting("check_suite.pull_requests", []),
            setting("check_suite.head_branch", QUEUE_BRANCH),
        ),
        app_id=29310,
        group=(CHECK_SHA, "", "", False),
    ),
    "another app's completion on a merge group's head: a commit lookup as before": Case(
        "check_run.completed",
        [(None, CHECK_SHA, None)],
        (
            with_installation,
            setting("check_run.pull_requests", []),
            setting("check_run.check_suite.head_branch", QUEUE_BRANCH),
        ),
    ),
    "installation_repositories": Case(
        "installation.created", "installation event logged", event="installation_repositories"
    ),
}


def test_every_fixture_has_a_case() -> None:
    fixtures = {path.stem for path in WEBHOOKS.glob("*.json")}
    assert fixtures == {case.fixture for case in CASES.values()}
    assert fixtures <= set(CASES)


def prepared(case: Case) -> Payload:
    payload = copy.deepcopy(load(case.fixture))
    for mutate in case.mutations:
        mutate(payload)
    return payload


@pytest.mark.parametrize("name", list(CASES))
def test_route(name: str) -> None:
    case = CASES[name]
    event = case.event or event_of(case.fixture)
    payload = prepared(case)
    if case.expect == "no installation id":
        with pytest.raises(PayloadError, match="no installation id: is this delivery for a GitHub"):
            route(event, DELIVERY, payload, app_id=case.app_id, app_slug=SLUG)
        return
    routed = route(event, DELIVERY, payload, app_id=case.app_id, app_slug=SLUG)
    if isinstance(case.expect, str):
        assert isinstance(routed, Skip)
        assert case.expect in routed.reason
        return
    assert routed == expected(case, event, payload["installation"]["id"])


def expected(case: Case, event: str, install: int) -> list[Request]:
    """The requests a case expects: state to end when it says so, else a pull request to
    evaluate, or a commit when it names no pull request."""
    assert not isinstance(case.expect, str)
    ids = (DELIVERY, event, install, case.owner, case.repo)
    requests: list[Request] = []
    for number, sha, actor in case.expect:
        if case.group is not None:
            assert number is None and sha is None and actor is None
            requests.append(MergeGroupRequest(*ids, *case.group))
        elif case.lifecycle is not None:
            assert sha is None and actor is None and case.label is None
            requests.append(LifecycleRequest(*ids, number, case.lifecycle))
        elif number is None:
            assert sha is not None and actor is None and case.label is None
            requests.append(CommitRequest(*ids, sha))
        else:
            assert sha is None
            requests.append(EvaluateRequest(*ids, number, actor, case.label))
    return requests


MALFORMED: dict[str, tuple[str, Mutation, str]] = {
    "no installation": ("pull_request.opened", deleting("installation"), "no installation id"),
    "installation id not a number": (
        "pull_request.opened",
        setting("installation.id", "1"),
        "installation.id is string, not integer",
    ),
    "no pull request number": (
        "pull_request.opened",
        deleting("pull_request.number"),
        "payload has no pull_request.number",
    ),
    "number as text": (
        "pull_request.synchronize",
        setting("pull_request.number", "2"),
        "pull_request.number is string",
    ),
    "number as boolean": (
        "pull_request.synchronize",
        setting("pull_request.number", True),
        "pull_request.number is boolean",
    ),
    "number zero": ("pull_request.opened", setting("pull_request.number", 0), "must be positive"),
    "no pull_request object": ("pull_request.opened", deleting("pull_request"), "pull_request"),
    "pull_request is a list": ("pull_request.opened", setting("pull_request", []), "is array"),
    "no action": ("pull_request.opened", deleting("action"), "payload has no action"),
    "repository is text": ("pull_request.opened", setting("repository", "x/y"), "repository is"),
    "no repository owner": (
        "pull_request.opened",
        deleting("repository.owner"),
        "repository.owner.login",
    ),
    "pull_requests not a list": (
        "check_suite.completed",
        setting("check_suite.pull_requests", {"number": 2}),
        "check_suite.pull_requests is object, not array",
    ),
    "pull_requests entry not an object": (
        "check_suite.completed",
        setting("check_suite.pull_requests", ["2"]),
        "check_suite.pull_requests[0]",
    ),
    "no sha on status": ("status", deleting("sha"), "payload has no sha"),
    # A merge group that cannot say which head, or from which base, is checked by nobody.
    "merge group without a head": (
        "merge_group.checks_requested",
        deleting("merge_group.head_sha"),
        "merge_group.head_sha",
    ),
    "merge group without a base": (
        "merge_group.checks_requested",
        deleting("merge_group.base_sha"),
        "merge_group.base_sha",
    ),
    "destroyed merge group without a head": (
        "merge_group.destroyed",
        deleting("merge_group"),
        "merge_group.head_sha",
    ),
    # A labeled delivery that cannot say which label, on which head or base, claims nothing.
    "labeled without a label": ("pull_request.labeled", deleting("label"), "label.name"),
    "labeled without a head": (
        "pull_request.labeled",
        deleting("pull_request.head.sha"),
        "pull_request.head.sha",
    ),
    "labeled without a base branch": (
        "pull_request.labeled",
        deleting("pull_request.base.ref"),
        "pull_request.base.ref",
    ),
    "sender login not text": ("pull_request.opened", setting("sender.login", 7), "sender.login"),
    "comment without issue": ("issue_comment.created", deleting("issue"), "payload has no issue"),
    "issue is text": (
        "issue_comment.created",
        setting("issue", "#1"),
        "payload field issue is string, not object",
    ),
    "comment without author": (
        "issue_comment.created",
        chain(recheck_comment("/review-tiers recheck"), deleting("comment.user")),
        "comment.user.login",
    ),
}


@pytest.mark.parametrize("name", list(MALFORMED))
def test_malformed_payload(name: str) -> None:
    fixture, mutate, message = MALFORMED[name]
    payload = copy.deepcopy(load(fixture))
    if "installation" not in payload:
        with_installation(payload)
    mutate(payload)
    with pytest.raises(PayloadError) as raised:
        route(event_of(fixture), DELIVERY, payload, app_id=APP_ID, app_slug=SLUG)
    assert message in str(raised.value)


def test_payload_that_is_not_an_object() -> None:
    with pytest.raises(PayloadError, match="not a JSON object"):
        route("pull_request", DELIVERY, [], app_id=APP_ID, app_slug=SLUG)  # type: ignore[arg-type]


def sign(secret: str, body: bytes, algorithm: str = "sha256") -> str:
    return f"{algorithm}=" + hmac.new(secret.encode(), body, algorithm).hexdigest()


BODY = (WEBHOOKS / "pull_request.opened.json").read_bytes()


@pytest.mark.parametrize(
    ("header", "valid"),
    [
        (sign("s3cret", BODY), True),
        (sign("s3cret", BODY).upper().replace("SHA256=", "sha256="), True),
        (sign("other", BODY), False),
        (sign("s3cret", BODY + b" "), False),
        (None, False),
        (sign("s3cret", BODY, "sha1"), False),
        ("sha256", False),
        ("sha256=", False),
        ("sha256=zz", False),
        ("md5=" + hashlib.md5(BODY).hexdigest(), False),
        ("sha256=\u00e9\u00e9", False),
        (sign("s3cret", BODY)[len("sha256=") :], False),
    ],
    ids=[
        "valid",
        "upper-case hex",
        "wrong secret",
        "other body",
        "missing",
        "sha1 only",
        "no value",
        "empty value",
        "not hex",
        "md5",
        "non-ascii",
        "no prefix",
    ],
)
def test_verify_signature(header: str | None, valid: bool) -> None:
    assert verify_signature("s3cret", BODY, header) is valid


def test_empty_secret_never_verifies() -> None:
    assert not verify_signature("", BODY, sign("", BODY))


def assert_routes_or_refuses(event: str, payload: Payload) -> None:
    """Routing either refuses with PayloadError or returns well-typed results."""
    try:
        routed = route(event, DELIVERY, payload, app_id=APP_ID, app_slug=SLUG)
    except PayloadError as err:
        assert str(err) and "\n" not in str(err)
        return
    if isinstance(routed, Skip):
        assert routed.reason
        return
    for request in routed:
        assert isinstance(request.installation_id, int) and isinstance(request.owner, str)
        if isinstance(request, LifecycleRequest):  # ends state: names repositories, not commits
            assert all(isinstance(n, str) for pair in request.lifecycle.repos for n in pair)
        elif isinstance(request, CommitRequest):
            assert isinstance(request.sha, str)
        elif isinstance(request, MergeGroupRequest):
            assert isinstance(request.head_sha, str) and isinstance(request.base_sha, str)
        elif isinstance(request, PushRequest):
            assert isinstance(request.branch, str) and request.policy_changed in (True, False)
        else:
            assert request.number > 0


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)
events = st.sampled_from(
    [
        "pull_request",
        "pull_request_review",
        "issue_comment",
        "check_run",
        "check_suite",
        "status",
        "merge_group",
    ]
) | st.text(max_size=12)
FIXTURE_NAMES = sorted(path.stem for path in WEBHOOKS.glob("*.json"))


@settings(max_examples=300, deadline=None)
@given(event=events, payload=st.dictionaries(st.text(max_size=12), json_values, max_size=6))
def test_route_raises_only_payload_error_on_arbitrary_dicts(event: str, payload: Payload) -> None:
    assert_routes_or_refuses(event, payload)


def damage(payload: Payload, data: st.DataObject) -> None:
    """Replace one randomly chosen value, at any depth, with arbitrary JSON."""
    node: Any = payload
    while True:
        keys = sorted(node) if isinstance(node, dict) else list(range(len(node)))
        if not keys:
            return
        key = data.draw(st.sampled_from(keys))
        child = node[key]
        if isinstance(child, dict | list) and child and data.draw(st.booleans()):
            node = child
            continue
        node[key] = data.draw(json_values)
        return


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(FIXTURE_NAMES), data=st.data())
def test_route_raises_only_payload_error_on_damaged_fixtures(
    name: str, data: st.DataObject
) -> None:
    payload = load(name)
    if data.draw(st.booleans()):
        with_installation(payload)
    damage(payload, data)
    assert_routes_or_refuses(event_of(name), payload)
