"""Find the invariants a change touches: matching paths and, if given, a matching changed line."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.core.code_lines import code_lines
from bot.core.config import MATCH_CODE, Invariant
from bot.core.globs import GlobSet
from bot.core.models import FileChange, FileVersions, Reason, Touch
from bot.core.patterns import MAX_LINE_BYTES, Hit, LinePattern, compile_pattern, first_hit


def matched_files(files: Sequence[FileChange], paths: tuple[str, ...]) -> list[FileChange]:
    """Files whose new or previous path matches; a rename out of an area touches it too."""
    globs = GlobSet.from_patterns(paths)
    return [
        f
        for f in files
        if globs.matches(f.path) or (f.previous_path is not None and globs.matches(f.previous_path))
    ]


def reads_code(invariant: Invariant) -> bool:
    """Whether the invariant's patterns read the code of lines, so both sides are needed."""
    return bool(invariant.patterns) and invariant.match == MATCH_CODE


def invariant_paths_needing_contents(
    files: Sequence[FileChange], invariants: Sequence[Invariant]
) -> tuple[str, ...]:
    """Files whose before/after contents are lexed to tell code from comments."""
    wanted: dict[str, None] = {}
    for invariant in filter(reads_code, invariants):
        for change in matched_files(files, invariant.paths):
            wanted[change.path] = None
    return tuple(wanted)


def classify_invariant(
    files: Sequence[FileChange],
    invariant: Invariant,
    contents: Mapping[str, FileVersions] | None = None,
) -> Touch | None:
    """The touch of one invariant with its reasons, or None when untouched.

    With ``match: code`` the patterns read each changed line without its comments and
    docstrings, from ``contents`` (keyed by new path); a file that cannot be read so is
    matched on whole lines, and a touch it causes says why.
    """
    reasons: list[Reason] = []
    touched: list[str] = []
    # The policy was validated, so every pattern compiles on the linear-time engine.
    regexes = [compile_pattern(p) for p in invariant.patterns]
    for change in matched_files(files, invariant.paths):
        found = _file_reasons(change, invariant, regexes, contents or {})
        if found:
            reasons.extend(found)
            touched.append(change.path)
    if not reasons:
        return None
    return Touch(
        id=invariant.id,
        owners=invariant.owners,
        files=tuple(touched),
        reasons=tuple(reasons),
        statement=invariant.statement,
        origin=invariant.origin,
    )


def _file_reasons(
    change: FileChange,
    invariant: Invariant,
    regexes: list[LinePattern],
    contents: Mapping[str, FileVersions],
) -> tuple[Reason, ...]:
    cited = f"{change.path} touches {invariant.cited} ({invariant.statement})"
    if not regexes:
        return (Reason("invariant", f"{cited}: the file changed"),)
    if change.binary:
        # A NUL byte, or a ``-diff`` attribute, is enough for git and GitHub to show no lines:
        # a pull request must not hide a pattern's match that way, so do not pass silently.
        why = f"{cited}: a binary file (as git shows it), so the patterns cannot be checked"
        return (Reason("truncated", why),)
    if not change.has_patch:
        # GitHub left the patch out: the lines cannot be checked, so do not pass silently.
        why = f"{cited}: changed lines not available to check the patterns"
        return (Reason("truncated", why),)
    lines, problem = _lines_to_match(change, invariant, contents)
    reason = _hit_reason(cited, first_hit(lines, regexes))
    if reason is None:
        return ()
    if problem is None:
        return (reason,)
    fallback = f"{cited}: comments could not be told from code ({problem}), so whole lines matched"
    return (Reason("invariant-fallback", fallback), reason)


def _lines_to_match(
    change: FileChange, invariant: Invariant, contents: Mapping[str, FileVersions]
) -> tuple[tuple[str, ...], str | None]:
    """The text patterns read: code-only lines, or whole lines and why (None: no fallback)."""
    whole = change.added_lines + change.removed_lines
    if invariant.match != MATCH_CODE:
        return whole, None
    versions = contents.get(change.path)
    sides = (
        (
            change.path,
            versions.after if versions else None,
            change.added_lines,
            change.added_numbers,
        ),
        (
            change.previous_path or change.path,
            versions.before if versions else None,
            change.removed_lines,
            change.removed_numbers,
        ),
    )
    out: list[str] = []
    problems: list[str] = []
    for path, text, lines, numbers in sides:
        if len(numbers) != len(lines):
            problems.append("the diff gives no line numbers")
            out.extend(lines)
            continue
        read = code_lines(path, text, tuple(zip(numbers, lines, strict=True)))
        if read.problem is not None:
            problems.append(read.problem)
            out.extend(lines)
        else:
            out.extend(read.code[n] for n in numbers)
    return tuple(out), "; ".join(dict.fromkeys(problems)) or None


def _hit_reason(cited: str, hit: Hit | None) -> Reason | None:
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
    files: Sequence[FileChange],
    invariants: Sequence[Invariant],
    contents: Mapping[str, FileVersions] | None = None,
) -> tuple[Touch, ...]:
    touches = (classify_invariant(files, inv, contents) for inv in invariants)
    return tuple(t for t in touches if t is not None)
