"""The PyGithub port against the GitHub simulator: every method, paging, ETags and errors."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Iterator
from datetime import datetime

import pytest
from github.GithubException import GithubException
from redis import Redis
from requests.exceptions import ReadTimeout

from bot.core.actions import CheckState
from bot.core.names import COMMENT_MARKER
from bot.evaluation.ports import GitHubPort, LabelEvent, RepoRef
from bot.gh.client import PyGithubPort
from bot.gh.contents import decode_file
from bot.gh.errors import translated
from bot.ops.errors import PermanentGitHubError, TransientGitHubError
from bot.ops.settings import AppSettings
from tests.ghsim import GitHubSimulator
from tests.ghsim.clients import checked_simulator
from tests.ghsim.traffic import SECONDARY_RATE_LIMIT_BODY

APP_ID = 4242
OWNER, NAME, HEAD = "acme", "widgets", "a" * 40
REPO = RepoRef(1, OWNER, NAME)
API = f"/repos/{OWNER}/{NAME}"
MARKER = COMMENT_MARKER


@pytest.fixture
def sim(keys: tuple[str, str]) -> Iterator[GitHubSimulator]:
    with checked_simulator(app_id=APP_ID, app_public_key_pem=keys[1]) as sim:
        sim.add_repo(OWNER, NAME)
        sim.set_role(OWNER, NAME, "bob", "write")
        sim.add_pull(OWNER, NAME, 7, author="alice", head_sha=HEAD, labels=["size/S"])
        yield sim


def test_implements_every_port_method() -> None:
    for name, method in inspect.getmembers(GitHubPort, inspect.isfunction):
        if not name.startswith("_"):
            ours = inspect.signature(getattr(PyGithubPort, name))
            assert list(ours.parameters) == list(inspect.signature(method).parameters), name


def test_fetch_pull(sim: GitHubSimulator, port: PyGithubPort) -> None:
    sim.add_team_member(OWNER, "core", "carol")
    sim.add_pull(OWNER, NAME, 8, author="dan", head_sha="b" * 40, draft=True, body="Why.")
    sim.pull(OWNER, NAME, 7).requested_reviewers.append("bob")
    sim.pull(OWNER, NAME, 7).requested_teams.append("core")
    pull = port.fetch_pull(REPO, 7)
    assert (pull.number, pull.state, pull.draft, pull.author) == (7, "open", False, "alice")
    assert (pull.head_sha, pull.base_ref, pull.body) == (HEAD, "main", "")
    assert pull.base_sha == sim.pull(OWNER, NAME, 7).base_sha
    assert (pull.labels, pull.requested_users, pull.requested_teams) == (
        ("size/S",),
        ("bob",),
        ("acme/core",),
    )
    assert (port.fetch_pull(REPO, 8).draft, port.fetch_pull(REPO, 8).body) == (True, "Why.")


def test_fetch_files_pages_through_250(sim: GitHubSimulator, port: PyGithubPort) -> None:
    files = [{"filename": f"src/m{i}.py", "additions": 2, "deletions": 1} for i in range(248)]
    files.append({"filename": "a.py", "patch": "@@ -1 +1 @@\n-a\n+b", "additions": 1})
    files.append({"filename": "new.py", "status": "renamed", "previous_filename": "old.py"})
    sim.push(OWNER, NAME, 7, "c" * 40, files=files)
    listed = port.fetch_files(REPO, 7)
    assert len(listed) == 250 and sim.count("GET", f"{API}/pulls/7/files") == 3
    first = {"filename": "src/m0.py", "status": "modified", "additions": 2, "deletions": 1}
    assert listed[0] == first
    assert listed[248]["patch"] == "@@ -1 +1 @@\n-a\n+b" and "patch" not in listed[0]
    assert listed[249]["previous_filename"] == "old.py" and listed[249]["status"] == "renamed"


def test_commit_messages_and_reviews(sim: GitHubSimulator, port: PyGithubPort) -> None:
    fix = {"sha": "d" * 40, "message": "Fix\n\nBody", "author": "alice"}
    sim.push(OWNER, NAME, 7, "d" * 40, commits=[fix])
    sim.add_review(OWNER, NAME, 7, "bob", "changes_requested", commit_id=HEAD)
    sim.add_review(OWNER, NAME, 7, "bob", "approved")
    assert port.fetch_commit_messages(REPO, 7) == ("A change", "Fix\n\nBody")
    reviews = port.fetch_reviews(REPO, 7)
    assert [(r.user, r.state, r.commit_id) for r in reviews] == [
        ("bob", "CHANGES_REQUESTED", HEAD),
        ("bob", "APPROVED", "d" * 40),
    ]
    # The id and submission time: each approval is judged once, from when it was given.
    assert reviews[0].id != reviews[1].id and all(r.id for r in reviews)
    assert all(datetime.fromisoformat(r.submitted_at) for r in reviews)


def test_fetch_file_reads_text_and_absent_paths(sim: GitHubSimulator, port: PyGithubPort) -> None:
    sim.set_file(OWNER, NAME, "main", "docs/guide é.md", "héllo\n")
    sim.set_file(OWNER, NAME, HEAD, "src/app.py", "x = 1\n")
    assert port.fetch_file(REPO, "docs/guide é.md", "main") == "héllo\n"
    assert port.fetch_file(REPO, "src/app.py", HEAD) == "x = 1\n"
    assert port.fetch_file(REPO, "src/app.py", "main") is None  # 404: absent on that ref
    assert port.fetch_file(REPO, "docs", "main") is None  # a directory
    assert port.fetch_file(REPO, "x", "no-such-branch") is None


def test_fetch_file_revalidates_the_branch_tip(sim: GitHubSimulator, port: PyGithubPort) -> None:
    sim.set_file(OWNER, NAME, "main", ".github/CODEOWNERS", "* @acme/core\n")
    assert port.fetch_file(REPO, ".github/CODEOWNERS", "main") == "* @acme/core\n"
    assert port.fetch_file(REPO, ".github/CODEOWNERS", "main") == "* @acme/core\n"
    # The second read asks only whether the branch moved (a free 304); the file at that
    # commit comes from Redis.
    again = sim.requests[-1]
    assert again.path == f"{API}/git/ref/heads/main" and again.status == 304
    assert again.headers["If-None-Match"].startswith('W/"')
    assert port.fetch_file(REPO, "CODEOWNERS", "main") is None
    sim.reset_log()
    assert port.fetch_file(REPO, "CODEOWNERS", "main") is None  # its absence is kept too
    assert [r.status for r in sim.requests] == [304]
    sim.set_file(OWNER, NAME, "main", ".github/CODEOWNERS", "* @acme/web\n")
    assert port.fetch_file(REPO, ".github/CODEOWNERS", "main") == "* @acme/web\n"
    assert sim.requests[-1].status == 200


def test_a_head_file_is_read_once_per_commit(sim: GitHubSimulator, port: PyGithubPort) -> None:
    sim.set_file(OWNER, NAME, HEAD, "src/app.py", "x = 1\n")
    assert port.fetch_file(REPO, "src/app.py", HEAD) == "x = 1\n"
    sim.reset_log()
    assert port.fetch_file(REPO, "src/app.py", HEAD) == "x = 1\n"
    assert port.fetch_file(REPO, "src/gone.py", HEAD) is None
    assert port.fetch_file(REPO, "src/gone.py", HEAD) is None
    # Absence at a commit named directly is asked again: GitHub may not know the commit yet.
    assert [r.status for r in sim.requests] == [404, 404]


@pytest.mark.parametrize(
    "data",
    [
        {"type": "file", "encoding": "base64", "content": "//79AA==\n"},  # not UTF-8
        {"type": "file", "encoding": "base64", "content": "YQBi\n"},  # a NUL byte
        {"type": "file", "encoding": "none", "content": ""},  # over 1 MB
        {"type": "submodule", "submodule_git_url": "git://example.invalid/x.git"},
        [{"type": "file", "name": "a"}],
    ],
)
def test_unreadable_contents_are_none(data: object) -> None:
    assert decode_file(data) is None


def test_fetch_org_config(sim: GitHubSimulator, port: PyGithubPort) -> None:
    assert port.fetch_org_config(OWNER) is None  # no .github repository
    sim.add_repo(OWNER, ".github", default_branch="trunk")
    assert port.fetch_org_config(OWNER) is None  # no file in it
    sim.set_file(OWNER, ".github", "trunk", "review-tiers.yml", "version: 1\n")
    assert port.fetch_org_config(OWNER) == "version: 1\n"
    assert sim.requests[-1].query == {}  # the default branch: no ref


def test_team_members_and_unreadable_teams(
    sim: GitHubSimulator, port: PyGithubPort, caplog: pytest.LogCaptureFixture
) -> None:
    for login in ("carol", "dave"):
        sim.add_team_member(OWNER, "core", login)
    assert port.fetch_team_members(OWNER, "core") == ("carol", "dave")
    assert port.fetch_team_members(OWNER, "ghosts") == ()
    sim.inject("GET", "/teams/core/members", status=403, body={"message": "Forbidden"})
    assert port.fetch_team_members(OWNER, "core") == ()
    assert [r.levelno for r in caplog.records] == [logging.WARNING] * 2
    sim.inject("GET", "/teams/core/members", status=403, body=SECONDARY_RATE_LIMIT_BODY)
    with pytest.raises(TransientGitHubError):
        port.fetch_team_members(OWNER, "core")


def test_fetch_role_uses_role_name(sim: GitHubSimulator, port: PyGithubPort) -> None:
    sim.set_role(OWNER, NAME, "mia", "maintain")
    assert port.fetch_role(REPO, "mia") == "maintain"
    assert port.fetch_role(REPO, "bob") == "write"
    assert port.fetch_role(REPO, "stranger") == "none"  # 404 on a private repository


def test_label_actors(sim: GitHubSimulator, port: PyGithubPort) -> None:
    sim.add_label(OWNER, NAME, 7, "tier-override/L1", actor="mallory")
    sim.set_labels(OWNER, NAME, 7, ["size/S"], actor="bob")  # bob removes it
    sim.add_label(OWNER, NAME, 7, "tier-override/L1", actor="bob")
    port.add_labels(REPO, 7, ["tier/L2"])
    assert port.fetch_label_actors(REPO, 7) == (
        LabelEvent("size/S", "alice"),
        LabelEvent("tier-override/L1", "bob"),
        LabelEvent("tier/L2", "review-tiers[bot]"),
    )


def test_fetch_check_run_is_the_apps_own(sim: GitHubSimulator, port: PyGithubPort) -> None:
    assert port.fetch_check_run(REPO, HEAD, "review-tiers") is None
    sim.add_check_run(OWNER, NAME, HEAD, "review-tiers", conclusion="success")  # another app
    assert port.fetch_check_run(REPO, HEAD, "review-tiers") is None
    output = CheckState("completed", "failure", "Tier L2", "Needs *two* approvals\n")
    check_id = port.create_check_run(REPO, HEAD, "review-tiers", output)
    found = port.fetch_check_run(REPO, HEAD, "review-tiers")
    assert found is not None and (found.id, found.output) == (check_id, output)


def test_completed_check_run_is_replaced_not_reopened(
    sim: GitHubSimulator, port: PyGithubPort
) -> None:
    open_ = CheckState("in_progress", None, "Tier L2", "Waiting")
    check_id = port.create_check_run(REPO, HEAD, "review-tiers", open_)
    assert sim.writes()[-1].json == {
        "name": "review-tiers",
        "head_sha": HEAD,
        "status": "in_progress",
        "output": {"title": "Tier L2", "summary": "Waiting", "text": ""},
    }
    done = CheckState("completed", "success", "Tier L2", "Met")
    port.update_check_run(REPO, check_id, done)
    assert sim.check_runs(OWNER, NAME, HEAD)[0].conclusion == "success"
    # A completed run is not reopened (the plan creates a new one instead); the newest wins.
    with pytest.raises(PermanentGitHubError):
        port.update_check_run(REPO, check_id, open_)
    newer = port.create_check_run(REPO, HEAD, "review-tiers", open_)
    found = port.fetch_check_run(REPO, HEAD, "review-tiers")
    assert found is not None and found.id == newer and found.output == open_


def test_fetch_checks_names_each_runs_app_and_each_status(
    sim: GitHubSimulator, port: PyGithubPort
) -> None:
    sim.add_app(777, "spoofer")
    ci = sim.add_check_run(OWNER, NAME, HEAD, "test", conclusion="failure")
    spoof = sim.add_check_run(OWNER, NAME, HEAD, "test", app_id=777)
    sim.add_check_run(OWNER, NAME, HEAD, "lint", status="in_progress", conclusion=None, app_id=9)
    sim.add_check_run(OWNER, NAME, HEAD, "review-tiers", app_id=777)  # never counts
    status = sim.add_status(OWNER, NAME, HEAD, "lint", "success")
    port.create_check_run(REPO, HEAD, "review-tiers", CheckState("in_progress", None, "t", "s"))
    seen = port.fetch_checks(REPO, HEAD, workflows=False)
    runs = {(r.name, r.app_slug): r for r in seen.runs}
    assert sorted(runs) == [("lint", "app-9"), ("test", "github-actions"), ("test", "spoofer")]
    assert (runs["test", "github-actions"].app_id, runs["test", "github-actions"].state) == (
        15368,
        "failure",
    )
    assert runs["test", "github-actions"].suite_id == ci.suite_id
    assert runs["test", "spoofer"].id == spoof.id and runs["test", "spoofer"].completed_at
    assert runs["lint", "app-9"].state == "in_progress"
    assert [(s.id, s.context, s.state) for s in seen.statuses] == [(status.id, "lint", "success")]
    assert seen.statuses[0].updated_at == status.created_at
    # Workflow names cost a request: only made when a requirement pins a workflow.
    assert not [r for r in sim.requests if r.path.endswith("/actions/runs")]


def test_fetch_checks_names_the_workflow_of_actions_runs(
    sim: GitHubSimulator, port: PyGithubPort
) -> None:
    ci = sim.add_check_run(OWNER, NAME, HEAD, "test", workflow="CI")
    nightly = sim.add_check_run(OWNER, NAME, HEAD, "lint", workflow="Nightly")
    other = sim.add_check_run(OWNER, NAME, HEAD, "build", app_id=777)
    other.suite_id = ci.suite_id  # another app's run never borrows a workflow's name
    seen = port.fetch_checks(REPO, HEAD, workflows=True)
    assert {r.id: r.workflow for r in seen.runs} == {
        ci.id: "CI",
        nightly.id: "Nightly",
        other.id: None,
    }
    listing = [r for r in sim.requests if r.path == f"{API}/actions/runs"]
    assert [r.query["head_sha"] for r in listing] == [HEAD]


def test_sticky_comment_is_the_bots(sim: GitHubSimulator, port: PyGithubPort) -> None:
    sim.add_comment(OWNER, NAME, 7, "mallory", f"{MARKER}\nfake")
    for i in range(110):
        sim.add_comment(OWNER, NAME, 7, "bob", f"chatter {i}")
    assert port.fetch_sticky_comment(REPO, 7, MARKER) is None
    comment_id = port.create_comment(REPO, 7, f"{MARKER}\nfirst")
    found = port.fetch_sticky_comment(REPO, 7, MARKER)
    assert found is not None and (found.id, found.body) == (comment_id, f"{MARKER}\nfirst")
    port.edit_comment(REPO, comment_id, f"{MARKER}\nsecond")
    assert sim.pull(OWNER, NAME, 7).comments[-1].body == f"{MARKER}\nsecond"
    port.delete_comment(REPO, comment_id)
    port.delete_comment(REPO, comment_id)  # already gone: fine
    assert port.fetch_sticky_comment(REPO, 7, MARKER) is None


def test_pulls_for_commit(sim: GitHubSimulator, port: PyGithubPort) -> None:
    sim.add_pull(OWNER, NAME, 8, author="bob", head_sha="e" * 40, commits=[{"sha": HEAD}])
    sim.add_pull(OWNER, NAME, 9, author="bob", head_sha=HEAD)
    sim.add_pull(OWNER, NAME, 10, author="bob", head_sha=HEAD).state = "closed"
    assert port.fetch_pulls_for_commit(REPO, HEAD) == (7, 9)
    assert port.fetch_pulls_for_commit(REPO, "f" * 40) == ()


def test_open_pulls_to_a_base(sim: GitHubSimulator, port: PyGithubPort) -> None:
    sim.add_pull(OWNER, NAME, 8, author="dan", head_sha="b" * 40, title="Second", labels=["x"])
    sim.add_pull(OWNER, NAME, 9, author="eve", head_sha="c" * 40, base_ref="release")
    found = port.fetch_open_pulls(REPO, "main")
    assert [(p.number, p.title, p.labels) for p in found] == [
        (8, "Second", ("x",)),
        (7, "A change", ("size/S",)),
    ]
    assert found[1] == port.fetch_pull(REPO, 7)  # the listing carries what fetch_pull reads
    assert [p.number for p in port.fetch_open_pulls(REPO, None)] == [9, 8, 7]
    listings = [r.query.get("base") for r in sim.requests if r.path == f"{API}/pulls"]
    assert listings == ["main", None]


def test_labels_add_and_remove(sim: GitHubSimulator, port: PyGithubPort) -> None:
    port.add_labels(REPO, 7, ["tier/high", "size/M"])
    assert sim.writes()[-1].json == {"labels": ["tier/high", "size/M"]}
    port.remove_label(REPO, 7, "tier/high")
    port.remove_label(REPO, 7, "tier/high")  # absent: fine
    port.add_labels(REPO, 7, [])
    assert sim.pull(OWNER, NAME, 7).labels == ["size/S", "size/M"]
    assert [r.method for r in sim.writes() if r.path.startswith(API)] == [
        "POST",
        "DELETE",
        "DELETE",
    ]


def test_request_reviewers(sim: GitHubSimulator, port: PyGithubPort) -> None:
    sim.add_team_member(OWNER, "core", "carol")
    port.request_reviewers(REPO, 7, ["bob"], ["acme/core"])
    assert sim.writes()[-1].json == {"reviewers": ["bob"], "team_reviewers": ["core"]}
    pull = port.fetch_pull(REPO, 7)
    assert (pull.requested_users, pull.requested_teams) == (("bob",), ("acme/core",))
    with pytest.raises(PermanentGitHubError, match=r"422.*collaborators"):
        port.request_reviewers(REPO, 7, ["stranger"], [])


def test_server_error_is_transient(sim: GitHubSimulator, port: PyGithubPort) -> None:
    sim.inject("GET", r"/pulls/7$", status=502)
    with pytest.raises(TransientGitHubError) as raised:
        port.fetch_pull(REPO, 7)
    assert raised.value.retry_after is None
    assert isinstance(raised.value.__cause__, GithubException)
    assert port.fetch_pull(REPO, 7).number == 7


@pytest.mark.parametrize(
    ("status", "headers", "wait"),
    [
        (403, {"retry-after": "30"}, 30.0),
        (403, {}, 60.0),  # a secondary limit that names no wait
        (429, {}, 60.0),
        (429, {"retry-after": "5"}, 5.0),
    ],
)
def test_rate_limits_are_transient(
    sim: GitHubSimulator, port: PyGithubPort, status: int, headers: dict[str, str], wait: float
) -> None:
    sim.inject("POST", r"/labels$", status=status, headers=headers, body=SECONDARY_RATE_LIMIT_BODY)
    with pytest.raises(TransientGitHubError) as raised:
        port.add_labels(REPO, 7, ["tier/high"])
    assert raised.value.retry_after == wait


def test_exhausted_primary_limit_waits_for_the_reset(
    sim: GitHubSimulator, port: PyGithubPort
) -> None:
    port.fetch_pull(REPO, 7)
    assert port.rate_limit_remaining is not None and port.rate_limit_remaining > 0
    sim.set_rate_limit(remaining=0, reset_in=120)
    with pytest.raises(TransientGitHubError) as raised:
        port.fetch_reviews(REPO, 7)
    assert raised.value.retry_after is not None and 118 <= raised.value.retry_after <= 122
    assert port.rate_limit_remaining == 0


@pytest.mark.parametrize(
    ("status", "body", "match"),
    [
        (404, {"message": "Not Found"}, "404: Not Found"),
        (403, {"message": "Resource not accessible by integration"}, "403"),
        (422, {"message": "Validation Failed", "errors": [{"code": "invalid"}]}, r"422.*invalid"),
    ],
)
def test_refusals_are_permanent(
    sim: GitHubSimulator, port: PyGithubPort, status: int, body: object, match: str
) -> None:
    sim.inject("GET", r"/pulls/7$", status=status, body=body)
    with pytest.raises(PermanentGitHubError, match=match):
        port.fetch_pull(REPO, 7)


def test_missing_pull_is_permanent(port: PyGithubPort) -> None:
    with pytest.raises(PermanentGitHubError, match="404"):
        port.fetch_pull(REPO, 99)


def test_network_errors_are_transient(port: PyGithubPort, redis_client: Redis) -> None:
    redis_client.set("rt:token:1", "ghs_cached", ex=60)
    closed = PyGithubPort(
        AppSettings(APP_ID, port.settings.private_key, "s", api_url="http://127.0.0.1:9"),
        redis_client,
        1,
    )
    with pytest.raises(TransientGitHubError) as raised:
        closed.fetch_pull(REPO, 7)
    assert raised.value.retry_after is None
    with pytest.raises(TransientGitHubError, match="ReadTimeout"), translated():
        raise ReadTimeout("slow")
