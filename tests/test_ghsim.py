"""The GitHub simulator, driven by real PyGithub, and the webhook payload fixtures."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import github
import jwt
import pytest
import requests
from github.Repository import Repository
from werkzeug.test import Client

from tests.ghsim import GitHubSimulator
from tests.ghsim.calls import ROUTES
from tests.ghsim.clients import app_key_pair, checked_simulator, pygithub, raw

HEAD = "a" * 40
OWNER, NAME = "acme", "widgets"
REPO = f"/repos/{OWNER}/{NAME}"
WEBHOOKS = Path(__file__).parent / "fixtures/webhooks"


@pytest.fixture
def sim() -> Iterator[GitHubSimulator]:
    with checked_simulator() as sim:
        sim.add_repo(OWNER, NAME)
        sim.set_role(OWNER, NAME, "bob", "write")
        sim.add_pull(OWNER, NAME, 7, author="alice", head_sha=HEAD, labels=["size/S"])
        yield sim


def repo_of(sim: GitHubSimulator) -> Repository:
    return pygithub(sim).get_repo(f"{OWNER}/{NAME}")


def test_every_described_operation_is_served(sim: GitHubSimulator) -> None:
    assert set(ROUTES) == set(sim.description.operations)


def test_repository_and_pull_request(sim: GitHubSimulator) -> None:
    repo = repo_of(sim)
    pull = repo.get_pull(7)
    assert (repo.default_branch, pull.user.login, pull.head.sha) == ("main", "alice", HEAD)
    assert pull.draft is False and [label.name for label in pull.labels] == ["size/S"]


def test_a_retarget_changes_the_base_and_the_diff_but_not_the_head(sim: GitHubSimulator) -> None:
    sim.retarget(OWNER, NAME, 7, "release", files=[{"filename": "a.py", "additions": 1}])
    pull = repo_of(sim).get_pull(7)
    assert (pull.base.ref, pull.head.sha) == ("release", HEAD)
    assert [f.filename for f in pull.get_files()] == ["a.py"]


def test_files_paginate_with_link_headers(sim: GitHubSimulator) -> None:
    files = [{"filename": f"src/m{i}.py", "additions": 2, "deletions": 1} for i in range(250)]
    sim.add_pull(OWNER, NAME, 8, author="alice", head_sha="b" * 40, files=files)
    listed = list(repo_of(sim).get_pull(8).get_files())
    assert [f.filename for f in listed] == [f["filename"] for f in files]
    assert listed[0].changes == 3 and listed[0].patch is None
    assert sim.count("GET", f"{REPO}/pulls/8/files") == 3
    link = raw(sim, "GET", f"{REPO}/pulls/8/files?per_page=100").headers["Link"]
    assert 'page=2>; rel="next"' in link and 'page=3>; rel="last"' in link


def test_files_are_capped_at_3000(sim: GitHubSimulator) -> None:
    files = [{"filename": f"f{i}"} for i in range(3100)]
    sim.add_pull(OWNER, NAME, 9, author="alice", head_sha="c" * 40, files=files)
    last = raw(sim, "GET", f"{REPO}/pulls/9/files?per_page=100&page=30")
    assert len(last.json()) == 100 and 'rel="next"' not in last.headers["Link"]


def test_commits_reviews_and_contents(sim: GitHubSimulator) -> None:
    sim.add_review(OWNER, NAME, 7, "bob", "approved")
    sim.set_file(OWNER, NAME, "main", ".github/review-tiers.yml", "tiers: {}\n")
    sim.set_file(OWNER, NAME, HEAD, "src/app.py", "print('hi')\n" * 20)
    repo = repo_of(sim)
    pull = repo.get_pull(7)
    assert [c.sha for c in pull.get_commits()] == [HEAD]
    reviews = [(r.user.login, r.state, r.commit_id) for r in pull.get_reviews()]
    assert reviews == [("bob", "APPROVED", HEAD)]
    config = repo.get_contents(".github/review-tiers.yml", ref="main")
    assert config.decoded_content == b"tiers: {}\n"  # type: ignore[union-attr]
    source = repo.get_contents("src/app.py", ref=HEAD)
    assert source.decoded_content == b"print('hi')\n" * 20  # type: ignore[union-attr]
    with pytest.raises(github.UnknownObjectException):
        repo.get_contents("missing.yml", ref="main")


def test_labels_use_the_documented_body(sim: GitHubSimulator) -> None:
    gh = pygithub(sim)
    url = f"{REPO}/issues/7/labels"
    _, data = gh.requester.requestJsonAndCheck("POST", url, input={"labels": ["tier/high"]})
    assert [label["name"] for label in data] == ["size/S", "tier/high"]
    pull = gh.get_repo(f"{OWNER}/{NAME}").get_pull(7)
    pull.remove_from_labels("tier/high")  # sent with an unencoded "/", which GitHub accepts
    assert sim.pull(OWNER, NAME, 7).labels == ["size/S"]
    # PyGithub raises UnknownObjectException only for "Not Found"; this 404 says otherwise.
    with pytest.raises(github.GithubException) as raised:
        pull.remove_from_labels("tier/high")
    assert (raised.value.status, raised.value.message) == (404, "Label does not exist")


def test_pygithub_add_to_labels_sends_an_undocumented_body(sim: GitHubSimulator) -> None:
    with pytest.raises(github.GithubException) as raised:
        repo_of(sim).get_pull(7).add_to_labels("tier/high")
    assert raised.value.status == 422
    assert [(m, p) for m, p, _ in sim.invalid_requests] == [("POST", f"{REPO}/issues/7/labels")]
    sim.invalid_requests.clear()


def test_review_requests(sim: GitHubSimulator) -> None:
    sim.add_team_member(OWNER, "core", "carol")
    pull = repo_of(sim).get_pull(7)
    pull.create_review_request(reviewers=["bob"], team_reviewers=["core"])
    users, teams = pull.get_review_requests()
    assert [u.login for u in users] == ["bob"] and [t.slug for t in teams] == ["core"]
    for reviewers in (["alice"], ["stranger"], [f"u{i}" for i in range(16)]):
        with pytest.raises(github.GithubException) as raised:
            pull.create_review_request(reviewers=reviewers)
        assert raised.value.status == 422


def test_comments_create_edit_delete(sim: GitHubSimulator) -> None:
    pull = repo_of(sim).get_pull(7)
    comment = pull.create_issue_comment("<!-- review-tiers -->\nfirst")
    comment.edit("<!-- review-tiers -->\nsecond")
    listed = [(c.user.login, c.body) for c in pull.get_issue_comments()]
    assert listed == [("review-tiers[bot]", "<!-- review-tiers -->\nsecond")]
    comment.delete()
    assert list(pull.get_issue_comments()) == []


def test_check_runs(sim: GitHubSimulator) -> None:
    sim.add_check_run(OWNER, NAME, HEAD, "ci/test", conclusion="failure")
    repo = repo_of(sim)
    output = {"title": "Tier", "summary": "open"}
    run = repo.create_check_run("review-tiers", HEAD, status="in_progress", output=output)
    run.edit(conclusion="success", output={"title": "Tier", "summary": "met"})
    runs = {r.name: r for r in repo.get_commit(HEAD).get_check_runs()}
    ours = runs["review-tiers"]
    assert (ours.status, ours.conclusion, ours.output.summary) == ("completed", "success", "met")
    assert runs["ci/test"].conclusion == "failure"
    with pytest.raises(github.GithubException) as raised:
        runs["ci/test"].edit(conclusion="success")  # another app's run
    assert raised.value.status == 403


def test_combined_status(sim: GitHubSimulator) -> None:
    commit = repo_of(sim).get_commit(HEAD)
    assert commit.get_combined_status().state == "pending"
    sim.add_status(OWNER, NAME, HEAD, "ci/lint", "success")
    sim.add_status(OWNER, NAME, HEAD, "ci/test", "failure")
    assert commit.get_combined_status().state == "failure"


ROLES = {"admin": "admin", "maintain": "write", "write": "write", "triage": "read", "read": "read"}


@pytest.mark.parametrize(("role", "permission"), ROLES.items())
def test_collaborator_permission(sim: GitHubSimulator, role: str, permission: str) -> None:
    sim.set_role(OWNER, NAME, "dave", role)
    repo = repo_of(sim)
    assert repo.get_collaborator_permission("dave") == permission
    assert repo.get_collaborator_role_name("dave") == role


def test_installation_token_from_app_jwt() -> None:
    private, public = app_key_pair()
    with GitHubSimulator.serve(app_id=77, app_public_key_pem=public) as sim:
        sim.add_repo(OWNER, NAME)
        app_auth = github.Auth.AppAuth(77, private)
        assert pygithub(sim, app_auth.get_installation_auth(1)).get_repo(f"{OWNER}/{NAME}").id
        assert sim.count("POST", "/app/installations/1/access_tokens") == 1
        app = requests.get(f"{sim.url}/app", headers={"Authorization": f"Bearer {app_auth.token}"})
        assert app.json()["slug"] == "review-tiers"
        now = int(time.time())
        too_long = {"iat": now - 60, "exp": now + 900, "iss": "77"}
        wrong_app = {"iat": now - 60, "exp": now + 500, "iss": "78"}
        for claims in (too_long, wrong_app):
            bearer = {"Authorization": f"Bearer {jwt.encode(claims, private, 'RS256')}"}
            url = f"{sim.url}/app/installations/1/access_tokens"
            assert requests.post(url, headers=bearer).status_code == 401
        assert requests.get(f"{sim.url}{REPO}").status_code == 401


def test_injected_faults(sim: GitHubSimulator) -> None:
    sim.inject("GET", r"/pulls/7$", status=502, headers={"retry-after": "1"})
    repo = repo_of(sim)
    with pytest.raises(github.GithubException) as raised:
        repo.get_pull(7).title  # noqa: B018 - the attribute access makes the request
    assert raised.value.status == 502 and raised.value.headers["retry-after"] == "1"
    assert repo.get_pull(7).title == "A change"
    sim.inject(None, f"^{REPO}$", status=None, delay=0.05)  # slow, then served normally
    started = time.monotonic()
    assert raw(sim, "GET", REPO).status_code == 200 and time.monotonic() - started >= 0.05


def test_etag_gives_304_without_spending_the_limit(sim: GitHubSimulator) -> None:
    first = raw(sim, "GET", f"{REPO}/pulls/7")
    again = raw(sim, "GET", f"{REPO}/pulls/7", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["x-ratelimit-remaining"] == first.headers["x-ratelimit-remaining"]
    pull = repo_of(sim).get_pull(7)
    assert pull.title and pull.update() is False


def test_rate_limit_headers_and_exhaustion(sim: GitHubSimulator) -> None:
    first, second = raw(sim, "GET", REPO).headers, raw(sim, "GET", REPO).headers
    assert int(second["x-ratelimit-remaining"]) == int(first["x-ratelimit-remaining"]) - 1
    assert first["x-ratelimit-resource"] == "core"
    sim.set_rate_limit(remaining=0)
    exhausted = raw(sim, "GET", REPO)
    assert exhausted.status_code == 403 and exhausted.headers["x-ratelimit-remaining"] == "0"


def test_invalid_requests_are_recorded_and_refused(sim: GitHubSimulator) -> None:
    assert raw(sim, "POST", f"{REPO}/check-runs", json={"name": "x"}).status_code == 422
    assert raw(sim, "GET", f"{REPO}/branches/main").status_code == 404  # not described
    assert [(m, p) for m, p, _ in sim.invalid_requests] == [
        ("POST", f"{REPO}/check-runs"),
        ("GET", f"{REPO}/branches/main"),
    ]
    assert "'head_sha' is a required property" in sim.invalid_requests[0][2][0]
    assert sim.repo(OWNER, NAME).check_runs == []
    sim.invalid_requests.clear()


def test_request_log_and_in_process_use(sim: GitHubSimulator) -> None:
    headers = {"Authorization": f"token {sim.issue_token()}", "User-Agent": "tests"}
    reply = Client(sim.wsgi_app).post(
        f"{REPO}/issues/7/comments", json={"body": "hi"}, headers=headers
    )
    assert reply.status_code == 201
    writes = [(r.method, r.json, r.status, r.is_write) for r in sim.writes()]
    assert writes == [("POST", {"body": "hi"}, 201, True)]
    assert sim.count("POST") == 1 and sim.count(path_prefix="/repos/") == 1
    sim.reset_log()
    assert sim.requests == [] and sim.count() == 0


@pytest.mark.parametrize("path", sorted(WEBHOOKS.glob("*.json")), ids=lambda p: p.stem)
def test_webhook_fixture_shape(path: Path) -> None:
    payload = json.loads(path.read_text(encoding="utf-8"))
    event, _, action = path.stem.partition(".")
    if event == "push":  # a push has no action: the rest of the name says which push it is
        action = ""
    assert payload.get("action") == (action or None)
    assert "sender" in payload
    # Installation events name repositories in lists of their own, not in "repository".
    assert ("repository" in payload) == (not event.startswith("installation"))
    assert ("changes" in payload) == (action == "edited")
