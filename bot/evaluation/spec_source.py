"""The App's spec loader: a spec repository read through the port, with the installation
token of the repository whose policy extends it, and a sentence for every way that fails."""

from __future__ import annotations

from bot.core.specs import SpecLoader, SpecRef, SpecText, SpecUnavailable
from bot.evaluation.ports import GitHubPort, RepoRef, SpecRead
from bot.ops.errors import PermanentGitHubError

NOT_INSTALLED = (
    "{repo}: the review-tiers App is not installed on this repository, or this installation "
    "cannot read it — install it there"
)
ELSEWHERE = (
    "{repo}: the review-tiers App is installed there by another account, and this "
    "installation cannot read it — install the App on it from this account, or make it public"
)
NOWHERE = (
    "{repo}: the review-tiers App is not installed on this repository (or it does not "
    "exist) — install it there"
)


def spec_loader_for(port: GitHubPort, repo: RepoRef) -> SpecLoader:
    """A loader reading spec repositories as ``repo``'s installation; GitHub errors other than
    "cannot be read" propagate as the App's transient or permanent errors."""

    def load(ref: SpecRef) -> SpecText:
        read = port.fetch_spec_file(repo, ref.repo, ref.path, ref.ref)
        if read.missing is not None or read.text is None:
            raise SpecUnavailable(_why(port, repo, ref, read))
        return SpecText(ref, read.sha, read.text)

    return load


def _why(port: GitHubPort, repo: RepoRef, ref: SpecRef, read: SpecRead) -> str:
    at = f"'{ref.ref}'" if ref.ref is not None else "its default branch"
    if read.missing == "repository":
        return _unreadable(port, repo, ref.repo)
    if read.missing == "ref":
        if ref.ref is None:
            return f"{ref.repo}: its default branch has no commit yet"
        return f"{ref.repo}: no branch, tag or commit named {at}"
    where = f"{ref.path} at {at}" + (f" ({read.sha[:12]})" if read.sha else "")
    if read.missing == "path":
        return f"{ref.repo}: no file {where}"
    return f"{ref.repo}: {where} is not a text file (a directory, a binary or over 1 MB)"


def _unreadable(port: GitHubPort, repo: RepoRef, spec_repo: str) -> str:
    """Not installed, or installed by another account: GitHub shows both as 404 to a token,
    so the App's own view of its installations tells them apart when it can."""
    try:
        installation = port.fetch_repo_installation(spec_repo)
    except PermanentGitHubError:
        return NOT_INSTALLED.format(repo=spec_repo)
    if installation is None:
        return NOWHERE.format(repo=spec_repo)
    if installation != repo.installation_id:
        return ELSEWHERE.format(repo=spec_repo)
    return NOT_INSTALLED.format(repo=spec_repo)
