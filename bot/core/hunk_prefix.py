"""Read only the first lines of both sides of a file's hunks, for the generated-code marker.

A file no rule reads the lines of still needs the first lines of its old and new versions, and
only the hunk covering line 1 shows them; the rest of its patch is skipped with byte searches.
"""

from __future__ import annotations

import re

from bot.core.hunk_lines import PREFIX_LINES, Collector, HunkLines, hunk_starts

HUNK = b"\n@@ "
_LENGTHS = re.compile(r"@@ -\d{1,9}(?:,(\d{1,9}))? \+\d{1,9}(?:,(\d{1,9}))? @@")


def first_lines(body: bytes) -> HunkLines:
    """Only the first lines of both sides, read line by line: hunks come in order, so once one
    starts past line 1 on both sides no later one shows either side's first lines."""
    lines = Collector()
    pos = 0
    while pos < len(body):
        end = body.find(HUNK, pos)
        end = len(body) if end < 0 else end + 1
        line_end = _line_end(body, pos, end)
        header = body[pos:line_end].decode("utf-8", errors="replace")
        source, target = hunk_starts(header)
        if source > 1 and target > 1:
            break
        lines.feed(header)
        left = _hunk_lengths(header)
        pos = line_end + 1
        while pos < end and not lines.prefixes_full(*left):
            pos = _next_wanted(lines, body, pos, end)
            if pos >= end:
                break
            line_end = _line_end(body, pos, end)
            line = body[pos:line_end].decode("utf-8", errors="replace")
            lines.feed(line)
            left = _consume(left, line[:1])
            pos = line_end + 1
        pos = end
    # The few changed lines read on the way are left out: no rule reads this file's lines.
    found = lines.result()
    return HunkLines((), (), found.head_prefix, found.base_prefix)


def _next_wanted(lines: Collector, body: bytes, pos: int, end: int) -> int:
    """Where the next line that can still add to a side's first lines starts: once one side
    is full, the run of the other side's lines is skipped with a byte search."""
    head = lines.head_top and len(lines.head) < PREFIX_LINES
    base = lines.base_top and lines.base is not None and len(lines.base) < PREFIX_LINES
    if head == base:
        return pos
    # Context lines (" ", or blank) feed both sides; "+" only the head, "-" only the base.
    marks = (b"\n ", b"\n\n", b"\n+" if head else b"\n-")
    hits = [body.find(mark, pos - 1, end) for mark in marks]
    return min((hit + 1 for hit in hits if hit >= 0), default=end)


def _hunk_lengths(header: str) -> tuple[int, int]:
    """How many old and new lines a hunk holds (1 when its header leaves the count out)."""
    found = _LENGTHS.match(header)
    if found is None:
        return 1 << 30, 1 << 30  # unreadable: read on until the prefixes fill or the hunk ends
    return int(found.group(1) or 1), int(found.group(2) or 1)


def _consume(left: tuple[int, int], mark: str) -> tuple[int, int]:
    source, target = left
    if mark == "+":
        return source, target - 1
    if mark == "-":
        return source - 1, target
    if mark in (" ", ""):
        return source - 1, target - 1
    return left


def _line_end(body: bytes, start: int, end: int) -> int:
    found = body.find(b"\n", start, end)
    return end if found < 0 else found
