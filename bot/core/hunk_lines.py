"""Collect a file's changed lines, their numbers and the first lines of both sides, hunk by hunk.

Shared by every diff reader: a whole ``git diff``, GitHub's per-file ``patch`` field, and the
per-file sections ``review-tiers evaluate`` streams from git.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from bot.core.models import FileChange

# How many leading lines of a file are searched for a generated-code marker.
PREFIX_LINES = 5
# The digit caps keep garbage headers from reaching int()'s limit on huge numbers.
_HUNK_STARTS = re.compile(r"@@ -(\d{1,9})(?:,\d{1,9})? \+(\d{1,9})(?:,\d{1,9})? @@")


@dataclass(frozen=True)
class HunkLines:
    added: tuple[str, ...]
    removed: tuple[str, ...]
    head_prefix: tuple[str, ...]
    base_prefix: tuple[str, ...] | None
    added_numbers: tuple[int, ...] = ()
    removed_numbers: tuple[int, ...] = ()


def with_lines(change: FileChange, lines: HunkLines) -> FileChange:
    """``change`` carrying the lines read from its hunks."""
    return replace(
        change,
        added_lines=lines.added,
        removed_lines=lines.removed,
        head_prefix=lines.head_prefix,
        base_prefix=lines.base_prefix,
        added_numbers=lines.added_numbers,
        removed_numbers=lines.removed_numbers,
    )


class Collector:
    """Collects changed lines and the first lines of both sides, hunk by hunk."""

    def __init__(self) -> None:
        self.added: list[str] = []
        self.removed: list[str] = []
        self.head: list[str] = []
        self.base: list[str] | None = None
        self.head_top = self.base_top = False
        # Line numbers of the next old and new line; numbering stops at an unreadable header.
        self.source_no = self.target_no = 0
        self.added_no: list[int] | None = []
        self.removed_no: list[int] | None = []

    def start_hunk(self, source_start: int, target_start: int) -> None:
        # Only the hunk that covers line 1 of a side shows that side's first lines; an
        # unreadable header (start -1) shows neither.
        self.head_top = 0 <= target_start <= 1
        self.base_top = 0 <= source_start <= 1
        if self.base_top and self.base is None:
            self.base = []
        if source_start < 0 or target_start < 0:
            self.added_no = self.removed_no = None
        # A side with no lines ("-0,0") starts at 0; its first line, if any, is line 1.
        self.source_no, self.target_no = max(source_start, 1), max(target_start, 1)

    def line(self, mark: str, value: str) -> None:
        if mark == "+":
            self.added.append(value)
            self._number(self.added_no, self.target_no)
            self.target_no += 1
        elif mark == "-":
            self.removed.append(value)
            self._number(self.removed_no, self.source_no)
            self.source_no += 1
        elif mark == " ":
            self.source_no += 1
            self.target_no += 1
        if self.head_top and mark in ("+", " ") and len(self.head) < PREFIX_LINES:
            self.head.append(value)
        base = self.base if self.base_top else None
        if base is not None and mark in ("-", " ") and len(base) < PREFIX_LINES:
            base.append(value)

    def feed(self, line: str) -> None:
        """One line of a patch body: a hunk header, or a line with its mark."""
        if line.startswith("@@"):
            self.start_hunk(*hunk_starts(line))
        elif line:
            self.line(line[0], line_text(line[1:]))
        else:
            # A blank line is an empty context line (git writes those with diff.suppressBlankEmpty).
            self.line(" ", "")

    def prefixes_full(self, source_left: int, target_left: int) -> bool:
        """Whether the rest of the current hunk (``source_left`` old and ``target_left`` new
        lines) can no longer add to either side's first lines."""
        head_done = not self.head_top or target_left <= 0 or len(self.head) >= PREFIX_LINES
        base = self.base if self.base_top else None
        base_done = base is None or source_left <= 0 or len(base) >= PREFIX_LINES
        return head_done and base_done

    @staticmethod
    def _number(numbers: list[int] | None, value: int) -> None:
        if numbers is not None:
            numbers.append(value)

    def result(self) -> HunkLines:
        base = tuple(self.base) if self.base is not None else None
        return HunkLines(
            tuple(self.added),
            tuple(self.removed),
            tuple(self.head),
            base,
            tuple(self.added_no or ()),
            tuple(self.removed_no or ()),
        )


def hunk_starts(header: str) -> tuple[int, int]:
    # "@@ -12,7 +14,8 @@ context": the source range follows the '-', the target the '+'.
    found = _HUNK_STARTS.match(header)
    if found is None:
        return -1, -1
    return int(found.group(1)), int(found.group(2))


def line_text(value: str) -> str:
    """A diff line without its terminator: "\n", or "\r\n" in a file with CRLF line ends."""
    return value.removesuffix("\n").removesuffix("\r")
