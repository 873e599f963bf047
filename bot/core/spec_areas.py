"""Add the invariants and interfaces of a chain of policy files together, keeping where each came
from: an id that a nearer file declares again is an error naming the id, unless the nearer entry
says ``override: true`` and so replaces the farther one in place."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.core.config import ConfigProblem
from bot.core.spec_chain import PolicyFile
from bot.core.yamlpos import format_path

AREAS = ("invariants", "interfaces")


@dataclass
class AreaEntry:
    """One entry as written, with the file that declared it ("" for the repository's own)."""

    data: dict[str, object]
    origin: str


@dataclass
class MergedAreas:
    """The entries of each area in order, and the clashes and unused overrides found."""

    entries: dict[str, list[AreaEntry]] = field(default_factory=dict)
    problems: list[ConfigProblem] = field(default_factory=list)
    warnings: list[ConfigProblem] = field(default_factory=list)


def merge_areas(files: Sequence[PolicyFile]) -> MergedAreas:
    """``files`` nearest first; the farthest file's entries come first in the result."""
    merged = MergedAreas({area: [] for area in AREAS})
    for file in reversed(files):
        for area in AREAS:
            listed = file.data.get(area)
            for index, item in enumerate(listed if isinstance(listed, list) else []):
                if isinstance(item, dict):
                    _add(merged, area, file, index, item)
    return merged


def _add(
    merged: MergedAreas, area: str, file: PolicyFile, index: int, item: dict[str, object]
) -> None:
    entries = merged.entries[area]
    ident = item.get("id")
    at = next((i for i, e in enumerate(entries) if e.data.get("id") == ident), None)
    path = (area, index, "id")
    line = file.loaded.line_of(path)
    if at is None:
        if item.get("override") is True:
            why = f"override: true replaces nothing: no spec file declares {area[:-1]} '{ident}'"
            merged.warnings.append(ConfigProblem(format_path(path), line, why, file.origin))
        entries.append(AreaEntry(item, file.origin))
    elif item.get("override") is True:
        # Allowed, but never silent: the spec's entry, a rule its authors set, stops applying.
        why = (
            f"override: true replaces {area[:-1]} '{ident}' of"
            f" {entries[at].origin or 'this repository'}: that entry no longer applies here"
        )
        merged.warnings.append(ConfigProblem(format_path(path), line, why, file.origin))
        entries[at] = AreaEntry(item, file.origin)
    else:
        where = entries[at].origin or "this repository's own file"
        message = (
            f"{area[:-1]} id '{ident}' is already declared by {where}; use another id, or set"
            " `override: true` to replace that entry"
        )
        merged.problems.append(ConfigProblem(format_path(path), line, message, file.origin))
