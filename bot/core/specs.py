"""Specification repositories: the reference an ``extends`` key names, the text read from one,
and the loader that reads it (a local checkout for the CLI, the installation token in the App).

The loader is the only way the policy reaches a spec repository, so the pure merge never does
I/O and both front ends read specs the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

SPEC_DEFAULT_PATH = "review-tiers.yml"
SPEC_MAX_DEPTH = 3  # spec files beyond the repository's own policy


@dataclass(frozen=True)
class SpecRef:
    """``owner/repo[:path][@ref]``; ``ref`` None means the spec repository's default branch."""

    repo: str
    path: str = SPEC_DEFAULT_PATH
    ref: str | None = None

    def __str__(self) -> str:
        text = self.repo if self.path == SPEC_DEFAULT_PATH else f"{self.repo}:{self.path}"
        return text if self.ref is None else f"{text}@{self.ref}"


@dataclass(frozen=True)
class SpecText:
    """One spec file as read: the commit it was read at and its text."""

    ref: SpecRef
    sha: str
    text: str

    @property
    def origin(self) -> str:
        """Where a rule came from, as reasons and the check name it: ``acme/spec@<sha>:path``."""
        return f"{self.ref.repo}@{self.sha}:{self.ref.path}"


def parse_spec_ref(text: str) -> SpecRef:
    """``owner/repo[:path][@ref]`` (its shape checked by the schema) as a SpecRef; raises
    ValueError for a path that climbs out of the spec repository."""
    named, _, ref = text.partition("@")
    repo, _, path = named.partition(":")
    path = path or SPEC_DEFAULT_PATH
    if ".." in path.split("/") or path.startswith("/"):
        raise ValueError(f"the path '{path}' must stay inside the spec repository")
    return SpecRef(repo, path, ref or None)


class SpecUnavailable(Exception):
    """A spec could not be read; the message says why in one sentence (not installed, no such
    file or ref, no local checkout given)."""


class SpecLoader(Protocol):
    def __call__(self, ref: SpecRef) -> SpecText:
        """Read one spec file; raises SpecUnavailable."""
        ...
