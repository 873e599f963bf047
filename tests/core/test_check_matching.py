"""Matching required checks against the runs and statuses on a commit, by name and source."""

from __future__ import annotations

from dataclasses import replace

from bot.core.check_matching import (
    CheckObservations,
    SeenRun,
    SeenStatus,
    match_check,
    needs_workflows,
)
from bot.core.check_requirements import CheckRequirement, CheckSource

ACTIONS = (15368, "github-actions")
CI = CheckRequirement("test", CheckSource.APP, "github-actions")


def run(
    ident: int, name: str = "test", app: tuple[int, str] = ACTIONS, **fields: object
) -> SeenRun:
    base = SeenRun(ident, name, app[0], app[1], 500, "completed", "success")
    return replace(base, **{"completed_at": f"2024-05-02T10:{ident:02d}:00Z", **fields})


def seen(*items: SeenRun | SeenStatus) -> CheckObservations:
    runs = tuple(i for i in items if isinstance(i, SeenRun))
    return CheckObservations(runs, tuple(i for i in items if isinstance(i, SeenStatus)))


def test_a_spoofed_success_from_another_app_does_not_satisfy_a_pinned_check() -> None:
    verdict = match_check(CI, seen(run(10, conclusion="failure"), run(11, app=(99, "spoofer"))))
    assert not verdict.met
    assert verdict.sentence == (
        "check `test` from app github-actions: failure (run 10 at 2024-05-02T10:10:00Z)"
        "; a run from app spoofer was ignored"
    )


def test_no_run_from_the_pinned_source_is_unmet_and_says_what_was_ignored() -> None:
    spoof = SeenStatus(7, "test", "success", "2024-05-02T10:00:00Z")
    verdict = match_check(CI, seen(run(11, app=(99, "spoofer")), spoof))
    assert not verdict.met
    assert verdict.sentence == (
        "no run of `test` from app github-actions; "
        "a run from app spoofer and a commit status were ignored"
    )


def test_the_latest_run_decides_and_a_rerun_replaces_the_earlier_one() -> None:
    assert match_check(CI, seen(run(10, conclusion="failure"), run(12))).met
    assert not match_check(CI, seen(run(10), run(12, conclusion="failure"))).met
    # A re-run still in progress replaces the completed run it repeats: not met yet.
    rerun = run(13, status="in_progress", conclusion=None, completed_at=None)
    rerun = replace(rerun, started_at="2024-05-02T10:13:00Z")
    verdict = match_check(CI, seen(run(10), rerun))
    assert not verdict.met and "in_progress (run 13" in verdict.sentence


def test_neutral_and_skipped_pass_other_conclusions_fail() -> None:
    for conclusion, met in [("neutral", True), ("skipped", True), ("cancelled", False)]:
        assert match_check(CI, seen(run(10, conclusion=conclusion))).met is met


def test_an_app_by_id_or_slug() -> None:
    by_id = CheckRequirement("test", CheckSource.APP, 15368)
    assert match_check(by_id, seen(run(10))).met
    assert not match_check(by_id, seen(run(10, app=(15369, "github-actions")))).met
    # Slugs compare case-insensitively, as GitHub's URLs do.
    upper = CheckRequirement("test", CheckSource.APP, "GitHub-Actions")
    assert match_check(upper, seen(run(10))).met


def test_a_status_and_a_check_run_with_the_same_name_are_different_sources() -> None:
    failing = SeenStatus(7, "lint", "failure", "2024-05-02T10:30:00Z")
    passing = run(10, name="lint")
    status = CheckRequirement("lint", CheckSource.STATUS)
    verdict = match_check(status, seen(failing, passing))
    assert not verdict.met
    assert verdict.sentence == (
        "commit status `lint`: failure (status 7 at 2024-05-02T10:30:00Z)"
        "; a run from app github-actions was ignored"
    )
    ok = replace(failing, state="success")
    assert match_check(status, seen(ok)).met
    assert not match_check(
        CheckRequirement("lint", CheckSource.APP, "github-actions"), seen(ok)
    ).met


def test_unpinned_takes_the_latest_of_anything_and_says_so() -> None:
    lint = CheckRequirement("lint")
    early = run(10, name="lint", conclusion="failure")
    late = SeenStatus(7, "lint", "success", "2024-05-02T10:30:00Z")
    verdict = match_check(lint, seen(early, late))
    assert verdict.met
    assert verdict.sentence == (
        "check `lint` (unpinned): success (commit status 7 at 2024-05-02T10:30:00Z)"
    )
    # At equal times the check run wins over the commit status.
    tie = replace(late, updated_at="2024-05-02T10:10:00Z")
    assert not match_check(lint, seen(early, tie)).met
    assert match_check(lint, seen()).sentence == "no check run or commit status `lint`"


def test_a_workflow_pin_needs_an_actions_run_of_that_workflow() -> None:
    pinned = CheckRequirement("test", CheckSource.WORKFLOW, workflow="CI")
    assert needs_workflows([CI, pinned]) and not needs_workflows([CI])
    nightly = run(12, workflow="Nightly")
    ci = run(10, conclusion="failure", workflow="CI")
    verdict = match_check(pinned, seen(ci, nightly))
    assert not verdict.met
    assert verdict.sentence == (
        "check `test` from workflow CI: failure (run 10 at 2024-05-02T10:10:00Z)"
        "; a run from app github-actions (workflow Nightly) was ignored"
    )
    # Another app cannot claim a workflow's name.
    spoof = run(13, app=(99, "spoofer"), workflow="CI")
    assert not match_check(pinned, seen(spoof)).met
    assert match_check(pinned, seen(run(11, workflow="CI"))).met
