"""The policy-change section: which files count, the directions, the rendering and its limits."""

from __future__ import annotations

from bot.core.actions import CheckState
from bot.core.codeowners import CodeOwnersError
from bot.core.config import ConfigProblem
from bot.core.diff import parse_files_listing
from bot.core.models import Tier
from bot.core.outcome import OUTPUT_LIMIT
from bot.core.preview import (
    LOWERED,
    RAISED,
    UNCHANGED,
    NewFiles,
    PolicyPreview,
    PolicyTouch,
    PreviewRow,
    policy_touch,
)
from bot.core.render_preview import SHOWN_ROWS, with_preview
from tests.builders import file_entry

L1, L2, L3 = Tier.L1, Tier.L2, Tier.L3
WAITING = CheckState("in_progress", None, "L2: waiting for 1 approval(s)", "## Review tier: L2\n")
MET = CheckState("completed", "success", "L2: requirements met", "## Review tier: L2\n")


def touched(*paths: str, renamed_from: str | None = None) -> PolicyTouch:
    entries = [file_entry(p, 1) for p in paths]
    if renamed_from:
        entries[0] |= {"status": "renamed", "previous_filename": renamed_from}
    return policy_touch(parse_files_listing(entries))


def test_policy_touch_names_the_policy_codeowners_and_spec_files() -> None:
    assert not touched("src/app.py", "docs/review-tiers.yml")
    assert touched(".github/review-tiers.yml").paths == (".github/review-tiers.yml",)
    both = touched("docs/CODEOWNERS", "CODEOWNERS")
    assert both.codeowners == ("CODEOWNERS", "docs/CODEOWNERS")
    assert touched("review-tiers.yml") == PolicyTouch(spec=True)
    # Moving the policy away changes it as much as editing it.
    assert touched("old.yml", renamed_from=".github/review-tiers.yml").policy


def test_directions_compare_ranks() -> None:
    assert PreviewRow(1, "t", L2, L3).direction == RAISED
    assert PreviewRow(1, "t", L3, L1).direction == LOWERED
    assert PreviewRow(1, "t", L2, L2).direction == UNCHANGED


def preview(rows: list[PreviewRow], **fields: object) -> PolicyPreview:
    new = fields.pop("new", NewFiles(".github/review-tiers.yml on h1"))
    return PolicyPreview(PolicyTouch(policy=True), new, "main", tuple(rows), **fields)  # type: ignore[arg-type]


def test_the_section_counts_each_direction_and_lists_moves_first() -> None:
    rows = [
        PreviewRow(3, "same", L2, L2),
        PreviewRow(5, "up", L2, L3),
        PreviewRow(4, "down", L3, L1),
    ]
    out = with_preview(WAITING, preview(rows, open_pulls=3), L2)
    assert out.status == "in_progress"
    summary = out.summary
    assert summary.startswith("## Review tier: L2\n")
    assert "### Policy change" in summary
    assert (
        "3 open pull request(s) previewed under the new files: "
        "1 ↑ raised, 1 ↓ lowered, 1 = unchanged." in summary
    )
    listed = [line for line in summary.splitlines() if line.startswith("- ")]
    assert listed == ["- ↑ #5 L2 → L3: up", "- ↓ #4 L3 → L1: down", "- = #3 L2 → L2: same"]
    assert out.text == ""  # everything fits the summary


def test_the_same_preview_renders_the_same_check() -> None:
    rows = [PreviewRow(n, f"change {n}", L2, L3 if n % 2 else L2) for n in range(20)]
    assert with_preview(MET, preview(rows), L2) == with_preview(MET, preview(rows[::-1]), L2)


def test_errors_in_the_new_policy_fail_the_check_even_when_requirements_are_met() -> None:
    problem = ConfigProblem("tiers.L3.when.min_owners", 40, "must be at least 0")
    new = NewFiles(".github/review-tiers.yml on h1", (problem,))
    out = with_preview(MET, preview([], new=new), L2)
    assert (out.status, out.conclusion) == ("completed", "failure")
    assert out.title == "L2: the new policy has 1 error(s)"
    assert "#### Errors in the new policy" in out.summary
    assert "- `tiers.L3.when.min_owners` line 40: must be at least 0" in out.summary
    assert "No preview: the new policy has errors." in out.summary


def test_new_codeowners_errors_are_warnings_that_do_not_fail() -> None:
    error = CodeOwnersError(
        2, "INVALID_OWNER", "'octocat' is not an owner", path=".github/CODEOWNERS"
    )
    new = NewFiles("CODEOWNERS on h1", codeowners_errors=(error,))
    touch = PolicyTouch(codeowners=(".github/CODEOWNERS",))
    out = with_preview(MET, PolicyPreview(touch, new, "main"), L2)
    assert out.conclusion == "success"
    assert "#### New CODEOWNERS warnings" in out.summary
    assert "- `.github/CODEOWNERS` line 2: 'octocat' is not an owner" in out.summary


def test_left_out_pull_requests_are_counted_with_why() -> None:
    rows = [PreviewRow(n, "t", L2, L2) for n in range(50)]
    stopped = "the installation's rate limit ran low"
    out = with_preview(MET, preview(rows, over_cap=10, not_previewed=3, stopped=stopped), L2)
    assert "10 more open pull requests were not previewed (`preview.max_pulls`" in out.summary
    assert f"3 more open pull requests were not previewed: {stopped}." in out.summary


def test_titles_are_shown_as_written_not_as_markup() -> None:
    rows = [PreviewRow(1, "## Heading <b>x</b> [link](u) `code`\nnext", L1, L2)]
    out = with_preview(MET, preview(rows), L2)
    assert (
        "- ↑ #1 L1 → L2: \\#\\# Heading &lt;b&gt;x&lt;/b&gt; \\[link\\](u) \\`code\\` next"
        in out.summary
    )


def test_rows_past_the_shown_count_go_to_the_text() -> None:
    rows = [PreviewRow(n, f"pull {n}", L2, L2) for n in range(SHOWN_ROWS + 5)]
    out = with_preview(MET, preview(rows), L2)
    assert "- …and 5 more (the check's details list them all)" in out.summary
    assert out.text.startswith(f"## Policy preview: all {SHOWN_ROWS + 5} open pull requests")
    assert all(f"#{n} L2 → L2: pull {n}\n" in out.text for n in range(SHOWN_ROWS + 5))


def test_a_summary_over_the_limit_is_cut_and_the_full_list_is_in_the_text() -> None:
    full = CheckState("completed", "success", "L2", "## Review tier: L2\n" + "x" * 60_000 + "\n")
    rows = [PreviewRow(n, "t" * 80, L2, L3) for n in range(SHOWN_ROWS)]
    out = with_preview(full, preview(rows), L2)
    assert len(out.summary) <= OUTPUT_LIMIT
    shown = [line for line in out.summary.splitlines() if line.startswith("- ↑")]
    assert 0 < len(shown) < SHOWN_ROWS
    assert f"- …and {SHOWN_ROWS - len(shown)} more" in out.summary
    assert out.text.count("- ↑ #") == SHOWN_ROWS
    # A summary that leaves no room at all is cut itself: the section is never dropped.
    huge = CheckState("completed", "success", "L2", "y" * OUTPUT_LIMIT)
    out = with_preview(huge, preview(rows), L2)
    assert len(out.summary) <= OUTPUT_LIMIT and "### Policy change" in out.summary


def test_a_preview_turned_off_says_so() -> None:
    out = with_preview(MET, preview([], off=True), L2)
    assert "No preview: `preview.max_pulls` is 0 on the base branch." in out.summary
    assert "previewed under the new files" not in out.summary
