"""Count a change's size: which files count, how many lines, which bucket."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.core.config import SizePolicy
from bot.core.gitattributes import MARKER_LINES, Attributes, is_generated_content
from bot.core.globs import GlobSet
from bot.core.models import BUCKET_ORDER, FileChange, FileVersions, Reason, SizeFacts

GENERATED_MARKER_IGNORED = "generated-marker-ignored"


@dataclass(frozen=True)
class BaseRules:
    """What the base declares about files: the policy's globs and .gitattributes.

    Only the base may take files out of the count: the change under review cannot vouch
    for its own files.
    """

    ignore: GlobSet
    generated: GlobSet
    attributes: Attributes

    @classmethod
    def of(cls, policy: SizePolicy, attributes: Attributes) -> BaseRules:
        ignore, generated = (GlobSet.from_patterns(p) for p in (policy.ignore, policy.generated))
        return cls(ignore, generated, attributes)


def bucket_for(lines: int, buckets: Mapping[str, int]) -> str:
    """The largest bucket whose lower bound the count reaches (Prow's size plugin)."""
    label = BUCKET_ORDER[0]
    for name in BUCKET_ORDER:
        if lines >= buckets.get(name, 0):
            label = name
    return label


def ignore_reason(
    change: FileChange, rules: BaseRules, versions: FileVersions | None
) -> Reason | None:
    """Why a file is left out of the size count, or None when it counts."""
    path = change.path
    if change.binary:
        return Reason("size-ignored", f"{path}: binary file")
    declared = _declared_by_base(path, rules)
    if declared is not None:
        return Reason("size-ignored", f"{path}: {declared}")
    if _head_marker(change, versions) and is_generated_content(_base_lines(change, versions) or ()):
        return Reason("size-ignored", f"{path}: keeps the generated-code marker it has at the base")
    return None


def _declared_by_base(path: str, rules: BaseRules) -> str | None:
    for globs, key in ((rules.ignore, "size.ignore"), (rules.generated, "size.generated")):
        pattern = globs.first_match(path)
        if pattern is not None:
            return f"matches {key} {pattern!r}"
    if rules.attributes.is_generated(path):
        return "linguist-generated in .gitattributes"
    if rules.attributes.is_vendored(path):
        return "linguist-vendored in .gitattributes"
    return None


def refused_marker(change: FileChange, versions: FileVersions | None) -> Reason | None:
    """Why a counted file's generated-code marker was not honoured (None: it carries none).

    A marker the change itself writes would let an author hide their own code from the size
    rules, so it is honoured only when the base version already carried it.
    """
    if not _head_marker(change, versions):
        return None
    base = _base_lines(change, versions)
    if base is None:
        why = "the first lines of its base version are not known"
    elif change.status == "added":
        why = "the file is new"
    else:
        why = "its base version carries no such marker"
    return Reason(
        GENERATED_MARKER_IGNORED,
        f"{change.path}: its generated-code marker is not honoured because {why}; "
        "its lines count (only the base declares files generated: .gitattributes, "
        "size.generated, size.ignore)",
    )


def _head_marker(change: FileChange, versions: FileVersions | None) -> bool:
    if versions is not None and versions.after is not None:
        return is_generated_content(versions.after.splitlines()[:MARKER_LINES])
    return is_generated_content(change.head_prefix)


def _base_lines(change: FileChange, versions: FileVersions | None) -> Sequence[str] | None:
    """The base version's first lines: () for a new file, None when they are not known."""
    if change.status == "added":
        return ()
    if versions is not None and versions.before is not None:
        return versions.before.splitlines()[:MARKER_LINES]
    return change.base_prefix


def classify_size(
    files: Sequence[FileChange],
    policy: SizePolicy,
    attributes: Attributes,
    contents: Mapping[str, FileVersions],
) -> tuple[SizeFacts, tuple[Reason, ...]]:
    """Counted lines and files plus one reason per file left out of the count."""
    rules = BaseRules.of(policy, attributes)
    additions = deletions = counted = 0
    ignored: list[str] = []
    reasons: list[Reason] = []
    refused: list[Reason] = []
    for change in files:
        versions = contents.get(change.path)
        why = ignore_reason(change, rules, versions)
        if why is not None:
            ignored.append(change.path)
            reasons.append(why)
            continue
        marker = refused_marker(change, versions)
        if marker is not None:
            refused.append(marker)
        counted += 1
        additions += change.additions
        deletions += change.deletions
    lines = additions + deletions
    facts = SizeFacts(
        lines=lines,
        files=counted,
        label=bucket_for(lines, policy.buckets),
        additions=additions,
        deletions=deletions,
        ignored_files=tuple(ignored),
        refused_markers=tuple(refused),
    )
    return facts, tuple(reasons)
