"""Un-applying a hunks-only patch rebuilds the "before" text exactly, or refuses with None."""

from __future__ import annotations

import difflib
import re
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.diff import parse_files_listing, parse_unified_diff
from bot.core.unpatch import rebuild_before, unapply_patch
from tests.builders import ScratchRepo

NO_NEWLINE = "\\ No newline at end of file"


def keepends(text: str) -> list[str]:
    """Lines with their "\\n", split on "\\n" only (as git does; "\\r" is content)."""
    return [line for line in re.split(r"(?<=\n)", text) if line]


def difflib_patch(before: str, after: str) -> str:
    """The hunks-only patch git would show: difflib's hunks plus git's no-newline markers."""
    rows = list(difflib.unified_diff(keepends(before), keepends(after), n=3))[2:]
    # difflib leaves a line without "\n" as is; git ends it and adds the marker line.
    return "".join(r if r.endswith("\n") else f"{r}\n{NO_NEWLINE}\n" for r in rows)


def git_patch(scratch: ScratchRepo, before: str, after: str, *options: str) -> str:
    """The hunks-only patch of a real ``git diff``, as GitHub's files listing carries it."""
    scratch.write("f.txt", before)
    base = scratch.commit("before")
    scratch.write("f.txt", after)
    head = scratch.commit("after")
    # Read the diff as bytes: text mode would turn the "\r\n" of CRLF files into "\n".
    command = ["git", "-C", str(scratch.root), "diff", *options, base, head, "--", "f.txt"]
    diff = subprocess.run(command, capture_output=True, check=True).stdout.decode()
    return diff[diff.index("@@") :].removesuffix("\n")  # GitHub drops the final newline


def github_style(patch: str, final_newline: bool) -> str:
    return patch if final_newline else patch.removesuffix("\n")


short_lines = st.lists(st.text(alphabet="ab \t\r", max_size=3), max_size=15)


def as_text(lines: list[str], final_newline: bool) -> str:
    return "".join(f"{line}\n" for line in lines) if final_newline else "\n".join(lines)


@settings(deadline=None, max_examples=400)
@given(before=short_lines, after=short_lines, final_newline=st.booleans())
def test_round_trip_with_final_newlines(
    before: list[str], after: list[str], final_newline: bool
) -> None:
    old, new = as_text(before, True), as_text(after, True)
    patch = github_style(difflib_patch(old, new), final_newline)
    assert NO_NEWLINE not in patch
    assert unapply_patch(new, patch) == old


@settings(deadline=None, max_examples=400)
@given(
    before=short_lines,
    after=short_lines,
    old_newline=st.booleans(),
    new_newline=st.booleans(),
)
def test_round_trip_with_or_without_final_newlines(
    before: list[str], after: list[str], old_newline: bool, new_newline: bool
) -> None:
    old, new = as_text(before, old_newline), as_text(after, new_newline)
    assert unapply_patch(new, github_style(difflib_patch(old, new), False)) == old


MARKER_CASES = {
    "newline added at the end": ("a\nb", "a\nb\nc\n"),
    "newline removed at the end": ("a\nb\n", "a\nc"),
    "last line changed, neither ends": ("a\nb", "a\nc"),
    "unchanged last line without newline": ("1\n2\n3\n4\n5\n6\ntail", "0\n2\n3\n4\n5\n6\ntail"),
    "two hunks, the last one at the end": (
        "".join(f"{i}\n" for i in range(20)) + "end",
        "".join(f"{i}\n" for i in range(20) if i != 2) + "END",
    ),
    "from empty": ("", "a"),
    "to empty": ("a", ""),
    "carriage returns are content": ("a\r\nb\r\n", "a\r\nc\r\n"),
}


@pytest.mark.parametrize(("before", "after"), MARKER_CASES.values(), ids=MARKER_CASES.keys())
@pytest.mark.parametrize("context", ["-U3", "-U0", "-U1"])
def test_round_trip_of_real_git_diffs(
    scratch: ScratchRepo, before: str, after: str, context: str
) -> None:
    patch = git_patch(scratch, before, after, context)
    assert unapply_patch(after, patch) == before


def test_git_marks_missing_newlines_as_the_test_helper_does(scratch: ScratchRepo) -> None:
    patch = git_patch(scratch, "a\nb", "a\nb\nc\n")
    assert patch == f"@@ -1,2 +1,3 @@\n a\n-b\n{NO_NEWLINE}\n+b\n+c"
    assert github_style(difflib_patch("a\nb", "a\nb\nc\n"), False) == patch
    both = git_patch(scratch, "x\ny", "z\ny")
    assert both == f"@@ -1,2 +1,2 @@\n-x\n+z\n y\n{NO_NEWLINE}"


PATCH = difflib_patch("a\nb\nc\nd\n", "a\nB\nc\nd\n")  # "@@ -1,4 +1,4 @@\n a\n-b\n+B\n c\n d\n"


