"""Blast radius: which declared interfaces a change touches, and who owns the changed files."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.core.codeowners import parse_codeowners
from bot.core.config import Interface
from bot.core.globs import GlobSet
from bot.core.interfaces.contracts import assess
from bot.core.interfaces.parse_session import ParseSession
from bot.core.interfaces.registry import needs_contents
from bot.core.interfaces.verdict import TOUCHED, UNCHANGED, InterfaceVerdict
from bot.core.invariants import matched_files
from bot.core.models import FileChange, FileVersions, Reason, Touch
from bot.core.severity import BREAKING, InterfaceChange


def classify_interface(
    files: Sequence[FileChange],
    interface: Interface,
    contents: Mapping[str, FileVersions],
    session: ParseSession | None = None,
) -> Touch | None:
    """The touch of one interface with its reasons, or None when its contract is unchanged.

    ``session`` carries the evaluation's parses and parse budget across its interfaces.
    """
    matched = matched_files(files, interface.paths)
    assessment = assess(interface.kind, matched, contents, session)
    moved = moved_out(matched, interface.paths)
    reasons: list[Reason] = []
    touched: list[str] = []
    for change, verdict in assessment.verdicts:
        if change.path in moved:
            kept = [r for r in verdict.reasons if r.code != UNCHANGED]
            verdict = InterfaceVerdict(True, (moved[change.path][0], *kept))
        if not verdict.touched:
            continue
        touched.append(change.path)
        named = f"{interface.id} from {interface.origin}" if interface.origin else interface.id
        reasons.extend(Reason(r.code, f"{named}: {r.message}") for r in verdict.reasons)
    changes = (*(change for _, change in moved.values()), *assessment.changes)
    if not touched:
        return None
    return Touch(
        id=interface.id,
        owners=interface.owners,
        files=tuple(touched),
        reasons=tuple(reasons),
        kind=interface.kind,
        changes=changes,
        escalate=interface.escalate,
        origin=interface.origin,
    )


def moved_out(
    matched: Sequence[FileChange], paths: tuple[str, ...]
) -> dict[str, tuple[Reason, InterfaceChange]]:
    """Files renamed from inside the interface's paths to outside them: whatever their
    contents, consumers lose them and later changes escape the interface (breaking)."""
    globs = GlobSet.from_patterns(paths)
    moved: dict[str, tuple[Reason, InterfaceChange]] = {}
    for change in matched:
        if change.previous_path and not globs.matches(change.path):
            what = f"moved out of the interface's paths (from {change.previous_path})"
            reason = Reason(TOUCHED, f"{change.path}: {what}")
            moved[change.path] = (reason, InterfaceChange(change.path, BREAKING, what))
    return moved


def classify_interfaces(
    files: Sequence[FileChange],
    interfaces: Sequence[Interface],
    contents: Mapping[str, FileVersions],
) -> tuple[Touch, ...]:
    """The touched interfaces; one parse session for all, so each contract text is parsed once
    and the pull request's parse budget is shared."""
    session = ParseSession()
    touches = (classify_interface(files, i, contents, session) for i in interfaces)
    return tuple(t for t in touches if t is not None)


def interface_paths_needing_contents(
    files: Sequence[FileChange], interfaces: Sequence[Interface]
) -> tuple[str, ...]:
    """Files whose before/after contents an interface's detector compares (see the registry)."""
    wanted: dict[str, None] = {}
    for interface in interfaces:
        if needs_contents(interface.kind):
            for change in matched_files(files, interface.paths):
                wanted[change.path] = None
    return tuple(wanted)


def classify_owners(
    files: Sequence[FileChange], codeowners_text: str | None
) -> dict[str, tuple[str, ...]]:
    """Owners of each changed file per CODEOWNERS (empty when there is none), keyed by new path.

    A renamed file is owned by the owners of its new path and of its old one: moving a file out
    of an area must still ask that area's owners.
    """
    if not codeowners_text:
        return {f.path: () for f in files}
    rules = parse_codeowners(codeowners_text)
    owners: dict[str, tuple[str, ...]] = {}
    for f in files:
        found = rules.owners_of(f.path)
        if f.previous_path is not None:
            found += tuple(o for o in rules.owners_of(f.previous_path) if o not in found)
        owners[f.path] = found
    return owners


def classify_owner_areas(
    files: Sequence[FileChange], codeowners_text: str | None
) -> tuple[tuple[str, ...], ...]:
    """The owned areas a change reaches: distinct owner sets of the deciding CODEOWNERS entries.

    Five co-owners on one line are one area, not five owners; two entries naming the same
    owners are one area; an entry with no owners (an un-owned sub-path) is none. Both sides
    of a rename count, as they do for owners.
    """
    if not codeowners_text:
        return ()
    rules = parse_codeowners(codeowners_text)
    areas: dict[frozenset[str], tuple[str, ...]] = {}
    for change in files:
        for path in filter(None, (change.path, change.previous_path)):
            rule = rules.rule_for(path)
            if rule is not None and rule.owners:
                # Logins and team slugs are case-insensitive on GitHub.
                key = frozenset(o.lower() for o in rule.owners)
                areas.setdefault(key, tuple(sorted(set(rule.owners), key=str.lower)))
    return tuple(sorted(areas.values(), key=lambda area: [o.lower() for o in area]))
