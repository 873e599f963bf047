"""Assess the files of one interface: which touch it, and each change with its severity.

A kind with a comparator parses both sides and rates every change ``breaking`` or
``non-breaking``; a kind without one (``generic``, or any unknown kind) rates every touch
breaking. Whatever cannot be compared is breaking, with the reason (fail closed): a side that
does not parse, contents that could not be had, a touch the detector saw but no severity rule
explains, a file past the evaluation's parse budget (``parse_session``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.core.interfaces.detector import Detector, Needs
from bot.core.interfaces.parse_session import SPENT, ParseSession, active
from bot.core.interfaces.registry import detector_for
from bot.core.interfaces.verdict import (
    TOUCHED,
    UNCHANGED,
    UNPARSABLE,
    InterfaceVerdict,
    unparsable,
)
from bot.core.models import FileChange, FileVersions, Reason
from bot.core.severity import BREAKING, ContractParseError, InterfaceChange

# One touched file lists at most this many changes as reasons; the full list is in the changes.
MAX_REASONS_PER_FILE = 20


@dataclass(frozen=True)
class Assessment:
    """The verdict of each matched file and every change found, in file order."""

    verdicts: tuple[tuple[FileChange, InterfaceVerdict], ...]
    changes: tuple[InterfaceChange, ...]


def assess(
    kind: str,
    matched: Sequence[FileChange],
    contents: Mapping[str, FileVersions],
    session: ParseSession | None = None,
) -> Assessment:
    """Classify ``matched`` (the interface's changed files) by the detector of ``kind``.

    ``session`` is the evaluation's: parses are shared through it and its budget is spent;
    without one, this call has a budget of its own.
    """
    with active(session or ParseSession()) as current:
        return _assess(detector_for(kind), matched, contents, current)


def _assess(
    detector: Detector,
    matched: Sequence[FileChange],
    contents: Mapping[str, FileVersions],
    session: ParseSession,
) -> Assessment:
    found: dict[str, list[InterfaceChange]] = {}
    failed: dict[str, list[tuple[str, str]]] = {}
    readable = []
    for change in matched:
        versions = contents.get(change.path)
        if versions is None or not _sides(versions):
            continue
        if detector.needs is Needs.CONTENTS and not session.charge(
            (versions.before, versions.after)
        ):
            failed[change.path] = [(_BOTH, SPENT)]
            continue
        missing = _missing_sides(change, versions) if detector.compare is not None else []
        if missing:
            # A side the change keeps but that could not be read must not read as an addition
            # or a removal of everything in it.
            failed[change.path] = [
                (side, "could not be read (too large or not text)") for side in missing
            ]
        else:
            readable.append(change)
    if detector.compare is not None:
        groups = [readable] if detector.merge else [[c] for c in readable]
        for group in filter(None, groups):
            _compare(detector, group, contents, found, failed)
    verdicts: list[tuple[FileChange, InterfaceVerdict]] = []
    changes: list[InterfaceChange] = []
    compared_paths = {c.path for c in readable} if detector.compare is not None else set()
    for change in matched:
        versions = contents.get(change.path)
        compared = change.path in compared_paths
        verdict, mine = _file(detector, change, versions, compared, found, failed)
        verdicts.append((change, verdict))
        changes.extend(mine)
    return Assessment(tuple(verdicts), tuple(changes))


def _file(
    detector: Detector,
    change: FileChange,
    versions: FileVersions | None,
    compared: bool,
    found: Mapping[str, list[InterfaceChange]],
    failed: Mapping[str, list[tuple[str, str]]],
) -> tuple[InterfaceVerdict, tuple[InterfaceChange, ...]]:
    if change.path in failed and (not detector.decides or failed[change.path][0][1] == SPENT):
        # Past the budget, a deciding detector must not parse it either.
        sides = failed[change.path]
        return unparsable(change.path, sides), _unparsable(change.path, sides)
    mine = tuple(found.get(change.path, ()))
    if compared and not detector.decides:
        if not mine and _unread_difference(detector, versions):
            mine = (InterfaceChange(change.path, BREAKING, UNREAD),)
        return _from_changes(change, mine), mine
    # The detector decides the touch; the comparator only rates what it touched.
    verdict = detector.classify(change, versions)
    if not verdict.touched:
        return verdict, ()
    if change.path in failed:
        return verdict, _unparsable(change.path, failed[change.path])
    own_failures = [r for r in verdict.reasons if r.code == UNPARSABLE]
    if own_failures:
        # The detector could not read a side: whatever the comparator made of it, breaking.
        return verdict, tuple(
            InterfaceChange(change.path, BREAKING, r.message) for r in own_failures
        )
    if not mine:
        if detector.compare is None:
            why = f"changed: every change to a {detector.kind} interface counts as breaking"
        elif compared:
            why = UNREAD
        else:
            why = _uncompared(versions)
        mine = (InterfaceChange(change.path, BREAKING, why),)
    return verdict, mine


def _unparsable(path: str, sides: list[tuple[str, str]]) -> tuple[InterfaceChange, ...]:
    return tuple(
        InterfaceChange(path, BREAKING, f"the {side} version {why}") for side, why in sides
    )


def _compare(
    detector: Detector,
    group: Sequence[FileChange],
    contents: Mapping[str, FileVersions],
    found: dict[str, list[InterfaceChange]],
    failed: dict[str, list[tuple[str, str]]],
) -> None:
    assert detector.compare is not None
    before: dict[str, str] = {}
    after: dict[str, str] = {}
    for change in group:
        versions = contents[change.path]
        if versions.before is not None:
            before[change.previous_path or change.path] = versions.before
        if versions.after is not None:
            after[change.path] = versions.after
    try:
        result = detector.compare(before, after)
    except ContractParseError as err:
        owner = _owner(err.path, group)
        for change in [owner] if owner is not None else group:
            failed.setdefault(change.path, []).append((err.side, err.why))
        return
    except Exception as err:  # a parser's own bug must fail closed, not crash the run
        for change in group:
            failed.setdefault(change.path, []).append(
                ("before or after", f"broke the parser ({type(err).__name__})")
            )
        return
    for item in result:
        owner = _owner(item.path, group)
        if owner is None:
            # A finding about a file outside the group is kept on every file of it.
            for change in group:
                found.setdefault(change.path, []).append(item)
            continue
        found.setdefault(owner.path, []).append(item)


def _owner(path: str, group: Sequence[FileChange]) -> FileChange | None:
    """The change whose file (or previous name) ``path`` is."""
    return next((c for c in group if path in (c.path, c.previous_path)), None)


def _from_changes(change: FileChange, mine: tuple[InterfaceChange, ...]) -> InterfaceVerdict:
    if not mine:
        unchanged = Reason(UNCHANGED, f"{change.path}: no contract element changed")
        return InterfaceVerdict(False, (unchanged,))
    shown = [Reason(TOUCHED, f"{change.path}: {item.what}") for item in mine]
    if len(shown) > MAX_REASONS_PER_FILE:
        more = len(shown) - MAX_REASONS_PER_FILE
        shown = shown[:MAX_REASONS_PER_FILE]
        shown.append(Reason(TOUCHED, f"{change.path}: and {more} more change(s)"))
    return InterfaceVerdict(True, tuple(shown))


UNREAD = "changed in a way no severity rule reads (beyond comments and layout)"
_BOTH = "before and after"


def _unread_difference(detector: Detector, versions: FileVersions | None) -> bool:
    """Whether the text differs beyond comments and layout although the comparator found no
    change: a construct it does not model (a directive, an option) must not pass unseen."""
    if detector.normalize is None or versions is None:
        return False
    if versions.before is None or versions.after is None:
        return False
    return detector.normalize(versions.before) != detector.normalize(versions.after)


def _missing_sides(change: FileChange, versions: FileVersions | None) -> list[str]:
    """The sides a change of this status must have but whose text is missing."""
    if versions is None:
        return []
    missing = []
    if versions.before is None and change.status != "added":
        missing.append("before")
    if versions.after is None and change.status != "removed":
        missing.append("after")
    return missing


def _sides(versions: FileVersions | None) -> bool:
    return versions is not None and (versions.before is not None or versions.after is not None)


def _uncompared(versions: FileVersions | None) -> str:
    if versions is None:
        return "changed; its contents were not available, so its changes were not rated"
    return "changed; its contents could not be read, so its changes were not rated"
