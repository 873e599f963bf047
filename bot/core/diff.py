"""Parse a change into a ChangeSet, from a unified diff or GitHub's pull-request files listing."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from unidiff.errors import UnidiffParseError
from unidiff.patch import PatchedFile, PatchSet

from bot.core.models import ChangeSet, FileChange

# GitHub's files listing stops at 3,000 entries.
FILES_LISTING_CAP = 3000
# How many leading lines of a file are searched for a generated-code marker.
PREFIX_LINES = 5
# The digit caps keep garbage headers from reaching int()'s limit on huge numbers.
_HUNK_STARTS = re.compile(r"@@ -(\d{1,9})(?:,\d{1,9})? \+(\d{1,9})(?:,\d{1,9})? @@")


class DiffError(ValueError):
    """The input is not a usable diff; the message is shown to the user as is."""


@dataclass(frozen=True)
class _Lines:
    added: tuple[str, ...]
    removed: tuple[str, ...]
    head_prefix: tuple[str, ...]
    base_prefix: tuple[str, ...] | None
    added_numbers: tuple[int, ...] = ()
    removed_numbers: tuple[int, ...] = ()


class _Collector:
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

    @staticmethod
    def _number(numbers: list[int] | None, value: int) -> None:
        if numbers is not None:
            numbers.append(value)

    def result(self) -> _Lines:
        base = tuple(self.base) if self.base is not None else None
        return _Lines(
            tuple(self.added),
            tuple(self.removed),
            tuple(self.head),
            base,
            tuple(self.added_no or ()),
            tuple(self.removed_no or ()),
        )


def parse_unified_diff(text: str) -> ChangeSet:
    """Parse ``git diff`` output (renames, deletions and binaries included)."""
    if "\x00" in text:
        raise DiffError("the diff contains NUL bytes: binary data, not a unified diff")
    try:
        patch = PatchSet(text)
    except UnidiffParseError as err:
        raise DiffError(f"not a valid unified diff: {err}") from err
    except (ValueError, IndexError, AttributeError) as err:
        # unidiff can trip on hand-edited headers with errors of its own kind.
        raise DiffError(f"not a valid unified diff: {err}") from err
    if not len(patch) and text.strip():
        raise DiffError("no file changes found: the input is not a unified diff")
    return ChangeSet(files=tuple(_from_patched_file(f) for f in patch))


def _strip_prefix(name: str | None) -> str | None:
    if name is None or name == "/dev/null":
        return None
    return name[2:] if name[:2] in ("a/", "b/") else name


def _from_patched_file(pf: PatchedFile) -> FileChange:
    lines = _lines_of_unidiff(pf)
    status = "modified"
    if pf.is_added_file:
        status = "added"
    elif pf.is_removed_file:
        status = "removed"
    elif pf.is_rename:
        status = "renamed"
    path = _strip_prefix(pf.target_file) or _strip_prefix(pf.source_file) or pf.path
    return FileChange(
        path=path,
        status=status,
        additions=len(lines.added),
        deletions=len(lines.removed),
        previous_path=_strip_prefix(pf.source_file) if pf.is_rename else None,
        binary=bool(pf.is_binary_file),
        has_patch=not pf.is_binary_file,
        added_lines=lines.added,
        removed_lines=lines.removed,
        head_prefix=lines.head_prefix,
        base_prefix=lines.base_prefix,
        added_numbers=lines.added_numbers,
        removed_numbers=lines.removed_numbers,
    )


def _lines_of_unidiff(pf: PatchedFile) -> _Lines:
    lines = _Collector()
    for hunk in pf:
        lines.start_hunk(hunk.source_start, hunk.target_start)
        for line in hunk:
            lines.line(line.line_type, _line_text(line.value))
    return lines.result()


def parse_patch_body(patch: str) -> _Lines:
    """Parse the hunks-only ``patch`` field of the files listing (no file headers)."""
    lines = _Collector()
    # Split on "\n" only: a lone "\r" or a form feed inside a line is part of that line.
    for line in patch.split("\n"):
        if line.startswith("@@"):
            lines.start_hunk(*_hunk_starts(line))
        else:
            lines.line(line[:1], _line_text(line[1:]))
    return lines.result()


def _hunk_starts(header: str) -> tuple[int, int]:
    # "@@ -12,7 +14,8 @@ context": the source range follows the '-', the target the '+'.
    found = _HUNK_STARTS.match(header)
    if found is None:
        return -1, -1
    return int(found.group(1)), int(found.group(2))


def _line_text(value: str) -> str:
    """A diff line without its terminator: "\n", or "\r\n" in a file with CRLF line ends."""
    return value.removesuffix("\n").removesuffix("\r")


def parse_files_listing(entries: Iterable[Mapping[str, object]]) -> ChangeSet:
    """Parse GitHub's "list pull request files" entries; a missing ``patch`` is a fact."""
    files = [_from_listing_entry(e) for e in entries]
    return ChangeSet(files=tuple(files), truncated=len(files) >= FILES_LISTING_CAP)


def _int(value: object) -> int:
    return value if isinstance(value, int) and value >= 0 else 0


def _from_listing_entry(entry: Mapping[str, object]) -> FileChange:
    additions, deletions = _int(entry.get("additions")), _int(entry.get("deletions"))
    status = str(entry.get("status") or "modified")
    status = {"changed": "modified", "copied": "added", "unchanged": "modified"}.get(status, status)
    previous = entry.get("previous_filename")
    base = FileChange(
        path=str(entry.get("filename") or ""),
        status=status,
        additions=additions,
        deletions=deletions,
        previous_path=str(previous) if previous else None,
    )
    patch = entry.get("patch")
    if isinstance(patch, str):
        lines = parse_patch_body(patch)
        return replace(
            base,
            added_lines=lines.added,
            removed_lines=lines.removed,
            head_prefix=lines.head_prefix,
            base_prefix=lines.base_prefix,
            patch=patch,
            added_numbers=lines.added_numbers,
            removed_numbers=lines.removed_numbers,
        )
    # GitHub omits ``patch`` for binaries (no line counts) and for large text diffs (counts
    # present). A pure rename without content changes has neither, and nothing to check.
    no_content = additions + deletions == 0
    binary = no_content and status != "renamed"
    return replace(base, binary=binary, has_patch=no_content and not binary)
