"""Read the spec files a policy extends from local checkouts: `--spec owner/repo=PATH`.

With an ``@ref`` in `extends`, the file is read at that ref with git inside PATH and the origin
names the commit. Without one, the file is read from PATH's working tree, so a spec can be tried
before it is committed; the origin names PATH's HEAD when the file there is the same as in the
working tree, else ``worktree``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from bot.core.specs import SpecLoader, SpecRef, SpecText, SpecUnavailable
from bot.local import local_git

WORKTREE = "worktree"


class SpecNotGiven(ValueError):
    """`extends` names a repository no `--spec` gave a checkout for; one line for the user."""


def parse_spec_option(text: str) -> tuple[str, Path]:
    """``owner/repo=PATH`` → (owner/repo, PATH); raises ValueError."""
    name, sep, path = text.partition("=")
    if not sep or name.count("/") != 1 or not path or not all(name.split("/")):
        raise ValueError(f"expected owner/repo=PATH, got {text!r}")
    return name, Path(path)


def checkout_loader(checkouts: Mapping[str, Path]) -> SpecLoader:
    """A loader reading each spec repository from its checkout (names in any case)."""
    by_name = {name.lower(): path for name, path in checkouts.items()}

    def load(ref: SpecRef) -> SpecText:
        checkout = by_name.get(ref.repo.lower())
        if checkout is None:
            raise SpecNotGiven(
                f"cannot resolve spec {ref}: no checkout of {ref.repo} given"
                f" (pass --spec {ref.repo}=PATH)"
            )
        return read_spec(checkout, ref)

    return load


def read_spec(checkout: Path, ref: SpecRef) -> SpecText:
    """The spec file ``ref`` names, from the checkout at ``checkout``."""
    if ref.ref is None:
        return _from_worktree(checkout, ref)
    try:
        sha = local_git.resolve(checkout, ref.ref)
    except local_git.GitError as err:
        raise SpecUnavailable(str(err)) from err
    text = local_git.read_files(checkout, sha, [ref.path])[ref.path]
    if text is None:
        raise SpecUnavailable(f"no file {ref.path} at {ref.ref} in {checkout}")
    return SpecText(ref, sha, text)


def _from_worktree(checkout: Path, ref: SpecRef) -> SpecText:
    file = checkout / ref.path
    try:
        text = file.read_bytes().decode("utf-8", errors="replace")
    except OSError as err:
        raise SpecUnavailable(f"cannot read {file}: {err.strerror or err}") from err
    try:
        head = local_git.resolve(checkout, "HEAD")
    except local_git.GitError:
        return SpecText(ref, WORKTREE, text)
    at_head = local_git.read_files(checkout, head, [ref.path])[ref.path]
    return SpecText(ref, head if at_head == text else WORKTREE, text)
