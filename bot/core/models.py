"""Value types shared by the pure core: the change under review, its facts, and the decision."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from bot.core.check_requirements import CheckRequirement
from bot.core.codeowners import CodeOwnersError
from bot.core.severity import InterfaceChange


class Tier(StrEnum):
    """A review tier; ordering follows review depth."""

    L1 = "L1"
    L2 = "L2"
    L3 = "L3"

    @property
    def rank(self) -> int:
        return int(self.value[1])


class Mode(StrEnum):
    """Whether the App enforces its decisions or only shows them (shadow); enforce is stricter."""

    ENFORCE = "enforce"
    SHADOW = "shadow"


# Size buckets from smallest to largest; the config file sets each one's lower bound.
BUCKET_ORDER: tuple[str, ...] = ("XS", "S", "M", "L", "XL", "XXL")


def bucket_rank(label: str) -> int:
    return BUCKET_ORDER.index(label)


@dataclass(frozen=True)
class Reason:
    """A stable machine code plus one human sentence."""

    code: str
    message: str


@dataclass(frozen=True)
class FileChange:
    """One changed file, as seen in a unified diff or a GitHub files listing.

    ``has_patch`` is False when the source omitted the patch (GitHub does so for large and
    binary files); then ``added_lines``/``removed_lines`` are empty but the counts are real.
    ``head_prefix`` holds the first lines of the new version when known (a hunk starting at
    line 1, or contents read from the repository), used to spot generated-code markers.
    ``base_prefix`` holds the first lines of the old version from the hunk covering its line 1
    (its context and removed lines): () for a file new in the change, None when no hunk shows
    them. A marker counts only when the base carried it, so both sides are needed.
    """

    path: str
    status: str = "modified"  # added | removed | modified | renamed
    additions: int = 0
    deletions: int = 0
    previous_path: str | None = None
    binary: bool = False
    has_patch: bool = True
    added_lines: tuple[str, ...] = ()
    removed_lines: tuple[str, ...] = ()
    head_prefix: tuple[str, ...] = ()
    base_prefix: tuple[str, ...] | None = None
    # The raw hunks-only ``patch`` of a files-listing entry: GitHub computes it against the merge
    # base, so un-applying it to the head version rebuilds the exact "before" (None: not given).
    patch: str | None = None
    # The line number of each added line in the new version and of each removed line in the
    # old one, from the hunk headers; () when the headers could not be read.
    added_numbers: tuple[int, ...] = ()
    removed_numbers: tuple[int, ...] = ()


@dataclass(frozen=True)
class ChangeSet:
    """All changed files of a pull request; ``truncated`` when the listing hit its cap."""

    files: tuple[FileChange, ...]
    truncated: bool = False


@dataclass(frozen=True)
class FileVersions:
    """Contents of one file before and after the change (None: absent on that side)."""

    before: str | None
    after: str | None


@dataclass(frozen=True)
class RepoContext:
    """What the classifier may read from the repository, all of it taken at the base."""

    codeowners: str | None = None
    codeowners_path: str | None = None  # where the CODEOWNERS text was found
    gitattributes: str | None = None
    contents: Mapping[str, FileVersions] = field(default_factory=dict)


@dataclass(frozen=True)
class PullMeta:
    """Who and what: author, labels, commit messages, body, draft."""

    author: str = ""
    labels: tuple[str, ...] = ()
    commit_messages: tuple[str, ...] = ()
    body: str = ""
    draft: bool = False


@dataclass(frozen=True)
class SizeFacts:
    """Counted lines and files, the bucket label, and files left out of the count."""

    lines: int
    files: int
    label: str
    additions: int
    deletions: int
    ignored_files: tuple[str, ...] = ()
    # Files that claim to be generated with a marker the base did not carry: they count.
    refused_markers: tuple[Reason, ...] = ()


@dataclass(frozen=True)
class Touch:
    """A touched invariant or interface: its id, owners, the files, and why."""

    id: str
    owners: tuple[str, ...]
    files: tuple[str, ...]
    reasons: tuple[Reason, ...]
    statement: str = ""
    kind: str = ""
    # Interfaces only: each change with its severity (see bot/core/interfaces/contracts.py),
    # and which touches make L3 ("any", or "breaking": only breaking changes).
    changes: tuple[InterfaceChange, ...] = ()
    escalate: str = "any"
    # The spec file that declared the rule (owner/repo@sha:path); "" for the repository's own.
    origin: str = ""


@dataclass(frozen=True)
class PullFacts:
    """Everything the tier decision looks at, computed from a change and a policy."""

    files: tuple[str, ...]
    size: SizeFacts
    invariants: tuple[Touch, ...]
    interfaces: tuple[Touch, ...]
    owners: tuple[str, ...]
    owners_by_file: Mapping[str, tuple[str, ...]]
    ai_assisted: bool
    ai_reasons: tuple[Reason, ...]
    truncated: bool
    notes: tuple[Reason, ...] = ()
    # Renamed files: new path -> old path. Path rules and owners look at both sides, so moving
    # a file out of a protected area still counts as touching that area.
    previous_paths: Mapping[str, str] = field(default_factory=dict)
    # Owned areas: the distinct owner sets of the CODEOWNERS entries deciding the changed files.
    owner_areas: tuple[tuple[str, ...], ...] = ()
    # CODEOWNERS lines GitHub skips: shown as warnings, since they own nothing.
    codeowners_errors: tuple[CodeOwnersError, ...] = ()
    # The spec files the policy extends, nearest first, each as owner/repo@sha:path.
    specs: tuple[str, ...] = ()

    def paths_matching(self, matches: Callable[[str], bool]) -> list[str]:
        """Changed files that match on either side of a rename, citing the old path when only
        it matched: moving a file out of an area still touches the area."""
        hits: list[str] = []
        for path in self.files:
            old = self.previous_paths.get(path)
            if matches(path):
                hits.append(path)
            elif old is not None and matches(old):
                hits.append(f"{old} (renamed to {path})")
        return hits


@dataclass(frozen=True)
class ReviewerGroup:
    """A group whose approvals a tier needs: a team, a user, or the owners of a touched area."""

    name: str
    members: tuple[str, ...]
    required: int
    kind: str  # team | user | owners | invariant | interface


@dataclass(frozen=True)
class Limits:
    soft_exceeded: bool
    hard_exceeded: bool
    size_exception: bool = False


@dataclass(frozen=True)
class Override:
    """A tier override requested by label, and whether it was honoured."""

    label: str
    tier: Tier
    actor: str
    honoured: bool
    reason: str = ""


@dataclass(frozen=True)
class TierDecision:
    """The tier with its reasons, and what the App will apply to the pull request."""

    tier: Tier
    computed_tier: Tier
    reasons: tuple[Reason, ...]
    labels: tuple[str, ...]
    groups: tuple[ReviewerGroup, ...]
    checks: tuple[CheckRequirement, ...]
    limits: Limits
    invalidate_on_push: bool
    overrides: tuple[Override, ...] = ()
    missing_generation_context: bool = False
