"""Decide whether a changed file touches a declared interface, by the interface's kind.

Reason codes: ``interface`` for each finding that touches the interface, ``interface-unchanged``
when a file was compared and nothing public changed (the verdict is then not touched),
``unparsable`` when a side of the file does not parse (the verdict is then touched), and
``interface-fallback`` when no contents were available and the changed lines decided.
Messages start with the file path (or the kind, for path-only kinds), never the interface id.
"""

from __future__ import annotations

from bot.core.interfaces.openapi import classify_openapi_change
from bot.core.interfaces.python_change import classify_python_change
from bot.core.interfaces.verdict import FALLBACK, TOUCHED, UNCHANGED, UNPARSABLE, InterfaceVerdict
from bot.core.models import FileChange, FileVersions, Reason

__all__ = [
    "FALLBACK",
    "TOUCHED",
    "UNCHANGED",
    "UNPARSABLE",
    "InterfaceVerdict",
    "classify_interface_change",
]

_STATUS_NOTES = {"added": " (added)", "removed": " (removed)", "renamed": " (renamed)"}


def classify_interface_change(
    kind: str, change: FileChange, versions: FileVersions | None
) -> InterfaceVerdict:
    """Whether ``change`` touches an interface of ``kind``, with one reason per finding.

    ``python`` and ``openapi`` compare the contents before and after; every other kind
    (``generic``, ``protobuf``, ``graphql``, ``sql``, and any unknown kind, to stay on the
    safe side) is touched by any change to a matched path.
    """
    if kind == "python":
        return classify_python_change(change, versions)
    if kind == "openapi":
        return classify_openapi_change(change, versions)
    return _any_change(kind, change)


def _any_change(kind: str, change: FileChange) -> InterfaceVerdict:
    note = _STATUS_NOTES.get(change.status, "")
    if change.status == "renamed" and change.previous_path:
        note = f" (renamed from {change.previous_path})"
    return InterfaceVerdict(True, (Reason(TOUCHED, f"{kind}: {change.path} changed{note}"),))
