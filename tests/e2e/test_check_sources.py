"""End to end: a required check pinned to its source cannot be satisfied by another app."""

from __future__ import annotations

import pytest

from tests.builders import file_entry
from tests.e2e.harness import OWNER, Processes, payload, wait_until
from tests.ghsim import GitHubSimulator

pytestmark = pytest.mark.e2e

GATED = "gated"
HEAD = "d" * 40
CONFIG = """version: 1
tiers:
  L2:
    checks:
      - {name: test, app: github-actions}
      - {name: lint, workflow: CI}
    reviewers: {teams: ["acme/backend"], required_approvals: 1}
"""


def gated(**changes: object) -> dict[str, object]:
    """Point a payload at the gated repository."""
    return {"repository__name": GATED, "repository__full_name": f"{OWNER}/{GATED}", **changes}


def review_tiers_check(sim: GitHubSimulator):
    runs = [r for r in sim.check_runs(OWNER, GATED, HEAD) if r.name == "review-tiers"]
    return max(runs, key=lambda r: r.id) if runs else None


def test_a_spoofed_check_from_another_app_does_not_pass_the_gate(
    sim: GitHubSimulator, app: Processes
) -> None:
    sim.add_repo(OWNER, GATED)
    sim.set_file(OWNER, GATED, "main", ".github/review-tiers.yml", CONFIG)
    sim.add_pull(OWNER, GATED, 1, author="dev", head_sha=HEAD, files=[file_entry("src/a.py", 2)])
    sim.add_review(OWNER, GATED, 1, "backer", "APPROVED")
    sim.add_app(777, "spoofer")
    sim.add_check_run(OWNER, GATED, HEAD, "lint", workflow="CI")
    sim.add_check_run(OWNER, GATED, HEAD, "test", conclusion="failure")  # the real CI failed
    sim.add_check_run(OWNER, GATED, HEAD, "test", app_id=777)  # another app says success
    opened = payload(
        "pull_request.opened",
        **gated(pull_request__number=1, pull_request__state="open", pull_request__head__sha=HEAD),
    )
    assert app.deliver("pull_request", opened).status_code == 202
    check = wait_until(lambda: review_tiers_check(sim), 30, "the review-tiers check")
    assert check.status == "in_progress" and check.conclusion is None
    summary = check.output["summary"]
    assert "check `test` from app github-actions: failure" in summary
    assert "a run from app spoofer was ignored" in summary
    assert "- [x] check `lint` from workflow CI: success" in summary
    # CI passes on a re-run; its completion is what GitHub delivers next.
    rerun = sim.add_check_run(OWNER, GATED, HEAD, "test")
    completed = payload(
        "check_run.completed",
        **gated(check_run__head_sha=HEAD, check_run__pull_requests=[], check_run__id=rerun.id),
    )
    assert app.deliver("check_run", completed).status_code == 202
    done = wait_until(
        lambda: (review_tiers_check(sim).conclusion == "success") and review_tiers_check(sim),
        30,
        "a successful review-tiers check",
    )
    assert (
        f"check `test` from app github-actions: success (run {rerun.id}" in (done.output["summary"])
    )
