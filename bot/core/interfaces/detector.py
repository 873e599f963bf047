"""What an interface detector is: its kind, the inputs it reads, and how it classifies a change."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from bot.core.interfaces.verdict import TOUCHED, InterfaceVerdict
from bot.core.models import FileChange, FileVersions, Reason

Classify = Callable[[FileChange, FileVersions | None], InterfaceVerdict]

_STATUS_NOTES = {"added": " (added)", "removed": " (removed)", "renamed": " (renamed)"}


class Needs(StrEnum):
    """The inputs a detector reads beyond the file's path and status.

    ``contents``: the text of both sides of each matched file, fetched before classification
    (``versions`` is still None when they could not be had, so the detector must fall back).
    ``hunks``: the changed lines of the diff only. ``paths``: nothing but the path.
    """

    CONTENTS = "contents"
    HUNKS = "hunks"
    PATHS = "paths"


@dataclass(frozen=True)
class Detector:
    """How changes to interfaces of one ``kind`` are classified."""

    kind: str
    needs: Needs
    classify: Classify


def path_only(kind: str) -> Detector:
    """A detector for ``kind`` that any change to a matched path touches."""

    def classify(change: FileChange, versions: FileVersions | None) -> InterfaceVerdict:
        return any_change(kind, change)

    return Detector(kind, Needs.PATHS, classify)


def any_change(kind: str, change: FileChange) -> InterfaceVerdict:
    """Touched, with one reason naming the kind, the path and how the file changed."""
    note = _STATUS_NOTES.get(change.status, "")
    if change.status == "renamed" and change.previous_path:
        note = f" (renamed from {change.previous_path})"
    return InterfaceVerdict(True, (Reason(TOUCHED, f"{kind}: {change.path} changed{note}"),))
