"""Turn git's patch, one file section at a time, into FileChanges: a lean reader for big diffs.

``review-tiers evaluate`` takes a change's files and sizes from git's listings (see
``git_listing``) and reads the patch of the files that need one (see ``diff_select``) file by
file as git writes it. Only the files a rule reads lines of have their hunks turned into lines;
every other file read is counted with byte searches and has only the hunk covering its line 1
read, for the generated-code marker. The result equals what ``parse_unified_diff`` gives for the
same patch; any section that does not match the listing raises DiffError rather than guess.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from bot.core.diff import DiffError
from bot.core.diff_select import listed_change
from bot.core.git_listing import Counts, Listed, header_line
from bot.core.hunk_lines import Collector, HunkLines, hunk_starts, with_lines
from bot.core.hunk_prefix import HUNK, first_lines
from bot.core.models import ChangeSet, FileChange


@dataclass(frozen=True)
class Section:
    """One ``diff --git`` section: its header lines, and its hunks from the first ``@@``."""

    header: bytes
    body: bytes
    additions: int
    deletions: int

    @classmethod
    def of(cls, raw: bytes) -> Section:
        cut = raw.find(HUNK)
        if cut < 0:
            return cls(raw, b"", 0, 0)
        body = raw[cut + 1 :]
        return cls(raw[: cut + 1], body, body.count(b"\n+"), body.count(b"\n-"))

    def has(self, line_start: bytes) -> bool:
        return self.header.startswith(line_start) or b"\n" + line_start in self.header


@dataclass(frozen=True)
class Scanned:
    """The FileChanges of one listed entry (two for a type change git splits) and the counts
    its patch shows, to be checked against ``--numstat``."""

    entry: Listed
    changes: tuple[FileChange, ...]
    additions: int
    deletions: int
    binary: bool


def scan_sections(
    entries: tuple[Listed, ...], sections: Iterator[bytes], needs_lines: Container[str]
) -> dict[int, Scanned]:
    """Match each listed entry with its patch section(s), in git's order: the whole patch."""
    out: dict[int, Scanned] = {}
    for index, entry in enumerate(entries):
        parts = [_next(sections, entry)]
        if entry.status == "T" and parts[0].has(b"deleted file mode "):
            # git shows a change of kind (file, link, submodule) as a deletion and an addition.
            parts.append(_next(sections, entry))
        out[index] = _scanned(entry, parts, entry.name in needs_lines)
    leftover = next(sections, None)
    if leftover is not None:
        raise DiffError(f"git's patch has a section the listing lacks: {leftover[:120]!r}")
    return out


def scan_selected(
    entries: tuple[Listed, ...],
    selected: Sequence[int],
    sections: Iterable[bytes],
    needs_lines: Container[str],
) -> dict[int, Scanned]:
    """Match the sections of a patch git wrote for the ``selected`` entries only, by header.

    A path given to git also names the directory of that name, so a file replaced by a
    directory (or the reverse) brings that directory's files in: their sections, of listed
    entries, are passed over, and so is a section a later batch of paths brings in again."""
    by_header = {header_line(entries[i]): i for i in selected}
    listed = _listed_headers(entries)
    parts: dict[int, list[Section]] = {i: [] for i in selected}
    for raw in sections:
        header = raw.split(b"\n", 1)[0]
        index = by_header.get(header)
        if index is None:
            if header not in listed:
                raise DiffError(f"git's patch has a section the listing lacks: {raw[:120]!r}")
            continue
        section = Section.of(raw)
        if section not in parts[index]:
            parts[index].append(section)
    out: dict[int, Scanned] = {}
    for index, found in parts.items():
        entry = entries[index]
        split = entry.status == "T" and len(found) == 2 and found[0].has(b"deleted file mode ")
        if len(found) != 1 and not split:
            raise DiffError(f"git's patch shows {entry.name} in {len(found)} sections")
        out[index] = _scanned(entry, found, entry.name in needs_lines)
    return out


def _listed_headers(entries: tuple[Listed, ...]) -> frozenset[bytes]:
    """The ``diff --git`` lines git may write for listed entries: each as listed, and each
    path on its own (a renamed file's paths in a patch asked for without rename detection)."""
    plain = (Listed("M", p) for e in entries for p in (e.path, e.previous) if p is not None)
    return frozenset(header_line(e) for e in (*entries, *plain))


