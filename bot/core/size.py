"""Count a change's size (SPEC §2 "Size"): which files count, how many lines, which bucket."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.core.config import BUCKET_ORDER, SizePolicy
from bot.core.gitattributes import Attributes, is_generated_content
from bot.core.globs import GlobSet
from bot.core.models import FileChange, FileVersions, Reason, SizeFacts


def bucket_for(lines: int, buckets: Mapping[str, int]) -> str:
    """The largest bucket whose lower bound the count reaches (Prow's size plugin)."""
    label = BUCKET_ORDER[0]
    for name in BUCKET_ORDER:
        if lines >= buckets.get(name, 0):
            label = name
    return label


def bucket_rank(label: str) -> int:
    return BUCKET_ORDER.index(label)


def ignore_reason(
    change: FileChange,
    ignore: GlobSet,
    attributes: Attributes,
    versions: FileVersions | None,
) -> Reason | None:
    """Why a file is left out of the size count, or None when it counts."""
    path = change.path
    if change.binary:
        return Reason("size-ignored", f"{path}: binary file")
    pattern = ignore.first_match(path)
    if pattern is not None:
        return Reason("size-ignored", f"{path}: matches size.ignore {pattern!r}")
    if attributes.is_generated(path):
        return Reason("size-ignored", f"{path}: linguist-generated in .gitattributes")
    if attributes.is_vendored(path):
        return Reason("size-ignored", f"{path}: linguist-vendored in .gitattributes")
    if is_generated_content(_head_lines(change, versions)):
        return Reason("size-ignored", f"{path}: carries a generated-code marker")
    return None


def _head_lines(change: FileChange, versions: FileVersions | None) -> Sequence[str]:
    if versions is not None and versions.after is not None:
        return versions.after.splitlines()[:5]
    return change.head_prefix


def classify_size(
    files: Sequence[FileChange],
    policy: SizePolicy,
    attributes: Attributes,
    contents: Mapping[str, FileVersions],
) -> tuple[SizeFacts, tuple[Reason, ...]]:
    """Counted lines and files plus one reason per file left out of the count."""
    ignore = GlobSet.from_patterns(policy.ignore)
    additions = deletions = counted = 0
    ignored: list[str] = []
    reasons: list[Reason] = []
    for change in files:
        why = ignore_reason(change, ignore, attributes, contents.get(change.path))
        if why is not None:
            ignored.append(change.path)
            reasons.append(why)
            continue
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
    )
    return facts, tuple(reasons)
