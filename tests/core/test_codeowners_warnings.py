"""CODEOWNERS lines GitHub skips are shown as warnings: check summary, text and JSON."""

from __future__ import annotations

from bot.core.codeowners import INVALID_OWNER, INVALID_PATTERN
from bot.core.config import OwnershipPolicy, Policy
from bot.core.diff import parse_files_listing
from bot.core.evaluate import Evaluation, evaluate
from bot.core.models import PullMeta, RepoContext
from bot.core.outcome import check_for_decision
from bot.core.render import (
    CODEOWNERS_ERRORS_SHOWN,
    Progress,
    decision_json,
    render_markdown,
    render_text,
)
from tests.builders import file_entry

BROKEN = "* @acme/all\n!docs/ @acme/docs\ndocs/**/[ab].md @acme/docs\nsrc/ octocat\n"


def run(codeowners: str, policy: Policy | None = None) -> Evaluation:
    return evaluate(
        parse_files_listing([file_entry("src/app.py", 3)]),
        RepoContext(codeowners=codeowners, codeowners_path=".github/CODEOWNERS"),
        PullMeta(author="dev"),
        policy or Policy(),
    )


def test_the_facts_carry_each_skipped_line_with_its_file() -> None:
    errors = run(BROKEN).facts.codeowners_errors
    assert [(e.path, e.line, e.kind) for e in errors] == [
        (".github/CODEOWNERS", 2, INVALID_PATTERN),
        (".github/CODEOWNERS", 3, INVALID_PATTERN),
        (".github/CODEOWNERS", 4, INVALID_OWNER),
    ]
    # The good line still decides ownership, as on GitHub.
    assert run(BROKEN).facts.owners == ("@acme/all",)


def test_no_warnings_when_codeowners_is_off_or_clean() -> None:
    off = Policy(ownership=OwnershipPolicy(codeowners=False))
    assert run(BROKEN, off).facts.codeowners_errors == ()
    result = run("* @acme/all\n")
    assert result.facts.codeowners_errors == ()
    assert "CODEOWNERS" not in render_markdown(result.facts, result.decision)
    assert "CODEOWNERS" not in render_text(result.facts, result.decision)
    assert decision_json(result.facts, result.decision)["codeowners_errors"] == []


def test_markdown_lists_path_line_and_what_is_wrong() -> None:
    result = run(BROKEN)
    summary = render_markdown(result.facts, result.decision)
    section = summary.split("### CODEOWNERS warnings\n", 1)[1].split("\n### ", 1)[0]
    rows = [row for row in section.splitlines() if row.startswith("- ")]
    assert rows == [
        "- `.github/CODEOWNERS` line 2: pattern '!docs/': negation with '!' is not supported "
        "in CODEOWNERS",
        # Markdown specials of the pattern are escaped, so it is shown as written.
        "- `.github/CODEOWNERS` line 3: pattern 'docs/\\*\\*/\\[ab\\].md': character ranges "
        "with '\\[ \\]' are not supported in CODEOWNERS",
        "- `.github/CODEOWNERS` line 4: 'octocat' is not an owner: write @ then a login or "
        "org/team, or an email",
    ]
    assert "do not fail this check" in section
    # Between the owners and the requirements.
    assert summary.index("### Owners") < summary.index("### CODEOWNERS warnings")
    assert summary.index("### CODEOWNERS warnings") < summary.index("### Requirements")


def test_at_most_twenty_are_shown_then_how_many_more() -> None:
    text = "* @acme/all\n" + "".join(f"dir{n}/ owner{n}\n" for n in range(45))
    result = run(text)
    assert len(result.facts.codeowners_errors) == 45
    summary = render_markdown(result.facts, result.decision)
    shown = [row for row in summary.splitlines() if row.startswith("- `.github/CODEOWNERS`")]
    assert len(shown) == CODEOWNERS_ERRORS_SHOWN == 20
    assert shown[-1].startswith("- `.github/CODEOWNERS` line 21: 'owner19'")
    assert "- …and 25 more" in summary
    text_out = render_text(result.facts, result.decision)
    assert text_out.count("  - .github/CODEOWNERS line ") == 20
    assert "  - …and 25 more" in text_out
    # JSON is for machines: every error, whole.
    assert len(decision_json(result.facts, result.decision)["codeowners_errors"]) == 45


def test_a_very_long_line_is_shortened_for_people() -> None:
    result = run("* @acme/all\nsrc/ " + "x" * 5000 + "\n")
    row = next(r for r in render_text(result.facts, result.decision).splitlines() if "line 2" in r)
    assert len(row) < 250 and row.endswith("…")
    (error,) = decision_json(result.facts, result.decision)["codeowners_errors"]
    assert "x" * 5000 in error["source"]


def test_text_and_json_name_path_line_kind_and_source() -> None:
    result = run(BROKEN)
    out = render_text(result.facts, result.decision)
    assert "CODEOWNERS warnings (GitHub skips these lines, so they own nothing):" in out
    assert "  - .github/CODEOWNERS line 4: 'octocat' is not an owner" in out
    errors = decision_json(result.facts, result.decision)["codeowners_errors"]
    assert errors[2] == {
        "path": ".github/CODEOWNERS",
        "line": 4,
        "kind": "Invalid owner",
        "message": "'octocat' is not an owner: write @ then a login or org/team, or an email",
        "source": "src/ octocat",
    }


def test_warnings_leave_the_check_conclusion_alone() -> None:
    broken, clean = run(BROKEN), run("* @acme/all\n")
    for progress in ([], [Progress("team review", 1, 1)]):
        with_errors = check_for_decision(broken.facts, broken.decision, progress)
        without = check_for_decision(clean.facts, clean.decision, progress)
        assert (with_errors.status, with_errors.conclusion, with_errors.title) == (
            without.status,
            without.conclusion,
            without.title,
        )
        assert "### CODEOWNERS warnings" in with_errors.summary
