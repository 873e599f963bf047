"""Read a branch's change from git for `review-tiers evaluate`, without holding the whole patch.

git lists the changed files twice in machine form: ``--raw -z`` (status, renames) first, and
``--numstat -z`` (line counts, binaries) in the background while the patch streams. The patch is
read file section by file section from git's output and handed to the core, which reads the
lines of only the files a rule needs (``paths_needing_lines``) and checks every file's counts
against ``--numstat``: when they disagree the evaluation stops with an error instead of guessing.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Callable, Container, Generator, Iterator
from pathlib import Path
from typing import IO

from bot.core.diff_sections import check_counts, scan_sections
from bot.core.git_listing import Listed, parse_numstat, parse_raw
from bot.core.models import ChangeSet
from bot.local.local_git import GitError, Range, failure, git_bytes

# The same comparison as the full diff `review-tiers evaluate` used to read: renames on, no
# external diff or textconv, whatever the user's git config says.
DIFF_OPTIONS = ("--no-color", "--no-ext-diff", "--no-textconv", "-M")
# Fixed prefixes, paths quoted only where git must, and submodules as one-line hunks.
PATCH_OPTIONS = ("--src-prefix=a/", "--dst-prefix=b/", "--submodule=short")
CHUNK = 1 << 20
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
            entries = parse_raw(
                git_bytes(repo, "diff", "--raw", "-z", *DIFF_OPTIONS, rng.base, rng.head)
            )
            sections = patch_sections(repo, rng)
            try:
                scanned = scan_sections(entries, sections, needs_lines(entries))
            finally:
                sections.close()
            _finish(numstat, errors)
        finally:
            _stop(numstat)
        counts.seek(0)
        return check_counts(scanned, parse_numstat(counts.read()))


def patch_sections(repo: Path, rng: Range) -> Generator[bytes, None, None]:
    """git's patch for the range, one ``diff --git`` section per item, read as git writes it."""
    args = ("-c", "core.quotePath=false", "diff", *DIFF_OPTIONS, *PATCH_OPTIONS)
    with tempfile.TemporaryFile() as errors:
        proc = _start(repo, (*args, rng.base, rng.head), subprocess.PIPE, errors)
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
    repo: Path, args: tuple[str, ...], out: int | IO[bytes], errors: IO[bytes]
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
