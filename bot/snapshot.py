"""Read what one evaluation needs from GitHub: policy, change, context and override grants."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.blast import interface_paths_needing_contents
from bot.core.codeowners import CODEOWNERS_LOCATIONS
from bot.core.config import Policy
from bot.core.diff import parse_files_listing
from bot.core.models import ChangeSet, FileVersions, Override, RepoContext
from bot.core.names import override_tier
from bot.core.policy import PolicyResult, default_policy, parse_policy
from bot.core.unpatch import rebuild_before
from bot.ports import GitHubPort, PullInfo, RepoRef

CONFIG_PATH = ".github/review-tiers.yml"
ORG_CONFIG_PATH = "review-tiers.yml"


def fetch_policy(port: GitHubPort, repo: RepoRef, pull: PullInfo) -> PolicyResult:
    """The base branch's config, else the organisation's, else the built-in defaults.

    Never the head: a pull request must not be able to weaken its own policy.
    """
    text = port.fetch_file(repo, CONFIG_PATH, pull.base_ref)
    if text is not None:
        return parse_policy(text, f"{CONFIG_PATH} on {pull.base_ref}")
    org_text = port.fetch_org_config(repo.owner)
    if org_text is not None:
        return parse_policy(org_text, f"{repo.owner}/.github {ORG_CONFIG_PATH}")
    return default_policy()


def fetch_changes(port: GitHubPort, repo: RepoRef, pull: PullInfo) -> ChangeSet:
    return parse_files_listing(port.fetch_files(repo, pull.number))


def fetch_context(
    port: GitHubPort, repo: RepoRef, pull: PullInfo, changes: ChangeSet, policy: Policy
) -> RepoContext:
    """CODEOWNERS and .gitattributes from the base; contents only for interface files."""
    codeowners = None
    if policy.codeowners:
        for location in CODEOWNERS_LOCATIONS:  # GitHub's own search order; first found wins
            codeowners = port.fetch_file(repo, location, pull.base_ref)
            if codeowners is not None:
                break
    return RepoContext(
        codeowners=codeowners,
        gitattributes=port.fetch_file(repo, ".gitattributes", pull.base_ref),
        contents=_interface_contents(port, repo, pull, changes, policy),
    )


def _interface_contents(
    port: GitHubPort, repo: RepoRef, pull: PullInfo, changes: ChangeSet, policy: Policy
) -> dict[str, FileVersions]:
    by_path = {f.path: f for f in changes.files}
    out: dict[str, FileVersions] = {}
    for path in interface_paths_needing_contents(changes.files, policy.interfaces):
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


@dataclass(frozen=True)
class LabelGrants:
    """Override and size-exception labels, split into honoured and refused (with why)."""

    overrides: tuple[Override, ...]
    exception_granted: bool
    refused_labels: tuple[str, ...]
    refusals: tuple[str, ...]


def check_label_grants(
    port: GitHubPort, repo: RepoRef, pull: PullInfo, policy: Policy
) -> LabelGrants:
    """Honour override labels only from senders whose role is in ``overrides.roles``."""
    names = policy.labels
    wanted = [
        label
        for label in pull.labels
        if override_tier(label, names) is not None or label == names.size_exception
    ]
    if not wanted:
        return LabelGrants((), False, (), ())
    actors = {e.label: e.actor for e in port.fetch_label_actors(repo, pull.number)}
    overrides: list[Override] = []
    refused: list[str] = []
    refusals: list[str] = []
    granted_exception = False
    roles: dict[str, str] = {"": "none"}  # one lookup per actor, however many labels
    for label in wanted:
        actor = actors.get(label, "")
        if actor not in roles:
            roles[actor] = port.fetch_role(repo, actor)
        role = roles[actor]
        allowed = role in policy.overrides.roles
        tier = override_tier(label, names)
        if tier is not None:
            overrides.append(Override(label, tier, actor, allowed, f"applied by @{actor} ({role})"))
        granted_exception = granted_exception or (allowed and tier is None)
        if not allowed:
            refused.append(label)
            refusals.append(_refusal(label, actor, role, policy.overrides.roles))
    return LabelGrants(tuple(overrides), granted_exception, tuple(refused), tuple(refusals))


def _refusal(label: str, actor: str, role: str, roles: Sequence[str]) -> str:
    who = f"@{actor}" if actor else "an unknown sender"
    return (
        f"`{label}` was added by {who}, whose role is `{role}`; only {', '.join(roles)} "
        "may apply it, so it was removed."
    )


_REFUSAL = re.compile(r"^- `(?P<label>[^`]+)` was added by .*, so it was removed\.$", re.M)


def carried_refusals(
    previous_comment: str | None, labels: Sequence[str], grants: LabelGrants
) -> tuple[str, ...]:
    """This run's refusals plus earlier ones still worth explaining.

    The refused label is gone by the next run, so the comment itself remembers why: an
    earlier explanation stays until that label is applied again (by anyone).
    """
    kept = list(grants.refusals)
    refused_now = set(grants.refused_labels)
    for found in _REFUSAL.finditer(previous_comment or ""):
        label = found.group("label")
        if label not in labels and label not in refused_now and found.group(0)[2:] not in kept:
            kept.append(found.group(0)[2:])
    return tuple(kept)
