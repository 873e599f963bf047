"""Parse a change into a ChangeSet, from a unified diff or GitHub's pull-request files listing."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from unidiff.errors import UnidiffParseError
from unidiff.patch import PatchedFile, PatchSet

from bot.core.hunk_lines import Collector, HunkLines, hunk_starts, line_text, with_lines
from bot.core.models import ChangeSet, FileChange

# GitHub's files listing stops at 3,000 entries.
FILES_LISTING_CAP = 3000


class DiffError(ValueError):
    """The input is not a usable diff; the message is shown to the user as is."""


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
    change = FileChange(
        path=path,
        status=status,
        additions=len(lines.added),
        deletions=len(lines.removed),
        previous_path=_strip_prefix(pf.source_file) if pf.is_rename else None,
        binary=bool(pf.is_binary_file),
        has_patch=not pf.is_binary_file,
    )
    return with_lines(change, lines)


def _lines_of_unidiff(pf: PatchedFile) -> HunkLines:
    lines = Collector()
    for hunk in pf:
        lines.start_hunk(hunk.source_start, hunk.target_start)
        for line in hunk:
            lines.line(line.line_type, line_text(line.value))
    return lines.result()


def parse_patch_body(patch: str) -> HunkLines:
    """Parse the hunks-only ``patch`` field of the files listing (no file headers)."""
    lines = Collector()
    # Split on "\n" only: a lone "\r" or a form feed inside a line is part of that line.
    for line in patch.split("\n"):
        if line.startswith("@@"):
            lines.start_hunk(*hunk_starts(line))
        else:
            lines.line(line[:1], line_text(line[1:]))
    return lines.result()


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
        return replace(with_lines(base, parse_patch_body(patch)), patch=patch)
    # GitHub omits ``patch`` for binaries (no line counts) and for large text diffs (counts
    # present). A pure rename without content changes has neither, and nothing to check.
    no_content = additions + deletions == 0
    binary = no_content and status != "renamed"
    return replace(base, binary=binary, has_patch=no_content and not binary)
