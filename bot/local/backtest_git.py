"""Read a window of history in a few git processes: the first-parent log, the commits merged by
each change, one diff stream for every change and one blob reader for every file read."""

from __future__ import annotations

import contextlib
import subprocess
import threading
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from bot.local.local_git import GitError

# A commit message cannot hold a NUL byte, so NUL ends a record; the free text comes last.
FIELD, RECORD = "\x1f", "\x00"
FORMAT_FIELD, FORMAT_RECORD = "%x1f", "%x00"  # the same bytes, as git log's format writes them
# The same switches `review-tiers evaluate` gives `git diff`, so both read the same hunks.
DIFF_FLAGS = ("-r", "-p", "-M", "--always", "--no-color", "--no-ext-diff", "--no-textconv")
PREFIXES = ("--src-prefix=a/", "--dst-prefix=b/")


@dataclass(frozen=True)
class MainlineCommit:
    """A commit of the first-parent chain: its parents, committer time (Unix) and subject."""

    sha: str
    parents: tuple[str, ...]
    timestamp: int
    subject: str


def _popen(repo: Path, args: list[str], stdin: bool = False) -> subprocess.Popen[bytes]:
    try:
        return subprocess.Popen(
            ["git", "-C", str(repo), *args],
            stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    except FileNotFoundError as err:
        raise GitError("git is not installed or not on PATH") from err


def _records(stream: IO[bytes]) -> Iterator[str]:
    """Split a stream of RECORD-terminated entries without reading it all first."""
    pending = b""
    for chunk in iter(lambda: stream.read(1 << 16), b""):
        pending += chunk
        *done, pending = pending.split(RECORD.encode())
        for raw in done:
            yield raw.decode("utf-8", errors="replace").lstrip("\n")


def first_parents(repo: Path, tip: str, since: str | None) -> Generator[MainlineCommit, None, None]:
    """The first-parent chain from ``tip``, newest first; stop reading whenever the caller does."""
    fmt = f"--format=%H{FORMAT_FIELD}%P{FORMAT_FIELD}%ct{FORMAT_FIELD}%s{FORMAT_RECORD}"
    args = ["log", "--first-parent", fmt, *([f"--since={since}"] if since else []), tip]
    proc = _popen(repo, args)
    assert proc.stdout is not None
    try:
        for record in _records(proc.stdout):
            sha, parents, stamp, subject = record.split(FIELD, 3)
            yield MainlineCommit(sha, tuple(parents.split()), int(stamp), subject)
    except GeneratorExit:
        _stop(proc)
        raise
    _finish(proc, "log")


def commit_graph(
    repo: Path, oldest_base: str, newest: str
) -> list[tuple[str, tuple[str, ...], str]]:
    """Every commit in ``oldest_base..newest`` as (sha, parents, message), in git log's order."""
    fmt = f"--format=%H{FORMAT_FIELD}%P{FORMAT_FIELD}%B{FORMAT_RECORD}"
    proc = _popen(repo, ["log", fmt, f"{oldest_base}..{newest}"])
    assert proc.stdout is not None
    out: list[tuple[str, tuple[str, ...], str]] = []
    for record in _records(proc.stdout):
        sha, parents, body = record.split(FIELD, 2)
        out.append((sha, tuple(parents.split()), body))
    _finish(proc, "log")
    return out


def diffs(repo: Path, pairs: list[tuple[str, str]]) -> Iterator[tuple[str, str]]:
    """(head, diff text) of each (head, base) pair, in order, from one `git diff-tree --stdin`."""
    proc = _popen(repo, ["diff-tree", "--stdin", *DIFF_FLAGS, *PREFIXES], stdin=True)
    assert proc.stdin is not None and proc.stdout is not None
    feed = "".join(f"{head} {base}\n" for head, base in pairs).encode()
    writer = threading.Thread(target=_feed, args=(proc.stdin, feed), daemon=True)
    writer.start()
    try:
        yield from _split_diffs(proc.stdout, [head for head, _ in pairs])
    except BaseException:
        _stop(proc)
        raise
    writer.join()
    _finish(proc, "diff-tree")


def _feed(stdin: IO[bytes], data: bytes) -> None:
    try:
        stdin.write(data)
        stdin.close()
    except BrokenPipeError:
        pass


def _split_diffs(stdout: IO[bytes], heads: list[str]) -> Iterator[tuple[str, str]]:
    """diff-tree prints each commit's id on a line of its own before its patch (``--always``
    prints it for an empty one too), so the next expected id marks where a patch ends."""
    lines: list[bytes] = []
    current: str | None = None
    expected = iter(heads)
    upcoming = next(expected, None)
    for line in stdout:
        if upcoming is not None and line.rstrip(b"\n") == upcoming.encode():
            if current is not None:
                yield current, b"".join(lines).decode("utf-8", errors="replace")
            current, lines, upcoming = upcoming, [], next(expected, None)
        else:
            lines.append(line)
    if current is not None:
        yield current, b"".join(lines).decode("utf-8", errors="replace")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.kill()
    _close(proc)


def _close(proc: subprocess.Popen[bytes]) -> bytes:
    """Wait for the process and return its stderr (stdout was read already, or is not wanted)."""
    for stream in (proc.stdin, proc.stdout):
        if stream is not None and not stream.closed:
            with contextlib.suppress(BrokenPipeError):
                stream.close()
    err = proc.stderr.read() if proc.stderr is not None else b""
    if proc.stderr is not None:
        proc.stderr.close()
    proc.wait()
    return err


def _finish(proc: subprocess.Popen[bytes], name: str) -> None:
    err = _close(proc)
    if proc.returncode != 0:
        detail = err.decode("utf-8", errors="replace").strip().split("\n")[-1] or "unknown error"
        raise GitError(f"git {name} failed: {detail}")


class BlobReader:
    """Files at any commit through one long-lived `git cat-file --batch`.

    ``read`` answers like ``local_git.read_files`` (None where absent or binary); ``blob``
    also gives the blob id, so what is parsed from a file can be kept by id.
    """

    def __init__(self, repo: Path) -> None:
        self._proc = _popen(repo, ["cat-file", "--batch"], stdin=True)

    def blob(self, ref: str, path: str) -> tuple[str, str | None] | None:
        """(blob id, text or None when binary) of ``path`` at ``ref``; None when absent."""
        proc = self._proc
        assert proc.stdin is not None and proc.stdout is not None
        if "\n" in path:
            return None  # cat-file reads one request per line: such a name cannot be asked
        proc.stdin.write(f"{ref}:{path}\n".encode())
        proc.stdin.flush()
        header = proc.stdout.readline().split()
        if len(header) < 3:
            return None  # "<ref> missing" or "ambiguous"
        body = proc.stdout.read(int(header[2]) + 1)[:-1]
        if header[1] != b"blob":
            return None
        text = None if b"\x00" in body else body.decode("utf-8", errors="replace")
        return header[0].decode(), text

    def read(self, ref: str, paths: Iterable[str]) -> dict[str, str | None]:
        found = {path: self.blob(ref, path) for path in dict.fromkeys(paths)}
        return {path: hit[1] if hit else None for path, hit in found.items()}

    def close(self) -> None:
        _close(self._proc)
