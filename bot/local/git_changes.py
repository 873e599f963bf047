"""Read a branch's change from git for `review-tiers evaluate`, without holding the whole patch.

git lists the changed files twice in machine form: ``--raw -z`` (status, renames) first, and
``--numstat -z`` (line counts, binaries) in the background meanwhile. ``git grep`` at the head
finds the files whose first lines may hold a generated-code marker; git then writes the patch of
only the files that need one (``bot/core/diff_select.py``): those a rule reads the lines of
(``paths_needing_lines``), those marker candidates, and a few kinds of change only the patch
describes. The patch is read file section by file section from git's output, never whole; when
most files need it, the whole patch is read that way instead. Every read file's counts must equal
``--numstat``: when they disagree the evaluation stops with an error instead of guessing.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Callable, Container, Generator, Iterator, Sequence
from pathlib import Path
from typing import IO

from bot.core.diff_sections import Scanned, check_counts, scan_sections, scan_selected
from bot.core.diff_select import MARKER_WORD, marker_candidates, needs_patch
from bot.core.git_listing import Listed, parse_numstat, parse_raw
from bot.core.models import ChangeSet
from bot.local.local_git import GitError, Range, failure, git_bytes

# The same comparison as the full diff `review-tiers evaluate` used to read: no external diff or
# textconv, whatever the user's git config says; renames on.
PLAIN_OPTIONS = ("--no-color", "--no-ext-diff", "--no-textconv")
DIFF_OPTIONS = (*PLAIN_OPTIONS, "-M")
# Fixed prefixes, paths quoted only where git must, and submodules as one-line hunks.
PATCH_OPTIONS = ("--src-prefix=a/", "--dst-prefix=b/", "--submodule=short")
GREP_OPTIONS = ("grep", "-a", "-n", "-z", "--no-color", "--no-column", "-F", "-e", MARKER_WORD)
CHUNK = 1 << 20
# Pathspecs per git command, in bytes of arguments: well under any system's limit.
ARGUMENT_BYTES = 64 * 1024
_SECTION = b"\ndiff --git "

LinesNeeded = Callable[[tuple[Listed, ...]], Container[str]]


def read_changes(repo: Path, rng: Range, needs_lines: LinesNeeded) -> ChangeSet:
    """The change between the range's commits; ``needs_lines`` names the files whose lines
    are read in full."""
    with tempfile.TemporaryFile() as counts, tempfile.TemporaryFile() as errors:
        numstat = _start(
            repo, ("diff", "--numstat", "-z", *DIFF_OPTIONS, rng.base, rng.head), counts, errors
        )
        try:
            listing = ("diff", "--raw", "-z", "--no-abbrev", *DIFF_OPTIONS, rng.base, rng.head)
            entries = parse_raw(git_bytes(repo, *listing))
            scanned = _scan(repo, rng, entries, needs_lines(entries))
            _finish(numstat, errors)
        finally:
            _stop(numstat)
        counts.seek(0)
        return check_counts(entries, scanned, parse_numstat(counts.read()))


def _scan(
    repo: Path, rng: Range, entries: tuple[Listed, ...], needs: Container[str]
) -> dict[int, Scanned]:
    present = [(e.path,) for e in entries if e.status != "D"]
    candidates = marker_candidates(b"".join(_batched(repo, (*GREP_OPTIONS, rng.head), present)))
    selected = [i for i, e in enumerate(entries) if needs_patch(e, needs, candidates)]
    if len(selected) * 2 > len(entries) or any(e.status not in "ADMRT" for e in entries):
        sections = patch_sections(repo, rng)
        try:
            return scan_sections(entries, sections, needs)
        finally:
            sections.close()
    return scan_selected(entries, selected, _selected_sections(repo, rng, entries, selected), needs)


def _selected_sections(
    repo: Path, rng: Range, entries: tuple[Listed, ...], selected: list[int]
) -> Iterator[bytes]:
    """The patch of the selected files: renames with rename detection among their own paths
    (which pairs them as the whole diff did), the others with none, so no new pair forms."""
    renamed = [(e.previous or e.path, e.path) for e in (entries[i] for i in selected) if e.previous]
    others = [(e.path,) for e in (entries[i] for i in selected) if e.previous is None]
    for paths, detect in ((renamed, "-M"), (others, "--no-renames")):
        args = ("-c", "core.quotePath=false", "diff", *PLAIN_OPTIONS, detect, *PATCH_OPTIONS)
        for batch in _batches(paths):
            sections = patch_sections(repo, rng, args, batch)
            try:
                yield from sections
            finally:
                sections.close()


def _batched(
    repo: Path, args: tuple[str, ...], paths: Sequence[tuple[bytes, ...]]
) -> Iterator[bytes]:
    """The output of ``git grep`` over the paths, a batch of pathspecs at a time."""
    for batch in _batches(paths):
        done = subprocess.run(
            ["git", "-C", str(repo), "--literal-pathspecs", *args, "--", *batch],
            capture_output=True,
            check=False,
        )
        if done.returncode not in (0, 1):  # 1: nothing found
            raise failure(args[0], done.stderr)
        yield done.stdout


def _batches(items: Sequence[tuple[bytes, ...]]) -> Iterator[list[bytes]]:
    batch: list[bytes] = []
    size = 0
    for item in items:
        if batch and size + sum(len(p) + 1 for p in item) > ARGUMENT_BYTES:
            yield batch
            batch, size = [], 0
        batch.extend(item)
        size += sum(len(p) + 1 for p in item)
    if batch:
        yield batch


def patch_sections(
    repo: Path, rng: Range, args: tuple[str, ...] = (), paths: list[bytes] | None = None
) -> Generator[bytes, None, None]:
    """git's patch for the range (of ``paths`` only, if given), one ``diff --git`` section per
    item, read as git writes it."""
    args = args or ("-c", "core.quotePath=false", "diff", *DIFF_OPTIONS, *PATCH_OPTIONS)
    spec: tuple[str | bytes, ...] = ("--", *paths) if paths is not None else ()
    literal = ("--literal-pathspecs",) if paths is not None else ()
    with tempfile.TemporaryFile() as errors:
        proc = _start(repo, (*literal, *args, rng.base, rng.head, *spec), subprocess.PIPE, errors)
        stdout = proc.stdout
        assert stdout is not None
        try:
            yield from _split(iter(lambda: stdout.read(CHUNK), b""))
            _finish(proc, errors)
        finally:
            _stop(proc)


def _split(chunks: Iterator[bytes]) -> Iterator[bytes]:
    buf = bytearray()
    for chunk in chunks:
        search = max(0, len(buf) - len(_SECTION) + 1)
        buf += chunk
        while (cut := buf.find(_SECTION, search)) >= 0:
            with memoryview(buf) as view:
                piece = bytes(view[: cut + 1])
            del buf[: cut + 1]
            search = 0
            yield piece
    if buf:
        yield bytes(buf)


def _start(
    repo: Path, args: tuple[str | bytes, ...], out: int | IO[bytes], errors: IO[bytes]
) -> subprocess.Popen[bytes]:
    try:
        return subprocess.Popen(["git", "-C", str(repo), *args], stdout=out, stderr=errors)
    except FileNotFoundError as err:
        raise GitError("git is not installed or not on PATH") from err


def _finish(proc: subprocess.Popen[bytes], errors: IO[bytes]) -> None:
    if proc.wait() != 0:
        errors.seek(0)
        raise failure("diff", errors.read())


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.kill()
        proc.wait()
    if proc.stdout is not None:
        proc.stdout.close()
