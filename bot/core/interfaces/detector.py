"""What an interface detector is: its kind, the inputs it reads, and how it classifies a change."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from bot.core.interfaces.hunks import classify_contract_hunks
from bot.core.interfaces.verdict import NO_CONTENTS, TOUCHED, InterfaceVerdict
from bot.core.models import FileChange, FileVersions, Reason
from bot.core.severity import InterfaceChange

Classify = Callable[[FileChange, FileVersions | None], InterfaceVerdict]
# Both sides of the files of one interface (path → text) → each change with its severity.
Compare = Callable[[Mapping[str, str], Mapping[str, str]], tuple[InterfaceChange, ...]]
Normalize = Callable[[str], str]

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
    """How changes to interfaces of one ``kind`` are classified.

    ``classify`` decides whether one file touches the interface. ``compare``, when set, parses
    both sides and rates each change breaking or non-breaking (see ``contracts.py``); with
    ``merge`` the files of one interface are compared together (a schema split over several
    files), otherwise each file on its own. ``decides`` says whether ``classify`` reads the
    contents itself; when it does not, the comparator's findings decide the touch and
    ``classify`` only serves when no contents could be had.
    """

    kind: str
    needs: Needs
    classify: Classify
    compare: Compare | None = None
    merge: bool = False
    decides: bool = True
    # For a comparator that models the whole file: the text with comments and layout taken
    # out. When that differs but the comparator found nothing, the change is one no rule reads
    # (a directive, an option it does not model): breaking, never silently untouched.
    normalize: Normalize | None = None


def path_only(kind: str) -> Detector:
    """A detector for ``kind`` that any change to a matched path touches."""

    def classify(change: FileChange, versions: FileVersions | None) -> InterfaceVerdict:
        return any_change(kind, change)

    return Detector(kind, Needs.PATHS, classify)


def compared(
    kind: str, compare: Compare, *, merge: bool = False, normalize: Normalize | None = None
) -> Detector:
    """A detector for ``kind`` whose touches the comparator decides from both sides' contents;
    without contents it falls back on the changed lines that are more than comments."""

    def classify(change: FileChange, versions: FileVersions | None) -> InterfaceVerdict:
        return classify_contract_hunks(change, NO_CONTENTS)

    return Detector(kind, Needs.CONTENTS, classify, compare, merge, False, normalize)


def without_comments(line: str, block: bool, keep_strings: bool) -> Normalize:
    """A normalizer that drops comments (``line`` up to the end of the line; ``/* */`` when
    ``block``), keeps strings or drops them too, and collapses whitespace. One pass: linear in
    the text whatever it holds (an unclosed comment runs to the end)."""
    starts = re.compile("[" + re.escape(line[0] + ("/" if block else "") + '"') + "]")

    def normalize(text: str) -> str:
        out: list[str] = []
        i, n = 0, len(text)
        while i < n:
            found = starts.search(text, i)
            if found is None:
                out.append(text[i:])
                break
            out.append(text[i : found.start()])
            i = found.start()
            if text.startswith(line, i):
                end = text.find("\n", i)
                i, piece = (n if end < 0 else end), " "
            elif block and text.startswith("/*", i):
                end = text.find("*/", i + 2)
                i, piece = (n if end < 0 else end + 2), " "
            elif text[i] == '"':
                end = _string_end(text, i)
                i, piece = end, (text[i:end] if keep_strings else " ")
            else:
                i, piece = i + 1, text[i]
            out.append(piece)
        return " ".join("".join(out).split())

    return normalize


def _string_end(text: str, start: int) -> int:
    """Where the string opening at ``start`` ends: a block string (three quotes) at its closing
    three quotes, a plain one at its closing quote or the end of the line."""
    i = start
    if text.startswith('"""', i):
        end = text.find('"""', i + 3)
        return len(text) if end < 0 else end + 3
    i += 1
    while i < len(text) and text[i] not in '"\n':
        i += 2 if text[i] == "\\" else 1
    return min(i + 1, len(text))


def any_change(kind: str, change: FileChange) -> InterfaceVerdict:
    """Touched, with one reason naming the kind, the path and how the file changed."""
    note = _STATUS_NOTES.get(change.status, "")
    if change.status == "renamed" and change.previous_path:
        note = f" (renamed from {change.previous_path})"
    return InterfaceVerdict(True, (Reason(TOUCHED, f"{kind}: {change.path} changed{note}"),))
