"""Rebuild a file's "before" text by un-applying a hunks-only patch to its "after" text."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.models import FileChange

# "@@ -a,b +c,d @@ optional section heading"; a missing count means 1. The digit caps keep
# garbage headers from reaching int()'s limit on huge numbers.
_HUNK_HEADER = re.compile(r"@@ -(\d{1,9})(?:,(\d{1,9}))? \+(\d{1,9})(?:,(\d{1,9}))? @@")


class _Malformed(ValueError):
    """The patch is not well formed or does not fit the after text."""


@dataclass(frozen=True)
class _Hunk:
    old_start: int
    old_count: int
    new_start: int
    new_count: int
    # (mark, text with its line ending): mark is ' ', '+' or '-'.
    lines: tuple[tuple[str, str], ...]


def unapply_patch(after: str, patch: str) -> str | None:
    """The text that ``patch`` turned into ``after``; None when the patch does not fit it.

    Every context and added line is checked against ``after`` at its position, so a patch
    for some other version of the file is refused rather than producing a wrong "before".
    """
    try:
        return _unapply(_split_lines(after), _parse_hunks(patch))
    except _Malformed:
        return None


def rebuild_before(change: FileChange, after: str | None) -> str | None:
    """The "before" of a files-listing change from its patch, or None when it cannot be."""
    if change.patch is None or change.status == "added":
        return None
    if change.status == "removed":
        # A removed file's patch is all '-' lines: un-applied to nothing, it gives the file.
        return unapply_patch("", change.patch)
    return None if after is None else unapply_patch(after, change.patch)


def _split_lines(text: str) -> list[str]:
    """Lines with their "\\n" kept; only "\\n" ends a line, as in git (a "\\r" is content)."""
    parts = text.split("\n")
    lines = [p + "\n" for p in parts[:-1]]
    return [*lines, parts[-1]] if parts[-1] else lines


def _parse_hunks(patch: str) -> list[_Hunk]:
    rows = patch.split("\n")
    if rows[-1] == "":  # a final "\n" ends the last line; it does not start another
        rows.pop()
    hunks: list[_Hunk] = []
    i = 0
    while i < len(rows):
        header = _HUNK_HEADER.match(rows[i])
        if header is None:
            raise _Malformed(f"expected a hunk header, got {rows[i][:40]!r}")
        old_start, new_start = int(header[1]), int(header[3])
        old_count = 1 if header[2] is None else int(header[2])
        new_count = 1 if header[4] is None else int(header[4])
        lines, i = _hunk_body(rows, i + 1, old_count, new_count)
        hunks.append(_Hunk(old_start, old_count, new_start, new_count, lines))
    return hunks


def _hunk_body(
    rows: list[str], i: int, old_left: int, new_left: int
) -> tuple[tuple[tuple[str, str], ...], int]:
    """The hunk's lines from ``rows[i]`` on, with "\\ No newline" applied; and the next row."""
    lines: list[tuple[str, str]] = []
    while old_left > 0 or new_left > 0 or (i < len(rows) and rows[i].startswith("\\")):
        row = rows[i] if i < len(rows) else ""
        mark, text = row[:1], row[1:]
        if mark == "\\" and lines:
            # The previous line has no newline at the end of its side(s) of the file.
            prev_mark, prev_text = lines[-1]
            if not prev_text.endswith("\n"):
                raise _Malformed("two no-newline markers for one line")
            lines[-1] = (prev_mark, prev_text[:-1])
        elif mark in (" ", "-", "+"):
            old_left -= mark != "+"
            new_left -= mark != "-"
            if old_left < 0 or new_left < 0:
                raise _Malformed("a hunk has more lines than its header says")
            lines.append((mark, text + "\n"))
        else:
            raise _Malformed(f"unexpected line in a hunk: {row[:40]!r}")
        i += 1
    if not lines:
        raise _Malformed("empty hunk")
    return tuple(lines), i


def _unapply(after: list[str], hunks: list[_Hunk]) -> str:
    before: list[str] = []
    done = 0  # after-lines consumed so far
    for hunk in hunks:
        # With a count of 0, the start names the line the empty range follows.
        at = hunk.new_start - 1 if hunk.new_count else hunk.new_start
        old_at = hunk.old_start - 1 if hunk.old_count else hunk.old_start
        if at < done or at + hunk.new_count > len(after):
            raise _Malformed("hunks out of order or beyond the end of the file")
        before += after[done:at]
        if len(before) != old_at:
            raise _Malformed("the hunk's old start does not match the lines before it")
        for mark, text in hunk.lines:
            if mark != "+":
                before.append(text)
            if mark != "-":
                if after[at] != text:
                    raise _Malformed(f"line {at + 1} does not match the patch")
                at += 1
        done = at
    before += after[done:]
    if any(not line.endswith("\n") for line in before[:-1]):
        raise _Malformed("a line without a newline is not the last line")
    return "".join(before)
