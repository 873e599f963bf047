"""The pipeline with pinned required checks: only the named source satisfies a requirement."""

from __future__ import annotations

from dataclasses import replace

from bot.core.check_matching import CheckObservations, SeenRun, SeenStatus
from bot.evaluation.ports import ReviewInfo
from tests.builders import file_entry as entry
from tests.fakes import FakePort
from tests.test_pipeline import SPEC_CONFIG, make_port, run

L2_CHECKS = '    checks: ["lint", "test"]\n    reviewers: {teams: ["acme/backend"]'
PINNED = (
    "    checks: [{name: lint, status: true}, {name: test, app: github-actions}]\n"
    '    reviewers: {teams: ["acme/backend"]'
)
WORKFLOW = "    checks: [{name: test, workflow: CI}]\n" + '    reviewers: {teams: ["acme/backend"]'


def pinned_port(checks: str = PINNED) -> FakePort:
    assert L2_CHECKS in SPEC_CONFIG
    port = make_port([entry("src/app.py", 3)], config=SPEC_CONFIG.replace(L2_CHECKS, checks))
    port.reviews[7] = [ReviewInfo("backer", "APPROVED", "h1")]
    return port


def ci_run(ident: int, conclusion: str, app: tuple[int, str] = (15368, "github-actions")):
    at = f"2024-05-02T10:{ident:02d}:00Z"
    return SeenRun(ident, "test", app[0], app[1], 9, "completed", conclusion, at, at)


def test_a_spoofed_check_does_not_pass_a_pinned_requirement() -> None:
    port = pinned_port()
    lint = SeenStatus(5, "lint", "success", "2024-05-02T10:00:00Z")
    failing, spoof = ci_run(10, "failure"), ci_run(11, "success", app=(99, "spoofer"))
    port.seen_checks["h1"] = CheckObservations((failing, spoof), (lint,))
    record = run(port)
    output = port.checks["h1"]["review-tiers"].output
    assert (output.status, output.title) == ("in_progress", "L2: waiting for 1 check(s)")
    assert (
        "- [ ] check `test` from app github-actions: failure (run 10 at 2024-05-02T10:10:00Z)"
        "; a run from app spoofer was ignored" in output.summary
    )
    assert "- [x] commit status `lint`: success (status 5" in output.summary
    checks = {r["name"]: r["obtained"] for r in record.requirements if "check:" in r["name"]}
    assert checks == {
        "check:lint@status": 1,
        "check:test@app:github-actions": 0,
    }
    # CI passes on a re-run: the newest run from the pinned source decides.
    port.seen_checks["h1"] = CheckObservations((failing, spoof, ci_run(12, "success")), (lint,))
    run(port)
    output = port.checks["h1"]["review-tiers"].output
    assert (output.status, output.conclusion) == ("completed", "success")


def test_unpinned_checks_are_marked_in_the_summary() -> None:
    port = make_port([entry("src/app.py", 3)])
    port.check_states["h1"] = {"lint": "success"}
    run(port)
    summary = port.checks["h1"]["review-tiers"].output.summary
    assert "- [x] check `lint` (unpinned): success (run 1 from app github-actions)" in summary
    assert "- [ ] check `test` (unpinned: any app or commit status)" not in summary
    assert "- [ ] no check run or commit status `test`" in summary


def test_workflow_names_are_asked_for_only_when_a_workflow_is_pinned() -> None:
    port = pinned_port()
    run(port)
    assert ("fetch_checks", ("h1", False)) in port.calls
    port = pinned_port(WORKFLOW)
    # L2 inherits L1's bare `lint` (a deeper tier never requires fewer checks).
    lint = SeenStatus(5, "lint", "success", "2024-05-02T10:00:00Z")
    ci = replace(ci_run(10, "success"), workflow="CI")
    port.seen_checks["h1"] = CheckObservations((ci,), (lint,))
    run(port)
    assert ("fetch_checks", ("h1", True)) in port.calls
    assert port.checks["h1"]["review-tiers"].output.conclusion == "success"