@pytest.mark.parametrize(
    "after",
    [
        "a\nX\nc\nd\n",  # an added line differs
        "A\nB\nc\nd\n",  # a context line differs
        "a\nB\nc\n",  # shorter than the hunk
        "a\nB\nc\nd",  # the patch says the last line ends with a newline
        "",
    ],
)
def test_after_text_that_does_not_fit_gives_none(after: str) -> None:
    assert unapply_patch("a\nB\nc\nd\n", PATCH) == "a\nb\nc\nd\n"
    assert unapply_patch(after, PATCH) is None


def test_lines_outside_the_hunks_are_kept() -> None:
    assert unapply_patch("a\nB\nc\nd\ne\nf\n", PATCH) == "a\nb\nc\nd\ne\nf\n"


def test_empty_patch_changes_nothing() -> None:
    assert unapply_patch("a\n", "") == "a\n"


@pytest.mark.parametrize(
    "patch",
    [
        "garbage",
        " a",
        "@@ -1 +1 @@",
        "@@ -1,2 +1,2 @@\n a",
        "@@ -a,1 +1 @@\n-a\n+b",
        "@@ -1 +1 @@\n?a\n+b",
        "@@ -1 +1 @@\n-a\n+b\n+c",
        "@@ -1 +1 @@\n-a\n\n+b",
        "@@ -1 +1 @@\n-z\n+a\ntrailing",
        f"@@ -1 +1 @@\n{NO_NEWLINE}\n-z\n+a",
        f"@@ -1 +1 @@\n-z\n+a\n{NO_NEWLINE}\n{NO_NEWLINE}",
        f"@@ -1,2 +1,2 @@\n-z\n{NO_NEWLINE}\n+a\n b",
        "@@ -0,1 +0,1 @@\n-z\n+a",
        "@@ -1,0 +1,0 @@",
        "@@ -2 +2 @@\n-z\n+b\n@@ -1 +1 @@\n-z\n+a",
        "@@ -5 +1 @@\n-z\n+a",
        "@@ -1 +1 @@\n-z\n+a\n@@ -1 +1 @@\n-z\n+a",
        "@@ -1 +1 @@\n-z\n+a\n@@ -3 +3 @@\n-z\n+c",
        "@@ -99999999999999999999 +1 @@\n-z\n+a",
    ],
)
def test_garbage_patch_gives_none(patch: str) -> None:
    assert unapply_patch("a\nb\n", patch) is None


patchy_rows = st.one_of(
    st.sampled_from(
        ["@@ -1 +1 @@", "@@ -0,0 +1,2 @@", "@@ -1,3 +1,0 @@", "@@ -2,2 +2 @@", NO_NEWLINE]
    ),
    st.text(alphabet=" +-ab\\\r", max_size=4),
)


@settings(deadline=None, max_examples=500)
@given(after=st.text(), patch=st.text())
def test_never_raises_on_arbitrary_text(after: str, patch: str) -> None:
    assert unapply_patch(after, patch) is None or patch == "" or "@@" in patch


@settings(deadline=None, max_examples=1000)
@given(after=st.text(alphabet="ab\n\r"), rows=st.lists(patchy_rows, max_size=10))
def test_never_raises_on_patch_like_text(after: str, rows: list[str]) -> None:
    result = unapply_patch(after, "\n".join(rows))
    assert result is None or isinstance(result, str)


def test_listing_entries_carry_their_patch_and_unified_diffs_do_not() -> None:
    listed = parse_files_listing([{"filename": "a.py", "patch": PATCH}, {"filename": "b.bin"}])
    assert [f.patch for f in listed.files] == [PATCH, None]
    diff = "--- a/a.py\n+++ b/a.py\n" + PATCH
    assert parse_unified_diff(diff).files[0].patch is None


REMOVED = f"@@ -1,2 +0,0 @@\n-def f():\n-    pass\n{NO_NEWLINE}"


@pytest.mark.parametrize(
    ("entry", "after", "before"),
    [
        ({"status": "modified", "patch": PATCH}, "a\nB\nc\nd\n", "a\nb\nc\nd\n"),
        (
            {"status": "renamed", "previous_filename": "old.py", "patch": PATCH},
            "a\nB\nc\nd\n",
            "a\nb\nc\nd\n",
        ),
        ({"status": "modified", "patch": PATCH}, "not the head version\n", None),
        ({"status": "modified", "patch": PATCH}, None, None),
        ({"status": "modified", "additions": 900}, "a\n", None),  # GitHub left the patch out
        ({"status": "added", "patch": "@@ -0,0 +1 @@\n+a"}, "a\n", None),
        ({"status": "removed", "patch": REMOVED}, None, "def f():\n    pass"),
    ],
)
def test_rebuild_before_from_a_listing_entry(
    entry: dict[str, object], after: str | None, before: str | None
) -> None:
    change = parse_files_listing([{"filename": "a.py", **entry}]).files[0]
    assert rebuild_before(change, after) == before
