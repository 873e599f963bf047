"""Classify a change to a Python module by comparing its public API before and after."""

from __future__ import annotations

from bot.core.interfaces.detector import Detector, Needs
from bot.core.interfaces.hunks import classify_python_hunks
from bot.core.interfaces.python_api import ApiEntry, UnparsableSourceError, parse_public_api
from bot.core.interfaces.python_severity import compare_python
from bot.core.interfaces.verdict import (
    NO_CONTENTS,
    TOUCHED,
    UNCHANGED,
    InterfaceVerdict,
    touched_by,
    unparsable,
    unreadable,
)
from bot.core.models import FileChange, FileVersions, Reason


def classify_python_change(change: FileChange, versions: FileVersions | None) -> InterfaceVerdict:
    """Touched when a public function, class or method is added, removed or re-signed.

    The changed lines alone decide only when no contents are available at all; a side that
    does not parse (for this interpreter's grammar) touches the interface instead.
    """
    if versions is None:
        return classify_python_hunks(change, NO_CONTENTS)
    if versions.before is None and versions.after is None:
        return unreadable(change.path)
    apis: list[dict[str, ApiEntry]] = []
    failures: list[tuple[str, str]] = []
    for side, text in (("before", versions.before), ("after", versions.after)):
        try:
            # An absent side (added or removed file) is an empty module: no public names.
            apis.append(parse_public_api(text or ""))
        except UnparsableSourceError as err:
            failures.append((side, f"does not parse as Python ({err})"))
    if failures and versions.before == versions.after and change.status != "renamed":
        # The same text on both sides declares the same API, whatever the parser makes of it.
        return InterfaceVerdict(False, (Reason(UNCHANGED, f"{change.path}: contents unchanged"),))
    if failures:
        return unparsable(change.path, failures)
    before, after = apis
    reasons = [Reason(TOUCHED, f"{change.path}: {text}") for text in compare_apis(before, after)]
    if change.status == "renamed" and change.previous_path and before:
        # Importers still use the old module path, so every public name moved away from them.
        moved = f"{change.path}: module renamed from {change.previous_path}, moving its public API"
        reasons.insert(0, Reason(TOUCHED, moved))
    return touched_by(reasons, Reason(UNCHANGED, f"{change.path}: public API unchanged"))


def compare_apis(before: dict[str, ApiEntry], after: dict[str, ApiEntry]) -> list[str]:
    """One sentence per public name added, removed, or with a changed signature."""
    found: list[str] = []
    for name, old in before.items():
        new = after.get(name)
        if new is None:
            if not _owner_missing(name, after):
                found.append(f"public {old.kind} {name} removed")
        elif new.kind != old.kind:
            found.append(f"public {old.kind} {name} became a {new.kind}")
        elif new.signature != old.signature:
            found.append(_signature_change(name, old, new))
    for name, new in after.items():
        if name not in before and not _owner_missing(name, before):
            found.append(f"public {new.kind} {name} added")
    return found


def _owner_missing(name: str, other: dict[str, ApiEntry]) -> bool:
    """A method whose class is itself added or removed is reported once, with the class."""
    owner, dot, _ = name.rpartition(".")
    return bool(dot) and owner not in other


def _signature_change(name: str, old: ApiEntry, new: ApiEntry) -> str:
    what = f"bases of class {name}" if old.kind == "class" else f"signature of {name}"
    return f"{what} changed {old.signature} -> {new.signature}"


DETECTOR = Detector("python", Needs.CONTENTS, classify_python_change, compare_python)
