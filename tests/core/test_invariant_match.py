"""``match: code`` keeps comments and docstrings away from invariant patterns; ``all`` does not."""

from __future__ import annotations

import difflib
from dataclasses import replace

import pytest

from bot.core.code_lines import code_lines
from bot.core.config import MATCH_ALL, Invariant, Policy
from bot.core.contents import paths_needing_contents
from bot.core.diff import parse_files_listing, parse_unified_diff
from bot.core.invariants import classify_invariant
from bot.core.models import FileChange, FileVersions
from bot.core.policy import parse_policy

MONEY = Invariant("money", "Integer cents.", ("billing/**",), (r"\bfloat\b",))
EVERYTHING = replace(MONEY, paths=("**",))


def change(path: str, before: str, after: str) -> tuple[FileChange, dict[str, FileVersions]]:
    """A real unified diff of two versions, parsed, with the versions as contents."""
    diff = "".join(
        difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            f"a/{path}",
            f"b/{path}",
            n=1,
        )
    )
    (parsed,) = parse_unified_diff(f"diff --git a/{path} b/{path}\n{diff}").files
    return parsed, {path: FileVersions(before, after)}


def codes(file: FileChange, contents: dict[str, FileVersions], inv: Invariant) -> list[str]:
    touch = classify_invariant([file], inv, contents)
    return [] if touch is None else [r.code for r in touch.reasons]


PY_BEFORE = '''"""Ledger totals."""


def total(cents: list[int]) -> int:
    """Sum of cents.

    Amounts are integers.
    """
    return sum(cents)  # exact
'''

