"""Decide interface touches from the changed lines alone, when no contents are available."""

from __future__ import annotations

import re

from bot.core.interfaces.python_api import is_public_name
from bot.core.interfaces.verdict import FALLBACK, TOUCHED, UNCHANGED, InterfaceVerdict, touched_by
from bot.core.models import FileChange, Reason

_PY_DEFINITION = re.compile(r"^(?:async\s+def|def|class)\s+([A-Za-z_]\w*)")
# Lines that reshape the public API without being a def/class line themselves.
_PY_SHAPE = re.compile(
    r"^(?:__all__\b|@(?:staticmethod|classmethod|property)\b|@\w+\.(?:setter|deleter)\b)"
)


def classify_python_hunks(change: FileChange, why: str) -> InterfaceVerdict:
    """Touched when a changed line defines a public function, class or method."""
    found: list[Reason] = []
    for line in (*change.removed_lines, *change.added_lines):
        text = line.strip()
        match = _PY_DEFINITION.match(text)
        if match and is_public_name(match.group(1)):
            message = f"{change.path}: changed line defines public name {match.group(1)}"
        elif _PY_SHAPE.match(text):
            message = f"{change.path}: changed line reshapes the public API: {text}"
        else:
            continue
        reason = Reason(TOUCHED, message)
        if reason not in found:
            found.append(reason)
    return _verdict(change, why, found)


def classify_contract_hunks(change: FileChange, why: str) -> InterfaceVerdict:
    """Touched when any changed line is more than blank space or a comment."""
    lines = (*change.removed_lines, *change.added_lines)
    count = sum(1 for line in lines if line.strip() and not line.strip().startswith("#"))
    found = []
    if count:
        found.append(Reason(TOUCHED, f"{change.path}: {count} changed contract line(s)"))
    return _verdict(change, why, found)


def _verdict(change: FileChange, why: str, found: list[Reason]) -> InterfaceVerdict:
    if not change.has_patch:
        # GitHub omits the patch of large files: nothing to inspect, so assume the worst.
        note = f"{change.path}: {why}, and the patch was omitted too"
        touched = Reason(TOUCHED, f"{change.path}: changed without inspectable lines")
        return InterfaceVerdict(True, (Reason(FALLBACK, note), touched))
    note = f"{change.path}: {why}; decided from the changed lines"
    unchanged = Reason(UNCHANGED, f"{change.path}: no changed line touches the interface")
    return touched_by([Reason(FALLBACK, note), *found], unchanged)
