"""What a push means for review: which branch, whether it is the default branch (a spec
repository's pushes there reach every repository extending it), and whether it may have changed
the policy or CODEOWNERS that pull requests into the branch are judged by."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.core.codeowners import CODEOWNERS_LOCATIONS
from bot.core.names import CONFIG_PATH
from bot.intake.payload import field_at, optional_at

POLICY_FILES = frozenset({CONFIG_PATH, *CODEOWNERS_LOCATIONS})
# GitHub may cut a push's commit list (the events API keeps 20 commits, webhooks more): a list
# this long, or shorter than the push's ``size`` when the payload has one, may hide a change.
MAX_LISTED_COMMITS = 20
CHANGE_LISTS = ("added", "modified", "removed")


@dataclass(frozen=True)
class PushScope:
    branch: str
    default_branch: bool
    policy_changed: bool


def read_push(payload: Mapping[str, Any]) -> PushScope | str:
    """The push's scope, or why it concerns no pull request's policy."""
    ref = field_at(payload, "ref", str)
    if not ref.startswith("refs/heads/"):
        return "a tag, not a branch"
    if optional_at(payload, "deleted", bool):
        return "the branch was deleted"
    branch = ref.removeprefix("refs/heads/")
    default = branch == optional_at(payload, "repository.default_branch", str)
    changed = may_change_policy(payload)
    if not default and not changed:
        return "no policy or CODEOWNERS file changed"
    return PushScope(branch, default, changed)


def may_change_policy(payload: Mapping[str, Any]) -> bool:
    """Whether a listed commit touched a policy or CODEOWNERS file, or the list cannot tell:
    cut short, or a forced push (what it replaced is not listed)."""
    commits = field_at(payload, "commits", list)
    size = optional_at(payload, "size", int)
    if optional_at(payload, "forced", bool) or len(commits) >= MAX_LISTED_COMMITS:
        return True
    if size is not None and size > len(commits):
        return True
    for index, commit in enumerate(commits):
        for change in CHANGE_LISTS:
            paths = optional_at(commit, change, list, f"commits[{index}]") or []
            if POLICY_FILES.intersection(str(p) for p in paths):
                return True
    return False