CASES = {
    "python-comment": (
        "billing/ledger.py",
        PY_BEFORE,
        PY_BEFORE.replace("# exact", "# never a float"),
    ),
    "python-docstring-middle": (
        "billing/ledger.py",
        PY_BEFORE,
        PY_BEFORE.replace("Amounts are integers.", "Amounts are integers, not float."),
    ),
    "python-module-docstring": (
        "billing/ledger.py",
        PY_BEFORE,
        PY_BEFORE.replace('"""Ledger totals."""', '"""Ledger totals: no float."""'),
    ),
    "javascript-line-and-block": (
        "billing/ledger.js",
        "/*\n * Totals.\n */\nexport const total = (c) => c.reduce((a, b) => a + b, 0);\n",
        "/*\n * Totals, never a float.\n */\n"
        "export const total = (c) => c.reduce((a, b) => a + b, 0); // float-free\n",
    ),
    "go-comment": (
        "billing/ledger.go",
        "package billing\n\n// Total sums cents.\nfunc Total(c []int64) int64 { return 0 }\n",
        "package billing\n\n// Total sums cents, no float.\n"
        "func Total(c []int64) int64 { return 0 }\n",
    ),
    "sql-comment": (
        "billing/schema.sql",
        "CREATE TABLE ledger (\n  amount BIGINT -- cents\n);\n",
        "CREATE TABLE ledger (\n  amount BIGINT -- cents, not float\n);\n",
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_a_match_in_a_comment_or_docstring_touches_only_with_match_all(name: str) -> None:
    path, before, after = CASES[name]
    file, contents = change(path, before, after)
    assert codes(file, contents, MONEY) == []
    assert codes(file, contents, replace(MONEY, match=MATCH_ALL)) == ["invariant"]


@pytest.mark.parametrize(
    ("path", "before", "after"),
    [
        ("billing/ledger.py", PY_BEFORE, PY_BEFORE.replace("sum(cents)", "float(sum(cents))")),
        (
            "billing/ledger.go",
            "var x int64\n",
            "var x float // a float\n",
        ),
        ("billing/a.sql", "SELECT 1;\n", "SELECT CAST(a AS float) FROM t;\n"),
        # An ordinary string literal is code: a query or a type name the program uses.
        ("billing/ledger.py", "T = 'int'\n", "T = 'float'\n"),
    ],
)
def test_a_match_in_code_touches(path: str, before: str, after: str) -> None:
    file, contents = change(path, before, after)
    assert codes(file, contents, MONEY) == ["invariant"]


def test_a_removed_comment_is_read_on_the_before_side() -> None:
    file, contents = change("billing/ledger.py", PY_BEFORE.replace("exact", "no float"), PY_BEFORE)
    assert file.removed_lines == ("    return sum(cents)  # no float",)
    assert codes(file, contents, MONEY) == []
    removed_code = change("billing/ledger.py", "x = float(1)\n", "x = 1\n")
    assert codes(*removed_code, MONEY) == ["invariant"]


def test_a_block_comment_opened_before_the_hunk_is_still_a_comment() -> None:
    head = "/* Rounding rules.\n" + "".join(f" * rule {n}\n" for n in range(30))
    before = head + " * keep cents\n */\nint total(void);\n"
    after = head + " * keep cents, not float\n */\nint total(void);\n"
    file, contents = change("billing/ledger.c", before, after)
    assert file.added_lines == (" * keep cents, not float",)
    assert file.added_numbers == (32,)
    assert codes(file, contents, MONEY) == []
    # The hunk alone would not say it: without the file's start, the line reads as code.
    hunk = " * rule 29\n * keep cents, not float\n */\n"
    assert "float" in code_lines("ledger.c", hunk, [(2, file.added_lines[0])]).code[2]


def test_a_preprocessor_directive_is_code() -> None:
    file, contents = change("billing/money.h", "#define AMOUNT long\n", "#define AMOUNT float\n")
    assert codes(file, contents, MONEY) == ["invariant"]


@pytest.mark.parametrize(
    ("path", "contents", "why"),
    [
        ("billing/ledger.zzunknown", None, "no lexer knows its file name"),
        ("billing/ledger.py", {}, "its contents were not available"),
        ("billing/ledger.py", {"billing/ledger.py": FileVersions("", "")}, "do not match the diff"),
    ],
)
def test_a_file_that_cannot_be_lexed_is_matched_whole_and_says_why(
    path: str, contents: dict[str, FileVersions] | None, why: str
) -> None:
    file, real = change(path, "x = 1\n", "x = 1  # float\n")
    touch = classify_invariant([file], MONEY, real if contents is None else contents)
    assert touch is not None
    fallback, hit = touch.reasons
    assert (fallback.code, hit.code) == ("invariant-fallback", "invariant")
    assert why in fallback.message and "whole lines matched" in fallback.message


def test_an_untouched_file_that_cannot_be_lexed_says_nothing() -> None:
    file, contents = change("billing/ledger.zzunknown", "x = 1\n", "x = 2\n")
    assert classify_invariant([file], MONEY, contents) is None


def test_a_file_over_the_lexing_bound_is_matched_whole() -> None:
    big = "# padding\n" * 30_000
    file, contents = change("billing/ledger.py", big + "x = 1\n", big + "x = 1  # float\n")
    touch = classify_invariant([file], MONEY, contents)
    assert touch is not None and "over the 256 KiB" in touch.reasons[0].message


def test_a_files_listing_patch_gives_line_numbers() -> None:
    patch = "@@ -3,3 +3,4 @@ def f():\n a\n-b\n+c\n+d\n e\n@@ -20,0 +22 @@\n+z\n\\ No newline"
    (file,) = parse_files_listing([{"filename": "a.py", "patch": patch}]).files
    assert (file.added_numbers, file.removed_numbers) == ((4, 5, 22), (4,))
    (broken,) = parse_files_listing([{"filename": "a.py", "patch": "@@ bad @@\n+x"}]).files
    assert (broken.added_lines, broken.added_numbers) == (("x",), ())


def test_only_code_reading_invariants_ask_for_contents() -> None:
    files = [FileChange("billing/a.py"), FileChange("docs/b.md")]
    assert paths_needing_contents(files, Policy()) == ()
    code = Policy(invariants=(MONEY,))
    assert paths_needing_contents(files, code) == ("billing/a.py",)
    assert paths_needing_contents(files, Policy(invariants=(replace(MONEY, patterns=()),))) == ()
    whole = Policy(invariants=(replace(EVERYTHING, match=MATCH_ALL),))
    assert paths_needing_contents(files, whole) == ()


def test_match_is_parsed_with_code_as_default_and_refuses_other_values() -> None:
    text = (
        "version: 1\ninvariants:\n  - {id: a, statement: s, paths: ['x/**']}\n"
        "  - {id: b, statement: s, paths: ['x/**'], match: all}\n"
    )
    policy = parse_policy(text).policy
    assert policy is not None
    assert [i.match for i in policy.invariants] == ["code", "all"]
    bad = parse_policy(text.replace("match: all", "match: comments"))
    assert bad.policy is None
    (problem,) = bad.problems
    assert problem.path == "invariants[1].match" and problem.line == 4
    assert "must be one of code, all" in problem.message


def test_crlf_files_are_lexed_and_a_lone_carriage_return_falls_back() -> None:
    before, after = "x = 1\r\n# note\r\n", "x = 1\r\n# no float\r\n"
    file, contents = change("billing/ledger.py", before, after)
    assert file.added_lines == ("# no float",)
    assert codes(file, contents, MONEY) == []
    lone = {"billing/ledger.py": FileVersions(before, after.replace("x = 1", "x\r= 1"))}
    assert codes(file, lone, MONEY) == ["invariant-fallback", "invariant"]
