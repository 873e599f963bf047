"""Read what one evaluation needs from GitHub: the policy, the change and its context."""

from __future__ import annotations

from collections.abc import Mapping

from bot.core.codeowners import CODEOWNERS_LOCATIONS
from bot.core.config import Policy
from bot.core.contents import paths_needing_contents
from bot.core.diff import parse_files_listing
from bot.core.models import ChangeSet, FileVersions, RepoContext
from bot.core.names import CONFIG_PATH, ORG_CONFIG_PATH
from bot.core.policy import PolicyResult, default_policy, parse_policy
from bot.core.specs import SpecLoader, SpecRef
from bot.core.unpatch import rebuild_before
from bot.evaluation.ports import FileSource, GitHubPort, PullInfo, RepoRef

# Every file an evaluation reads from the base branch, read together (see fetch_base_files).
GITATTRIBUTES = ".gitattributes"
BASE_FILES = (CONFIG_PATH, *CODEOWNERS_LOCATIONS, GITATTRIBUTES)


def base_files(port: FileSource, repo: RepoRef, pull: PullInfo) -> Mapping[str, str | None]:
    """BASE_FILES on the base branch's current tip. Never the head: a pull request must not be
    able to weaken its own policy, nor choose its own owners."""
    return port.fetch_base_files(repo, BASE_FILES, pull.base_ref)


def fetch_policy(
    port: GitHubPort, repo: RepoRef, pull: PullInfo, loader: SpecLoader
) -> PolicyResult:
    """The base branch's config, else the organisation's, else the built-in defaults; merged
    with the spec files it extends, read through ``loader``.

    Never the head: a pull request must not be able to weaken its own policy.
    """
    text = base_files(port, repo, pull)[CONFIG_PATH]
    if text is not None:
        home = SpecRef(repo.full_name, CONFIG_PATH)
        return parse_policy(text, f"{CONFIG_PATH} on {pull.base_ref}", loader, home)
    org_text = port.fetch_org_config(repo.owner)
    if org_text is not None:
        home = SpecRef(org_config_repo(repo.owner), ORG_CONFIG_PATH)
        return parse_policy(org_text, org_config_source(repo.owner), loader, home)
    return default_policy()


def org_config_repo(owner: str) -> str:
    """The repository holding the organisation's policy, read on its default branch."""
    return f"{owner}/.github"


def org_config_source(owner: str) -> str:
    """The ``source`` of a policy read from the organisation's repository."""
    return f"{org_config_repo(owner)} {ORG_CONFIG_PATH}"


def fetch_changes(port: GitHubPort, repo: RepoRef, pull: PullInfo) -> ChangeSet:
    return parse_files_listing(port.fetch_files(repo, pull.number))


def fetch_context(
    port: FileSource, repo: RepoRef, pull: PullInfo, changes: ChangeSet, policy: Policy
) -> RepoContext:
    """CODEOWNERS and .gitattributes from the base; contents only for files the rules read."""
    base = base_files(port, repo, pull)
    codeowners = path = None
    if policy.codeowners:
        for location in CODEOWNERS_LOCATIONS:  # GitHub's own search order; first found wins
            codeowners = base[location]
            if codeowners is not None:
                path = location
                break
    return RepoContext(
        codeowners=codeowners,
        codeowners_path=path,
        gitattributes=base[GITATTRIBUTES],
        contents=_contents(port, repo, pull, changes, policy),
    )


def _contents(
    port: FileSource, repo: RepoRef, pull: PullInfo, changes: ChangeSet, policy: Policy
) -> dict[str, FileVersions]:
    by_path = {f.path: f for f in changes.files}
    out: dict[str, FileVersions] = {}
    for path in paths_needing_contents(changes.files, policy):
        change = by_path[path]
        after = None if change.status == "removed" else port.fetch_file(repo, path, pull.head_sha)
        # The listing's patch is the diff against the merge base: un-applied to the head
        # version it gives the exact "before" the pull request changed, with no extra request.
        before = rebuild_before(change, after)
        if before is None and change.status != "added":
            # No patch, or it does not fit: read the base branch tip. That "before" is off
            # when the base moved after the branch point: the PR would be blamed for changes
            # made on the base since then (e.g. a function added there reads as removed).
            before = port.fetch_file(repo, change.previous_path or path, pull.base_sha)
        out[path] = FileVersions(before=before, after=after)
    return out
