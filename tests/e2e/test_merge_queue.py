"""End to end: a merge group's check on its head, from the pull requests' own checks."""

from __future__ import annotations

from typing import Any

import pytest
from redis import Redis

from tests.builders import file_entry
from tests.e2e.harness import OWNER, Processes, audit_records, payload, wait_until
from tests.ghsim import GitHubSimulator
from tests.ghsim.merge_groups import merge_group_object
from tests.ghsim.state import MergeGroup

pytestmark = pytest.mark.e2e

QUEUED = "queued"
CONFIG = """version: 1
tiers:
  L2:
    reviewers: {teams: ["acme/backend"], required_approvals: 1}
"""


def queued(name: str, **changes: Any) -> dict[str, Any]:
    """A real payload pointed at the queued repository."""
    return payload(
        name, repository__name=QUEUED, repository__full_name=f"{OWNER}/{QUEUED}", **changes
    )


def review_tiers(sim: GitHubSimulator, head: str):
    runs = [r for r in sim.check_runs(OWNER, QUEUED, head) if r.name == "review-tiers"]
    return max(runs, key=lambda r: r.id) if runs else None


def settled(sim: GitHubSimulator, head: str, status: str, conclusion: str | None = None):
    def done():
        run = review_tiers(sim, head)
        return run if run and (run.status, run.conclusion) == (status, conclusion) else None

    return wait_until(done, 30, f"review-tiers {status} {conclusion} on {head[:7]}")


def pull_delivery(app: Processes, event: str, number: int, head: str) -> None:
    body = queued(
        f"{event}.{'opened' if event == 'pull_request' else 'submitted'}",
        pull_request__number=number,
        pull_request__state="open",
        pull_request__head__sha=head,
        pull_request__base__ref="main",
    )
    assert app.deliver(event, body).status_code == 202


def group_delivery(app: Processes, group: MergeGroup, action: str = "checks_requested") -> None:
    body = queued(f"merge_group.{action}", merge_group=merge_group_object(group))
    assert app.deliver("merge_group", body).status_code == 202


def rerun(app: Processes, sim: GitHubSimulator, group: MergeGroup) -> None:
    """Someone presses "Re-run" on the group's check: GitHub lists no pull request for it."""
    run = review_tiers(sim, group.head_sha)
    body = queued(
        "check_run.rerequested",
        check_run__id=run.id,
        check_run__head_sha=group.head_sha,
        check_run__pull_requests=[],
        check_run__app__id=sim.app.id,
        check_run__check_suite__head_branch=group.head_ref.removeprefix("refs/heads/"),
    )
    assert app.deliver("check_run", body).status_code == 202


def group_records(app: Processes) -> list[dict[str, Any]]:
    return [r for r in audit_records(app.env["REDIS_URL"]) if r.get("kind") == "merge_group"]


@pytest.fixture(scope="module")
def two_pulls(sim: GitHubSimulator, app: Processes) -> tuple[str, str]:
    """Pull requests #1 (approved) and #2 (not approved), each evaluated on its head."""
    sim.add_repo(OWNER, QUEUED)
    sim.set_file(OWNER, QUEUED, "main", ".github/review-tiers.yml", CONFIG)
    heads = ("1" * 40, "2" * 40)
    for number, head in enumerate(heads, 1):
        sim.add_pull(
            OWNER,
            QUEUED,
            number,
            author="dev",
            head_sha=head,
            title=f"Change {number}",
            files=[file_entry(f"src/m{number}.py", 3)],
        )
    sim.add_review(OWNER, QUEUED, 1, "backer", "APPROVED", commit_id=heads[0])
    for number, head in enumerate(heads, 1):
        pull_delivery(app, "pull_request", number, head)
    settled(sim, heads[0], "completed", "success")
    settled(sim, heads[1], "in_progress")
    return heads


