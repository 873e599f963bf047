"""Lexing for ``match: code``: MySQL's executable comments are code, and lexing is bounded."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.core import code_lines as lexing
from bot.core.code_lines import MAX_LEX_BYTES, MAX_LEX_TOKENS, code_lines
from bot.core.invariants import classify_invariant
from tests.core.test_invariant_match import MONEY, change

DROPS = replace(MONEY, id="no-drops", paths=("db/**",), patterns=(r"\bDROP\b",))


@pytest.mark.parametrize(
    "line",
    [
        "/*!50000 DROP TABLE users */;",
        "/*! DROP TABLE users */;",
        "SELECT 1; /*!40101 SET x = 1 */ /*! DROP TABLE users */;",
    ],
)
def test_a_mysql_executable_comment_is_code(line: str) -> None:
    file, contents = change("db/0002.sql", "SELECT 1;\n", f"SELECT 1;\n{line}\n")
    touch = classify_invariant([file], DROPS, contents)
    assert touch is not None and [r.code for r in touch.reasons] == ["invariant"]


def test_an_executable_comment_over_several_lines_is_code_to_its_end() -> None:
    text = "SELECT 1;\n/*!50000 SET x = 1,\n  y = 2 */ DROP TABLE t;\n/* DROP later */\n"
    read = code_lines(
        "db/a.sql", text, [(2, "/*!50000 SET x = 1,"), (3, "  y = 2 */ DROP TABLE t;")]
    )
    assert "SET x = 1" in read.code[2] and "y = 2" in read.code[3]
    assert "DROP" not in code_lines("db/a.sql", text, [(4, "/* DROP later */")]).code[4]


def test_a_plain_sql_comment_and_a_c_doc_comment_stay_comments() -> None:
    file, contents = change("db/0002.sql", "SELECT 1;\n", "SELECT 1;\n/* DROP TABLE old */\n")
    assert classify_invariant([file], DROPS, contents) is None
    doc = "/*! DROP the cache first */\nint x;\n"
    assert "DROP" not in code_lines("db/a.c", doc, [(1, "/*! DROP the cache first */")]).code[1]


def test_a_file_with_more_tokens_than_the_budget_falls_back_and_says_why(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(lexing, "MAX_LEX_TOKENS", 20)
    before = "x = 1\n" * 10
    file, contents = change("billing/ledger.py", before, before + "y = 2  # float\n")
    touch = classify_invariant([file], MONEY, contents)
    assert touch is not None
    fallback, hit = touch.reasons
    assert (fallback.code, hit.code) == ("invariant-fallback", "invariant")
    assert "lexing it took too long (over 20 tokens)" in fallback.message


def test_hostile_text_under_the_size_bound_is_cut_off(monkeypatch: pytest.MonkeyPatch) -> None:
    # One-character tokens: Python's lexer needs over ten seconds for 256 KiB of them, which
    # is 130,000 tokens, over MAX_LEX_TOKENS. A smaller budget keeps this test quick; the
    # lexer stops after as many tokens whatever follows.
    monkeypatch.setattr(lexing, "MAX_LEX_TOKENS", MAX_LEX_TOKENS // 10)
    hostile = "! " * ((MAX_LEX_BYTES - 64) // 2) + "\nx = 1.5\n"
    assert len(hostile) // 2 > MAX_LEX_TOKENS
    read = code_lines("billing/ledger.py", hostile, [(2, "x = 1.5")])
    assert read.problem == f"lexing it took too long (over {MAX_LEX_TOKENS // 10:,} tokens)"