def _scanned(entry: Listed, parts: list[Section], full: bool) -> Scanned:
    changes = tuple(_file_change(entry, part, full) for part in parts)
    return Scanned(
        entry,
        changes,
        sum(p.additions for p in parts),
        sum(p.deletions for p in parts),
        any(c.binary for c in changes),
    )


def _next(sections: Iterator[bytes], entry: Listed) -> Section:
    raw = next(sections, None)
    expected = header_line(entry)
    if raw is None or not raw.startswith(expected + b"\n"):
        got = b"nothing" if raw is None else raw[: len(expected) + 20]
        raise DiffError(f"git's patch does not follow its listing at {entry.name}: got {got!r}")
    return Section.of(raw)


def _file_change(entry: Listed, part: Section, full: bool) -> FileChange:
    binary = part.has(b"Binary files ")
    lines = _full_lines(part.body) if full else first_lines(part.body)
    renamed = entry.status in ("R", "C")  # git writes a copy with both paths, as a rename
    change = FileChange(
        path=entry.name,
        status=_status(entry, part),
        additions=part.additions,
        deletions=part.deletions,
        previous_path=entry.previous_name if renamed else None,
        binary=binary,
        has_patch=not binary,
    )
    return with_lines(change, lines)


def _status(entry: Listed, part: Section) -> str:
    # The same rules as parse_unified_diff: a lone hunk from or to an empty side (a file that
    # was or becomes empty) reads as added or removed, as it does there.
    lone = part.body.startswith(b"@@ ") and part.body.find(HUNK) < 0
    if part.has(b"new file mode ") or (lone and part.body.startswith(b"@@ -0,0 ")):
        return "added"
    if part.has(b"deleted file mode ") or (lone and _target_empty(part.body)):
        return "removed"
    return "renamed" if entry.status in ("R", "C") else "modified"


def _target_empty(body: bytes) -> bool:
    end = body.find(b"\n")
    header = body[: end if end >= 0 else len(body)].decode("utf-8", errors="replace")
    return hunk_starts(header)[1] == 0 and " +0,0 @@" in header


def _full_lines(body: bytes) -> HunkLines:
    lines = Collector()
    if body:
        for line in body.decode("utf-8", errors="replace").removesuffix("\n").split("\n"):
            lines.feed(line)
    return lines.result()


def listed_files(entries: tuple[Listed, ...]) -> tuple[FileChange, ...]:
    """The files of a listing with their paths only: enough to ask which rules read lines."""
    return tuple(FileChange(path=e.name, previous_path=e.previous_name) for e in entries)


def check_counts(
    entries: tuple[Listed, ...], scanned: Mapping[int, Scanned], counts: tuple[Counts, ...]
) -> ChangeSet:
    """The change, once ``--numstat`` agrees with the patch on every scanned file's counts; a
    file whose patch was not read is built from the listings alone (``listed_change``)."""
    if len(counts) != len(entries):
        raise DiffError(f"git listed {len(entries)} files with --raw, {len(counts)} with --numstat")
    files: list[FileChange] = []
    for index, (entry, count) in enumerate(zip(entries, counts, strict=True)):
        if (count.path, count.previous) != (entry.path, entry.previous):
            raise DiffError(f"git's --raw and --numstat listings disagree at {entry.name}")
        item = scanned.get(index)
        if item is None:
            files.append(listed_change(entry, count))
            continue
        _check(item, count)
        files.extend(item.changes)
    return ChangeSet(files=tuple(files))


def _check(item: Scanned, count: Counts) -> None:
    name = item.entry.name
    if count.additions is None or count.deletions is None:
        # A binary file renamed unchanged shows no "Binary files" line: nothing at all.
        if not item.binary and item.additions + item.deletions:
            raise DiffError(f"{name}: --numstat says binary, the patch shows lines")
    elif item.binary:
        raise DiffError(f"{name}: the patch says binary, --numstat counts lines")
    elif (count.additions, count.deletions) != (item.additions, item.deletions):
        shown = f"+{item.additions} -{item.deletions}"
        raise DiffError(
            f"{name}: --numstat counts +{count.additions} -{count.deletions}, the patch {shown}"
        )
