"""Classify a change to an OpenAPI document by comparing its paths and components."""

from __future__ import annotations

from collections.abc import Iterator

from bot.core.interfaces.detector import Detector, Needs
from bot.core.interfaces.hunks import classify_contract_hunks
from bot.core.interfaces.openapi_document import UnusableDocumentError
from bot.core.interfaces.openapi_load import read_document
from bot.core.interfaces.openapi_severity import compare_openapi
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

_Map = dict[object, object]
_METHODS = frozenset({"get", "put", "post", "delete", "options", "head", "patch", "trace"})
# Swagger 2.0 keeps at the top level what OpenAPI 3 keeps under paths and components.
_NAMED_SECTIONS = (
    ("definitions", "definition"),
    ("parameters", "parameter"),
    ("responses", "response"),
    ("securityDefinitions", "security definition"),
)
_PLAIN_SECTIONS = ("security", "basePath", "consumes", "produces")


def classify_openapi_change(change: FileChange, versions: FileVersions | None) -> InterfaceVerdict:
    """Touched when a path, operation, component or security requirement changes."""
    if versions is None:
        return classify_contract_hunks(change, NO_CONTENTS)
    if versions.before is None and versions.after is None:
        return unreadable(change.path)
    documents: list[_Map] = []
    failures: list[tuple[str, str]] = []
    for side, text in (("before", versions.before), ("after", versions.after)):
        try:
            documents.append(read_document(text))
        except UnusableDocumentError as err:
            failures.append((side, str(err)))
    if failures and versions.before == versions.after:
        # The same text on both sides is the same contract, whatever the parser makes of it.
        return InterfaceVerdict(False, (Reason(UNCHANGED, f"{change.path}: contents unchanged"),))
    if failures:
        return unparsable(change.path, failures)
    found = compare_contracts(documents[0], documents[1])
    reasons = [Reason(TOUCHED, f"{change.path}: {text}") for text in found]
    unchanged = Reason(UNCHANGED, f"{change.path}: paths and components unchanged")
    return touched_by(reasons, unchanged)


def compare_contracts(before: _Map, after: _Map) -> list[str]:
    """One sentence per path, operation, component or section added, removed or changed."""
    found = _compare_paths("path", before.get("paths"), after.get("paths"))
    found += _compare_paths("webhook", before.get("webhooks"), after.get("webhooks"))
    found += _compare_components(before.get("components"), after.get("components"))
    for section, label in _NAMED_SECTIONS:
        found += _compare_named(f"{label} ", before.get(section), after.get(section))
    for section in _PLAIN_SECTIONS:
        if before.get(section) != after.get(section):
            found.append(f"{section} changed")
    return found


def _compare_paths(label: str, before: object, after: object) -> list[str]:
    old, new = _as_map(before), _as_map(after)
    if old is None or new is None:
        return [] if before == after else [f"{label}s changed"]
    found: list[str] = []
    for key, state in _differences(old, new):
        shown = str(key) if label == "path" else f"{label} {key}"
        if state != "changed":
            found.append(f"{label} {key} {state}")
        else:
            found += _compare_path_item(shown, old[key], new[key])
    return found


def _compare_path_item(shown: str, before: object, after: object) -> list[str]:
    old, new = _as_map(before), _as_map(after)
    if old is None or new is None:
        return [f"path {shown} changed"]
    found: list[str] = []
    for key, state in _differences(old, new):
        if str(key).lower() in _METHODS:
            found.append(f"operation {str(key).upper()} {shown} {state}")
        elif f"path {shown} changed" not in found:
            # Shared parameters or servers of the path: they apply to every operation.
            found.insert(0, f"path {shown} changed")
    return found


def _compare_components(before: object, after: object) -> list[str]:
    old, new = _as_map(before), _as_map(after)
    if old is None or new is None:
        return [] if before == after else ["components changed"]
    found: list[str] = []
    for section, _ in _differences(old, new):
        found += _compare_named(f"component {section}.", old.get(section), new.get(section))
    return found


def _compare_named(prefix: str, before: object, after: object) -> list[str]:
    old, new = _as_map(before), _as_map(after)
    if old is None or new is None:
        return [] if before == after else [f"{prefix.rstrip(' .')} changed"]
    return [f"{prefix}{key} {state}" for key, state in _differences(old, new)]


def _differences(old: _Map, new: _Map) -> Iterator[tuple[object, str]]:
    """Keys added, removed or changed, in document order (keys may mix types, so no sorting)."""
    for key, value in old.items():
        if key not in new:
            yield key, "removed"
        elif new[key] != value:
            yield key, "changed"
    for key in new:
        if key not in old:
            yield key, "added"


def _as_map(value: object) -> _Map | None:
    """A missing section is an empty one; anything but a mapping cannot be compared by key."""
    if value is None:
        return {}
    return value if isinstance(value, dict) else None


DETECTOR = Detector("openapi", Needs.CONTENTS, classify_openapi_change, compare_openapi)
