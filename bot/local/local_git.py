"""Read a local git repository for `review-tiers evaluate`: refs, diff, commits, files at a ref."""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


class GitError(RuntimeError):
    """A git command failed; the message is one line for the user."""


@dataclass(frozen=True)
class Range:
    base: str  # commit SHA the change is measured against: the merge-base of base and head
    head: str
    base_name: str
    head_name: str
    # The commit the base ref names: the policy, CODEOWNERS and .gitattributes are read there,
    # as the App reads them on the base branch, whichever old commit the branch started from.
    base_tip: str


def _git(repo: Path, *args: str) -> str:
    """Run git and decode its output as UTF-8, byte for byte.

    Output is read as bytes: text mode would turn a lone carriage return inside a file's lines
    into a line break, and the diff's hunks would then hold more lines than their headers say.
    """
    return git_bytes(repo, *args).decode("utf-8", errors="replace")


def git_bytes(repo: Path, *args: str) -> bytes:
    """Run git and return its output as is."""
    try:
        done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False)
    except FileNotFoundError as err:
        raise GitError("git is not installed or not on PATH") from err
    if done.returncode != 0:
        raise failure(args[0], done.stderr)
    return done.stdout


def failure(command: str, stderr: bytes) -> GitError:
    """The error for a failed git command: its last line of complaint."""
    message = stderr.decode("utf-8", errors="replace").strip()
    detail = (message.split("\n") or ["unknown error"])[-1].strip() or "unknown error"
    return GitError(f"git {command} failed: {detail}")


def repo_root(path: Path) -> Path:
    if not path.is_dir():
        raise GitError(f"{path} is not a directory")
    try:
        return Path(_git(path, "rev-parse", "--show-toplevel").strip())
    except GitError as err:
        raise GitError(f"{path} is not a git repository") from err


def resolve(repo: Path, ref: str) -> str:
    try:
        return _git(repo, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").strip()
    except GitError as err:
        raise GitError(f"unknown ref {ref!r} in {repo}") from err


def default_base(repo: Path) -> str:
    """The default branch: origin/HEAD, else main, else master."""
    for candidate in ("origin/HEAD", "main", "master"):
        try:
            resolve(repo, candidate)
        except GitError:
            continue
        return candidate
    raise GitError("no default branch found (origin/HEAD, main or master): pass --base")


def pick_range(repo: Path, base: str | None, head: str | None) -> Range:
    head_name = head or "HEAD"
    head_sha = resolve(repo, head_name)
    base_name = base or default_base(repo)
    base_sha = resolve(repo, base_name)
    merge_base = _git(repo, "merge-base", base_sha, head_sha).strip() or base_sha
    return Range(merge_base, head_sha, base_name, head_name, base_tip=base_sha)


def diff_text(repo: Path, rng: Range) -> str:
    # Fixed prefixes and no external diff or textconv, whatever the user's git config says.
    return _git(
        repo,
        "diff",
        "--no-color",
        "--no-ext-diff",
        "--no-textconv",
        "-M",
        "--src-prefix=a/",
        "--dst-prefix=b/",
        rng.base,
        rng.head,
    )


def commit_messages(repo: Path, rng: Range) -> tuple[str, ...]:
    out = _git(repo, "log", "--format=%B%x00", f"{rng.base}..{rng.head}")
    return tuple(m.strip() for m in out.split("\x00") if m.strip())


def read_files(repo: Path, ref: str, paths: Iterable[str]) -> dict[str, str | None]:
    """Contents of files at a ref in one `git cat-file --batch`; None where absent or binary."""
    wanted = list(dict.fromkeys(paths))
    if not wanted:
        return {}
    done = subprocess.run(
        ["git", "-C", str(repo), "cat-file", "--batch"],
        input="".join(f"{ref}:{p}\n" for p in wanted).encode(),
        capture_output=True,
        check=False,
    )
    return dict(zip(wanted, _split_batch(done.stdout, len(wanted)), strict=True))


def _split_batch(raw: bytes, count: int) -> list[str | None]:
    out: list[str | None] = []
    pos = 0
    for _ in range(count):
        end = raw.index(b"\n", pos)
        header = raw[pos:end].split()
        pos = end + 1
        if len(header) < 3 or header[1] != b"blob":
            out.append(None)  # "<ref> missing" or not a file
            continue
        size = int(header[2])
        body = raw[pos : pos + size]
        pos += size + 1
        out.append(None if b"\x00" in body else body.decode("utf-8", errors="replace"))
    return out
