"""Compile and run policy patterns on RE2, a linear-time engine, so no line can stall a worker.

Python's ``re`` backtracks: ``(\\w+\\s?)+\\bfloat\\b`` against one 80-character line the author
wrote can run for minutes. RE2 (the ``google-re2`` package) matches in time linear in the text
and refuses, at compile time, the features that need backtracking (lookarounds,
backreferences, atomic groups, possessive quantifiers), so ``check-config`` can name them.
Each pattern runs against one line at a time; a line longer than ``MAX_LINE_BYTES`` is never
cut short to fit: callers treat it as a hit of its own kind (the rule fails closed).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

# google-re2 ships no type information; it is used only through the typed surface below.
import re2  # type: ignore[import-untyped]

MAX_LINE_BYTES = 64 * 1024
ENGINE = "RE2"

# Fragments of RE2's error text, with what the user wrote and what to do instead.
_HINTS: tuple[tuple[str, str], ...] = (
    ("(?<=", "lookbehind is not supported"),
    ("(?<!", "lookbehind is not supported"),
    ("(?=", "lookahead is not supported"),
    ("(?!", "lookahead is not supported"),
    ("(?>", "atomic groups are not supported"),
    ("(?(", "conditional groups are not supported"),
    ("*+", "possessive quantifiers are not supported"),
    ("++", "possessive quantifiers are not supported"),
    ("?+", "possessive quantifiers are not supported"),
    ("\\Z", "write \\z for the end of the line"),
    ("\\u", "write \\x{00E9} for a code point"),
    ("\\U", "write \\x{0001F600} for a code point"),
    ("\\N", "write \\x{2014} for a code point"),
)


class PatternError(ValueError):
    """A pattern the linear-time engine cannot run; the message says why, for the user."""


@dataclass(frozen=True)
class LinePattern:
    """A compiled policy pattern: its text as written and the engine's program."""

    text: str
    ignore_case: bool = False
    program: Any = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class Hit:
    """The first line a pattern matched, or (``pattern`` None) a line too long to search."""

    line: str
    pattern: str | None
    size: int


def compile_pattern(text: str, ignore_case: bool = False) -> LinePattern:
    """Compile once per text and flag (cached); raises PatternError when RE2 cannot run it."""
    return _compile(text, ignore_case)


@lru_cache(maxsize=512)
def _compile(text: str, ignore_case: bool) -> LinePattern:
    options = re2.Options()
    # Errors come back as exceptions; RE2 would also print each one to stderr.
    options.log_errors = False
    options.case_sensitive = not ignore_case
    try:
        program = re2.compile(text, options)
    except re2.error as err:
        raise PatternError(_explain(text, err)) from err
    except (TypeError, UnicodeError) as err:
        raise PatternError(f"pattern {text!r} is not text RE2 can read ({err})") from err
    return LinePattern(text, ignore_case, program)


def pattern_problem(text: str) -> str | None:
    """A sentence saying why the linear-time engine cannot run ``text``, else None."""
    try:
        compile_pattern(text)
    except PatternError as err:
        return str(err)
    return None


def first_hit(lines: Iterable[str], patterns: Sequence[LinePattern]) -> Hit | None:
    """The first line one of ``patterns`` matches, else the first line over the size bound.

    A matching line wins over an over-long one, so the reason cites a real match when there is
    one; the over-long line is not searched at all (its cost is bounded), never truncated.
    """
    too_long: Hit | None = None
    for line in lines:
        data = line.encode("utf-8", "surrogatepass")
        if len(data) > MAX_LINE_BYTES:
            too_long = too_long or Hit(line, None, len(data))
            continue
        for pattern in patterns:
            if pattern.program.search(data) is not None:
                return Hit(line, pattern.text, len(data))
    return too_long


def _explain(text: str, err: Exception) -> str:
    raw = err.args[0] if err.args else ""
    detail = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    hint = _hint(text, detail)
    why = f" ({hint})" if hint else ""
    return (
        f"pattern {text!r} cannot run on {ENGINE}, the linear-time regex engine that policy "
        f"patterns use so that no input can stall the App: {detail}{why}"
    )


def _hint(text: str, detail: str) -> str:
    # RE2 names a backreference only by its first characters: "\\1" or "(?P".
    if detail[-2:-1] == "\\" and detail[-1:].isdigit():
        return "backreferences are not supported"
    if detail.endswith("(?P") and "(?P=" in text:
        return "backreferences are not supported"
    return next((why for fragment, why in _HINTS if fragment in detail), "")
