"""Test builders: scratch git repositories made by real git commands."""

from __future__ import annotations

import os
import socket
import subprocess
from dataclasses import fields
from pathlib import Path
from typing import get_type_hints

from bot.core.actions import Action, CheckState


class ScratchRepo:
    """A throwaway git repository with a `main` branch and helpers to change it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        # Extra environment for git, e.g. GIT_AUTHOR_DATE / GIT_COMMITTER_DATE to date commits.
        self.env: dict[str, str] = {}
        root.mkdir(parents=True, exist_ok=True)
        self.git("init", "-q", "-b", "main")
        self.git("config", "user.email", "dev@example.com")
        self.git("config", "user.name", "Dev")
        self.git("config", "commit.gpgsign", "false")

    def git(self, *args: str) -> str:
        done = subprocess.run(
            ["git", "-C", str(self.root), *args],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, **self.env} if self.env else None,
        )
        return done.stdout

    def write(self, path: str, text: str | bytes) -> None:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            target.write_bytes(text)
        else:
            target.write_text(text)

    def commit(self, message: str = "change") -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD").strip()

    def branch(self, name: str) -> None:
        self.git("checkout", "-q", "-b", name)

    def merge(self, branch: str, message: str) -> str:
        """Merge ``branch`` into main with a merge commit, as GitHub's merge button does."""
        self.git("checkout", "-q", "main")
        self.git("merge", "-q", "--no-ff", "-m", message, branch)
        return self.git("rev-parse", "HEAD").strip()

    def squash(self, branch: str, message: str) -> str:
        """Squash ``branch`` into one commit on main, as GitHub's squash button does."""
        self.git("checkout", "-q", "main")
        self.git("merge", "-q", "--squash", branch)
        return self.commit(message)

    def diff(self, base: str = "main", head: str = "HEAD") -> str:
        return self.git("diff", "-M", "--src-prefix=a/", "--dst-prefix=b/", base, head)


def lines(count: int, prefix: str = "line") -> str:
    return "".join(f"{prefix} {i}\n" for i in range(count))


def file_entry(path: str, added: int, line: str = "x = 1", numbered: bool = False) -> dict:
    """One entry of GitHub's pull-request files listing: ``added`` new lines, with a patch.

    ``numbered`` makes every line distinct (``line # 0``, ``line # 1``, …).
    """
    body = "\n".join(f"+{line} # {i}" if numbered else f"+{line}" for i in range(added))
    return {
        "filename": path,
        "status": "modified",
        "additions": added,
        "deletions": 0,
        "patch": f"@@ -1,0 +1,{added} @@\n{body}",
    }


def files_listing(repo: ScratchRepo, base: str = "main") -> list[dict[str, object]]:
    """Build what GitHub's files API returns, from git itself: per-file counts and hunks."""
    entries: list[dict[str, object]] = []
    raw = repo.git("diff", "-M", "--numstat", "-z", base, "HEAD").split("\0")
    status_rows = repo.git("diff", "-M", "--name-status", base, "HEAD").splitlines()
    statuses = {row.split("\t")[-1]: row.split("\t")[0][0] for row in status_rows}
    names = {"A": "added", "D": "removed", "M": "modified", "R": "renamed"}
    index = 0
    while index < len(raw) - 1:
        add, dele, path = raw[index].split("\t")
        previous = None
        if not path:  # a rename: "adds\tdels\t" then old and new paths
            previous, path = raw[index + 1], raw[index + 2]
            index += 2
        index += 1
        entry: dict[str, object] = {
            "filename": path,
            "status": names[statuses[path]],
            "additions": 0 if add == "-" else int(add),
            "deletions": 0 if dele == "-" else int(dele),
        }
        if previous:
            entry["previous_filename"] = previous
        patch = _hunks(repo, base, previous or path, path)
        if patch and add != "-":
            entry["patch"] = patch
        entries.append(entry)
    return entries


def _hunks(repo: ScratchRepo, base: str, old: str, new: str) -> str:
    text = repo.git("diff", "-M", base, "HEAD", "--", old, new)
    start = text.find("\n@@")
    return text[start + 1 :].rstrip("\n") if start >= 0 else ""


def free_port() -> int:
    """A loopback port no process listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def worker_index() -> int:
    """Which parallel test process this is (0 without pytest-xdist), to keep databases apart."""
    return int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))


CHECK = CheckState("completed", "success", "L1: requirements met", "summary")
# A value for each field type an action may hold; a new field type needs a sample here.
SAMPLES: dict[object, object] = {
    int: 5,
    str: "text",
    tuple[str, ...]: ("one", "two"),
    CheckState: CHECK,
}


def sample_action(kind: type) -> Action:
    """An instance of the action class ``kind``, every field set from SAMPLES."""
    hints = get_type_hints(kind)
    values = {}
    for f in fields(kind):
        assert hints[f.name] in SAMPLES, f"add a sample for {hints[f.name]} ({kind.__name__})"
        values[f.name] = SAMPLES[hints[f.name]]
    action: Action = kind(**values)
    return action
