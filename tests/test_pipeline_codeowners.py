"""The App's check run shows the CODEOWNERS lines GitHub skips, and keeps its conclusion."""

from __future__ import annotations

from bot.evaluation.ports import ReviewInfo
from tests.builders import file_entry as entry
from tests.fakes import FakePort
from tests.test_pipeline import SPEC_CONFIG, make_port, run

CLEAN = "* @acme/backend\n"
BROKEN = "* @acme/backend\n!docs/ @acme/docs\nsrc/ octocat\n"


def port_with(
    codeowners: str, location: str = ".github/CODEOWNERS", config: str | None = SPEC_CONFIG
) -> FakePort:
    port = make_port([entry("src/app.py", 3)], config=config)
    port.contents[("main", location)] = codeowners
    return port


def test_the_check_summary_warns_of_codeowners_errors() -> None:
    port = port_with(BROKEN)
    record = run(port)
    assert record.tier == "L2"
    output = port.checks["h1"]["review-tiers"].output
    assert "### CODEOWNERS warnings" in output.summary
    assert "- `.github/CODEOWNERS` line 2: pattern '!docs/': negation" in output.summary
    assert "- `.github/CODEOWNERS` line 3: 'octocat' is not an owner" in output.summary
    # The good line still owns the file and asks its team.
    assert "acme/backend" in port.pulls[7].requested_teams
    # A second run converges: nothing to write.
    port.calls.clear()
    assert run(port).actions == [] and port.writes() == []


def test_the_warning_names_the_file_github_uses() -> None:
    port = port_with("src/ octocat\n", location="docs/CODEOWNERS")
    run(port)
    summary = port.checks["h1"]["review-tiers"].output.summary
    assert "- `docs/CODEOWNERS` line 1: 'octocat' is not an owner" in summary


def test_codeowners_errors_leave_a_passing_check_passing() -> None:
    outputs = []
    for codeowners in (CLEAN, BROKEN):
        port = port_with(codeowners, config=None)  # the defaults: one approval, no checks
        port.reviews[7] = [ReviewInfo("backer", "APPROVED", "h1")]
        run(port)
        outputs.append(port.checks["h1"]["review-tiers"].output)
    clean, broken = outputs
    assert (clean.status, clean.conclusion) == ("completed", "success")
    assert (broken.status, broken.conclusion, broken.title) == (
        clean.status,
        clean.conclusion,
        clean.title,
    )
    assert "CODEOWNERS warnings" not in clean.summary
    assert "CODEOWNERS warnings" in broken.summary