def test_a_group_with_an_unapproved_pull_request_does_not_pass(
    sim: GitHubSimulator, app: Processes, two_pulls: tuple[str, str]
) -> None:
    group = sim.add_merge_group(OWNER, QUEUED, [1, 2])
    group_delivery(app, group)
    check = settled(sim, group.head_sha, "completed", "failure")
    assert check.output["title"].startswith(
        "#2 blocks the group: its review-tiers check on 2222222 is in progress"
    )
    summary = check.output["summary"]
    assert "| #1 Change 1 | L2 | ✅ its review-tiers check on 1111111 passed |" in summary
    assert "| #2 Change 2 | L2 | ❌ its review-tiers check on 2222222 is in progress |" in summary
    # No review requests, labels or comments for a group: its check is the only write.
    assert {(w.method, w.template) for w in sim.writes() if group.head_sha in str(w.json)} == {
        ("POST", "/repos/{owner}/{repo}/check-runs")
    }


def test_a_group_of_approved_pull_requests_passes_and_its_cost(
    sim: GitHubSimulator, app: Processes, two_pulls: tuple[str, str]
) -> None:
    sim.add_review(OWNER, QUEUED, 2, "backer", "APPROVED", commit_id=two_pulls[1])
    pull_delivery(app, "pull_request_review", 2, two_pulls[1])
    settled(sim, two_pulls[1], "completed", "success")
    # GitHub builds a new group once the first one failed.
    group = sim.add_merge_group(OWNER, QUEUED, [1, 2])
    before = len(group_records(app))
    sim.reset_log()
    group_delivery(app, group)
    check = settled(sim, group.head_sha, "completed", "success")
    wait_until(lambda: len(group_records(app)) > before, 30, "the group's audit record")
    assert check.output["title"] == "2 pull request(s), each passed review-tiers"
    calls = [(r.method, r.template) for r in sim.requests if r.template]
    # One compare, one lookup per commit (2 pull request heads, 2 merge commits), one check
    # read per pull request, one read and one write of the group's own check.
    assert calls.count(("GET", "/repos/{owner}/{repo}/compare/{basehead}")) == 1
    assert calls.count(("GET", "/repos/{owner}/{repo}/commits/{commit_sha}/pulls")) == 4
    assert calls.count(("GET", "/repos/{owner}/{repo}/commits/{ref}/check-runs")) == 3
    assert calls.count(("POST", "/repos/{owner}/{repo}/check-runs")) == 1
    repo_calls = [c for c in calls if c[1].startswith("/repos/")]
    assert len(repo_calls) == 9, repo_calls
    # A redelivery of the same delivery queues nothing; a new delivery of the same group
    # converges on the same check without a write.
    group_delivery(app, group)
    wait_until(lambda: len(group_records(app)) > before + 1, 30, "a second group record")
    assert [r.id for r in sim.check_runs(OWNER, QUEUED, group.head_sha)] == [check.id]


def test_a_rerun_of_the_group_check_evaluates_the_group_again(
    sim: GitHubSimulator, app: Processes, two_pulls: tuple[str, str]
) -> None:
    group = sim.add_merge_group(OWNER, QUEUED, [1, 2])
    group_delivery(app, group)
    settled(sim, group.head_sha, "completed", "success")
    # #1 loses its approval while queued: its own check reopens.
    review = next(r for r in sim.pull(OWNER, QUEUED, 1).reviews if r.state == "APPROVED")
    sim.dismiss_review(OWNER, QUEUED, 1, review.id)
    pull_delivery(app, "pull_request_review", 1, two_pulls[0])
    settled(sim, two_pulls[0], "in_progress")
    rerun(app, sim, group)
    check = settled(sim, group.head_sha, "completed", "failure")
    assert check.output["title"].startswith("#1 blocks the group")
    runs = [r.id for r in sim.check_runs(OWNER, QUEUED, group.head_sha)]
    # Once the group is destroyed its record is gone: a re-run finds no pull request for the
    # head and writes nothing.
    redis = Redis.from_url(app.env["REDIS_URL"])
    assert redis.keys(f"rt:group:*{group.head_sha}")
    group_delivery(app, group, "destroyed")
    wait_until(lambda: not redis.keys(f"rt:group:*{group.head_sha}"), 30, "the group forgotten")
    sim.reset_log()
    rerun(app, sim, group)
    wait_until(
        lambda: sim.count("GET", f"/repos/{OWNER}/{QUEUED}/commits/{group.head_sha}/pulls"),
        30,
        "the commit's lookup",
    )
    assert sim.count("GET", f"/repos/{OWNER}/{QUEUED}/compare/") == 0
    assert [r.id for r in sim.check_runs(OWNER, QUEUED, group.head_sha)] == runs
    assert sim.writes() == []
