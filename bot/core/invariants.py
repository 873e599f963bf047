"""Find the invariants a change touches: matching paths and, if given, a matching changed line."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.config import Invariant
from bot.core.globs import GlobSet
from bot.core.models import FileChange, Reason, Touch
from bot.core.patterns import MAX_LINE_BYTES, LinePattern, compile_pattern, first_hit


def matched_files(files: Sequence[FileChange], paths: tuple[str, ...]) -> list[FileChange]:
    """Files whose new or previous path matches; a rename out of an area touches it too."""
    globs = GlobSet.from_patterns(paths)
    return [
        f
        for f in files
        if globs.matches(f.path) or (f.previous_path is not None and globs.matches(f.previous_path))
    ]


def classify_invariant(files: Sequence[FileChange], invariant: Invariant) -> Touch | None:
    """The touch of one invariant with its reasons, or None when untouched."""
    reasons: list[Reason] = []
    touched: list[str] = []
    # The policy was validated, so every pattern compiles on the linear-time engine.
    regexes = [compile_pattern(p) for p in invariant.patterns]
    for change in matched_files(files, invariant.paths):
        reason = _file_reason(change, invariant, regexes)
        if reason is not None:
            reasons.append(reason)
            touched.append(change.path)
    if not reasons:
        return None
    return Touch(
        id=invariant.id,
        owners=invariant.owners,
        files=tuple(touched),
        reasons=tuple(reasons),
        statement=invariant.statement,
    )


def _file_reason(
    change: FileChange, invariant: Invariant, regexes: list[LinePattern]
) -> Reason | None:
    cited = f'{change.path} touches "{invariant.id}" ({invariant.statement})'
    if not regexes:
        return Reason("invariant", f"{cited}: the file changed")
    if not change.has_patch and not change.binary:
        # GitHub left the patch out: the lines cannot be checked, so do not pass silently.
        return Reason("truncated", f"{cited}: changed lines not available to check the patterns")
    hit = first_hit(change.added_lines + change.removed_lines, regexes)
    if hit is None:
        return None
    if hit.pattern is None:
        # Patterns never see a cut-down line: one too long to search counts as a match.
        bound = f"{MAX_LINE_BYTES // 1024} KiB"
        return Reason(
            "truncated",
            f"{cited}: a changed line of {hit.size} bytes is over the {bound} patterns are run on",
        )
    return Reason(
        "invariant", f"{cited}: changed line `{hit.line.strip()[:80]}` matches /{hit.pattern}/"
    )


def classify_invariants(
    files: Sequence[FileChange], invariants: Sequence[Invariant]
) -> tuple[Touch, ...]:
    touches = (classify_invariant(files, inv) for inv in invariants)
    return tuple(t for t in touches if t is not None)
