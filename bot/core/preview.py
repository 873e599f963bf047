"""What a change to the policy or CODEOWNERS would do: which of those files it changes, the
new files' problems, and each open pull request's tier under the base and the new policy.

The pull request itself stays judged by the base policy; this is only what it shows about the
policy it proposes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from bot.core.codeowners import CODEOWNERS_LOCATIONS, CodeOwnersError
from bot.core.config import ConfigProblem
from bot.core.models import ChangeSet, Tier
from bot.core.names import CONFIG_PATH
from bot.core.specs import SPEC_DEFAULT_PATH

RAISED, LOWERED, UNCHANGED = "raised", "lowered", "unchanged"
DIRECTIONS = (RAISED, LOWERED, UNCHANGED)
ARROWS = {RAISED: "↑", LOWERED: "↓", UNCHANGED: "="}


@dataclass(frozen=True)
class PolicyTouch:
    """The policy files a change touches: the policy, a CODEOWNERS file, a spec file."""

    policy: bool = False
    codeowners: tuple[str, ...] = ()  # the CODEOWNERS locations changed
    spec: bool = False  # the root review-tiers.yml, the file other repositories extend

    def __bool__(self) -> bool:
        return self.policy or bool(self.codeowners) or self.spec

    @property
    def paths(self) -> tuple[str, ...]:
        named = [CONFIG_PATH] if self.policy else []
        named += list(self.codeowners)
        named += [SPEC_DEFAULT_PATH] if self.spec else []
        return tuple(named)


def policy_touch(changes: ChangeSet) -> PolicyTouch:
    """Which policy files ``changes`` adds, edits, removes or renames (from or to)."""
    paths = {f.path for f in changes.files} | {
        f.previous_path for f in changes.files if f.previous_path
    }
    return PolicyTouch(
        policy=CONFIG_PATH in paths,
        codeowners=tuple(loc for loc in CODEOWNERS_LOCATIONS if loc in paths),
        spec=SPEC_DEFAULT_PATH in paths,
    )


@dataclass(frozen=True)
class NewFiles:
    """The proposed policy as validated: its source, its errors (with key path and line) and
    the lines GitHub would skip in the proposed CODEOWNERS file."""

    source: str
    problems: tuple[ConfigProblem, ...] = ()
    codeowners_errors: tuple[CodeOwnersError, ...] = ()


@dataclass(frozen=True)
class PreviewRow:
    """One open pull request's tier today and under the new policy; ``repo`` is "" for the
    repository of the change, "owner/name" for a repository extending it."""

    number: int
    title: str
    before: Tier
    after: Tier
    repo: str = ""

    @property
    def direction(self) -> str:
        if self.after.rank > self.before.rank:
            return RAISED
        return LOWERED if self.after.rank < self.before.rank else UNCHANGED


@dataclass(frozen=True)
class Dependents:
    """Repositories whose policies extend the changed spec file, and how far they were read."""

    total: int  # dependent repositories known
    shown: tuple[str, ...]  # "owner/name" of those whose open pull requests were previewed
    open_pulls: int  # open pull requests found in ``shown``
    unevaluated: tuple[str, ...] = ()  # dependents whose policy under the new spec is unknown
    left: int = 0  # their open pull requests not previewed (the cap, or a stop)
    stopped: str = ""  # why the visit stopped early, "" when it did not


@dataclass(frozen=True)
class PolicyPreview:
    """The whole section: the new files, the rows, and what was left out and why."""

    touch: PolicyTouch
    new: NewFiles
    base_ref: str
    rows: tuple[PreviewRow, ...] = ()
    open_pulls: int = 0  # open pull requests to ``base_ref`` other than this one
    over_cap: int = 0  # left out by ``preview.max_pulls``
    not_previewed: int = 0  # left out when the preview stopped early
    stopped: str = ""  # why it stopped early, one clause ("the rate limit ran low")
    unreadable: int = 0  # pull requests GitHub would not let the App read
    dependents: Dependents | None = None
    off: bool = False  # ``preview.max_pulls`` is 0: the new files are only validated

    @property
    def failing(self) -> bool:
        """Errors in the new policy fail the check; CODEOWNERS lines GitHub skips do not."""
        return bool(self.new.problems)

    def ordered(self) -> tuple[PreviewRow, ...]:
        """Moved pull requests first (raised, then lowered), each group by repository and
        number, so the same inputs always render the same text."""
        rank = {d: i for i, d in enumerate(DIRECTIONS)}
        return tuple(sorted(self.rows, key=lambda r: (rank[r.direction], r.repo, r.number)))

    def counts(self) -> dict[str, int]:
        tally = Counter(row.direction for row in self.rows)
        return {d: tally.get(d, 0) for d in DIRECTIONS}
