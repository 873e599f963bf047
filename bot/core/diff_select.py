"""Which files' patches `review-tiers evaluate` reads, and the others built from git's listings.

A file's patch is read when a rule reads its lines, when its new version may carry a
generated-code marker in its first lines (``marker_candidates``, from a ``git grep`` at the
head), and when only the patch says how the whole-diff parse reads the file: a type change git
shows as a deletion and an addition, a file that was or becomes empty (read as added or
removed), a copy. Every other file is built from ``--raw`` and ``--numstat`` alone
(``listed_change``): the same FileChange but for the lines nothing reads and first lines that
carry no marker, so the evaluation is the same.
"""

from __future__ import annotations

from collections.abc import Container

from bot.core.diff import DiffError
from bot.core.git_listing import EMPTY_BLOBS, Counts, Listed
from bot.core.gitattributes import MARKER_LINES
from bot.core.models import FileChange

# Both generated-code markers contain it ("Code generated ... DO NOT EDIT.", "@generated").
MARKER_WORD = "generated"
_STATUSES = {"A": "added", "D": "removed", "M": "modified", "R": "renamed"}


def marker_candidates(out: bytes) -> frozenset[bytes]:
    """Paths with the marker word in their first lines, from ``git grep -a -n -z`` output:
    ``<tree>:<path>\\0<line number>\\0<text>\\n`` per matching line (the text may hold NULs)."""
    found: set[bytes] = set()
    pos = 0
    while pos < len(out):
        path_end = out.find(b"\x00", pos)
        number_end = out.find(b"\x00", path_end + 1) if path_end >= 0 else -1
        number = out[path_end + 1 : number_end]
        if number_end < 0 or not number.isdigit():
            raise DiffError(f"unexpected git grep output: {out[pos : pos + 80]!r}")
        if int(number) <= MARKER_LINES:
            found.add(out[pos:path_end].split(b":", 1)[-1])
        text_end = out.find(b"\n", number_end + 1)
        pos = len(out) if text_end < 0 else text_end + 1
    return frozenset(found)


def needs_patch(entry: Listed, needs_lines: Container[str], candidates: Container[bytes]) -> bool:
    """Whether the entry's patch must be read (see the module's docstring)."""
    return (
        entry.name in needs_lines
        or entry.path in candidates
        or entry.status not in _STATUSES
        or entry.old_id in EMPTY_BLOBS
        or entry.new_id in EMPTY_BLOBS
    )


def listed_change(entry: Listed, counts: Counts) -> FileChange:
    """A file from the listings alone; numstat gives a binary file no counts, and a binary file
    that is only renamed or changes mode shows no "Binary files" line in the patch either."""
    binary = counts.additions is None and entry.old_id != entry.new_id
    return FileChange(
        path=entry.name,
        status=_STATUSES[entry.status],
        additions=counts.additions or 0,
        deletions=counts.deletions or 0,
        previous_path=entry.previous_name if entry.status == "R" else None,
        binary=binary,
        has_patch=not binary,
    )
