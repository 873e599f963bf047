"""Policy patterns run in linear time, keep their familiar meaning, and never see a cut line."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from bot.core.config import MATCH_ALL, AiPolicy, Invariant
from bot.core.invariants import classify_invariant
from bot.core.models import FileChange, PullMeta, Reason
from bot.core.patterns import (
    MAX_LINE_BYTES,
    PatternError,
    compile_pattern,
    first_hit,
    pattern_problem,
)
from bot.core.provenance import classify_provenance

HOSTILE_PATTERN = r"(\w+\s?)+\bfloat\b"
# 80 characters that make a backtracking engine try every split of each word run.
HOSTILE_LINE = ("a" * 22 + ";") * 3 + ";" * 11
MONEY = Invariant(
    id="money",
    statement="Integer cents.",
    paths=("billing/**",),
    patterns=(r"\bfloat\b", r"Decimal\("),
    # These changes come without contents: the engine is under test, not the lexer.
    match=MATCH_ALL,
)
CITED = 'billing/ledger.py touches "money" (Integer cents.)'


def ledger(*added: str) -> FileChange:
    return FileChange(path="billing/ledger.py", additions=len(added), added_lines=added)


def test_hostile_line_is_matched_in_linear_time() -> None:
    assert len(HOSTILE_LINE) == 80
    invariant = replace(MONEY, patterns=(HOSTILE_PATTERN,))
    change = ledger(HOSTILE_LINE, "total = price float")

    started = time.perf_counter()
    touch = classify_invariant([change], invariant)
    elapsed = time.perf_counter() - started

    # Python's re needs seconds for one such line; RE2 needs microseconds.
    assert elapsed < 1.0
    assert touch is not None
    assert touch.reasons == (
        Reason(
            "invariant",
            f"{CITED}: changed line `total = price float` matches /{HOSTILE_PATTERN}/",
        ),
    )


@pytest.mark.parametrize(
    ("line", "matched"),
    [
        ("    return float(cents) / 100", r"\bfloat\b"),
        ("    amount = Decimal('1.10')", r"Decimal\("),
        ("    floats = [1, 2]", None),
        ("    x = afloat", None),
        ("    x = Decimal", None),
    ],
    ids=["word", "call", "longer word", "no boundary", "no paren"],
)
def test_examples_keep_their_meaning(line: str, matched: str | None) -> None:
    hit = first_hit([line], [compile_pattern(p) for p in MONEY.patterns])

    assert (hit.pattern if hit else None) == matched


def test_line_over_the_bound_touches_the_invariant_as_truncated() -> None:
    long_line = "x = 1  # " + "y" * MAX_LINE_BYTES
    size = len(long_line.encode())

    touch = classify_invariant([ledger("x = 2", long_line)], MONEY)

    assert touch is not None
    assert touch.reasons == (
        Reason(
            "truncated",
            f"{CITED}: a changed line of {size} bytes is over the 64 KiB patterns are run on",
        ),
    )


def test_line_at_the_bound_is_searched_whole() -> None:
    # A match at the very end of a line exactly at the bound: nothing is cut off.
    line = "#" * (MAX_LINE_BYTES - len(" float")) + " float"
    assert len(line.encode()) == MAX_LINE_BYTES

    touch = classify_invariant([ledger(line)], MONEY)

    assert touch is not None and touch.reasons[0].code == "invariant"
    assert classify_invariant([ledger("#" * MAX_LINE_BYTES)], MONEY) is None


def test_a_real_match_is_cited_before_an_over_long_line() -> None:
    touch = classify_invariant([ledger("y" * (MAX_LINE_BYTES + 1), "z = float(a)")], MONEY)

    assert touch is not None and [r.code for r in touch.reasons] == ["invariant"]


def test_bound_counts_utf8_bytes() -> None:
    # 30,000 euro signs are 90,000 bytes: over the bound though under it in characters.
    hit = first_hit(["€" * 30_000], [compile_pattern("x")])

    assert hit is not None and hit.pattern is None and hit.size == 90_000


@pytest.mark.parametrize(
    "message",
    [
        "Fix rounding\n\nCo-authored-by: Claude <noreply@anthropic.com>",
        "Fix rounding\n\nco-authored-by: some CLAUDE helper",
        "Fix rounding\n\nGenerated-by: a tool",
    ],
    ids=["trailer", "any case", "generated-by"],
)
def test_trailers_match_at_line_starts_in_any_case(message: str) -> None:
    reasons = classify_provenance(PullMeta(commit_messages=(message,)), AiPolicy())

    assert [r.code for r in reasons] == ["ai-trailer"]
    assert message.splitlines()[-1] in reasons[0].message


def test_trailer_pattern_does_not_match_mid_line() -> None:
    meta = PullMeta(commit_messages=("Mention Generated-by: in the docs",))

    assert classify_provenance(meta, AiPolicy()) == ()


def test_over_long_commit_message_line_counts_as_ai_assisted() -> None:
    message = "Subject\n\n" + "z" * (MAX_LINE_BYTES + 10)

    reasons = classify_provenance(PullMeta(commit_messages=(message,)), AiPolicy())

    assert reasons == (
        Reason(
            "truncated",
            f"a commit message line of {MAX_LINE_BYTES + 10} bytes is over the 64 KiB trailer "
            "patterns are run on: counted as AI-assisted",
        ),
    )


def test_hostile_commit_message_is_fast() -> None:
    policy = AiPolicy(trailers=(HOSTILE_PATTERN,))
    started = time.perf_counter()
    reasons = classify_provenance(PullMeta(commit_messages=(HOSTILE_LINE,)), policy)

    assert time.perf_counter() - started < 1.0
    assert reasons == ()


@pytest.mark.parametrize(
    ("pattern", "why"),
    [
        (r"(?<!int\()float", "invalid perl operator: (?<! (lookbehind is not supported)"),
        (r"float(?=\()", "invalid perl operator: (?= (lookahead is not supported)"),
        (r"(\w+) \1", r"invalid escape sequence: \1 (backreferences are not supported)"),
        (r"(?P<n>\w+) (?P=n)", "invalid perl operator: (?P (backreferences are not supported)"),
        (r"(?>a+)b", "invalid perl operator: (?> (atomic groups are not supported)"),
        (r"a*+b", "bad repetition operator: *+ (possessive quantifiers are not supported)"),
        (r"float\Z", r"invalid escape sequence: \Z (write \z for the end of the line)"),
        ("float(", "missing ): float("),
    ],
    ids=["lookbehind", "lookahead", "backref", "named backref", "atomic", "possessive", "Z", "("],
)
def test_patterns_the_engine_cannot_run_say_why(pattern: str, why: str) -> None:
    expected = (
        f"pattern {pattern!r} cannot run on RE2, the linear-time regex engine that policy "
        f"patterns use so that no input can stall the App: {why}"
    )

    assert pattern_problem(pattern) == expected
    with pytest.raises(PatternError):
        compile_pattern(pattern)


def test_default_trailers_compile() -> None:
    assert [pattern_problem(p) for p in AiPolicy().trailers] == [None] * len(AiPolicy().trailers)
