"""Merge a chain of policy files (the repository's own, then its spec files) into one policy.

Invariants and interfaces add up (bot/core/spec_areas.py). For every other key the nearer
file's value replaces the farther one's: mappings merge key by key, lists and values are
replaced whole, and so is a written ``when`` (it lists every rule). Then each spec file's floor
keys (bot/core/spec_floors.py) are applied: the stricter of the merged value and the spec's
applies, unless the spec lists the key in ``allow_loosen``; each floor that raised a value is
reported as a warning. The merged data is checked again and built into the model.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from bot.core.config import ConfigProblem, Policy
from bot.core.configfile.build import build
from bot.core.policy_check import findings
from bot.core.spec_areas import AREAS, AreaEntry, merge_areas
from bot.core.spec_chain import PolicyFile
from bot.core.spec_floors import FLOORS, Floor
from bot.core.yamlpos import KeyPath, format_path

_OWN_ONLY = ("extends", "allow_loosen")  # each file's own: never inherited
_WHOLE = ("when",)  # a written `when` lists every rule, so it replaces, never merges


@dataclass(frozen=True)
class Merged:
    """The merged policy (None when there are problems), its problems and warnings, and the
    merged file as plain data (`check-config --resolved` prints it)."""

    policy: Policy | None
    problems: tuple[ConfigProblem, ...]
    warnings: tuple[ConfigProblem, ...]
    data: dict[str, object]


def merge_chain(files: Sequence[PolicyFile]) -> Merged:
    """``files``: the repository's own first, then each spec file, nearest first."""
    data: dict[str, object] = {}
    for file in reversed(files):
        _overlay(data, {k: v for k, v in file.data.items() if k not in (*_OWN_ONLY, *AREAS)})
    areas = merge_areas(files)
    for area, entries in areas.entries.items():
        if entries:
            data[area] = [copy.deepcopy(e.data) for e in entries]
    if "allow_loosen" in files[0].data:
        data["allow_loosen"] = files[0].data["allow_loosen"]
    warnings = [w for f in files for w in f.warnings] + areas.warnings
    warnings += [w for spec in files[1:] for w in _apply_floors(data, spec, files)]
    problems = areas.problems + [
        ConfigProblem(format_path(path), *_written_at(files, path), message)
        for path, message in findings(data)
    ]
    if problems:
        ordered = sorted(problems, key=lambda p: (p.origin, p.line or 0, p.path))
        return Merged(None, tuple(ordered), tuple(warnings), data)
    policy = _with_origins(build(Policy, data, Policy()), areas.entries)
    specs = tuple(f.origin for f in files[1:])
    return Merged(dataclasses.replace(policy, specs=specs), (), tuple(warnings), data)


def _overlay(base: dict[str, object], over: Mapping[str, object]) -> None:
    for key, value in over.items():
        below = base.get(key)
        if isinstance(value, dict) and isinstance(below, dict) and key not in _WHOLE:
            _overlay(below, value)
        else:
            base[key] = copy.deepcopy(value)


def _apply_floors(
    data: dict[str, object], spec: PolicyFile, files: Sequence[PolicyFile]
) -> list[ConfigProblem]:
    allowed = _texts(spec.data.get("allow_loosen"))
    raised: list[ConfigProblem] = []
    for floor in FLOORS:
        if floor.loosenable(allowed) or not _has(spec.data, floor.path):
            continue
        floor_value = _get(spec.data, floor.path)
        current = _get(data, floor.path) if _has(data, floor.path) else None
        stricter = floor.join(current, floor_value)
        if stricter != current:
            _set(data, floor.path, stricter)
            raised.append(_raised(floor, current, stricter, spec, files))
    return raised


def _raised(
    floor: Floor, current: object, stricter: object, spec: PolicyFile, files: Sequence[PolicyFile]
) -> ConfigProblem:
    line, origin = _written_at(files, floor.path)
    message = (
        f"{spec.origin} sets a floor for this key and does not list it in allow_loosen, so the"
        f" stricter value applies ({floor.stricter}): {_shown(stricter)}, not {_shown(current)}"
    )
    return ConfigProblem(floor.dotted, line, message, origin)


def _written_at(files: Sequence[PolicyFile], path: KeyPath) -> tuple[int | None, str]:
    """The line of ``path`` in the nearest file that writes it (or writes the `when` holding
    it: what a written `when` leaves out is off), else the own file's nearest key above it;
    and that file's origin."""
    for file in files:
        if path in file.loaded.lines:
            return file.loaded.lines[path], file.origin
        if len(path) > 1 and path[-2] in _WHOLE and path[:-1] in file.loaded.lines:
            return file.loaded.lines[path[:-1]], file.origin
    return files[0].loaded.line_of(path), files[0].origin


def _with_origins(policy: Policy, entries: Mapping[str, list[AreaEntry]]) -> Policy:
    def origin(area: str, ident: str) -> str:
        return next((e.origin for e in entries[area] if e.data.get("id") == ident), "")

    invariants = tuple(
        dataclasses.replace(i, origin=origin("invariants", i.id)) for i in policy.invariants
    )
    interfaces = tuple(
        dataclasses.replace(i, origin=origin("interfaces", i.id)) for i in policy.interfaces
    )
    return dataclasses.replace(policy, invariants=invariants, interfaces=interfaces)


def _shown(value: object) -> str:
    return json.dumps(value) if value is not None else "none (off)"


def _texts(value: object) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def _has(data: object, path: KeyPath) -> bool:
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return False
        data = data[key]
    return True


def _get(data: object, path: KeyPath) -> object:
    for key in path:
        data = data[key] if isinstance(data, dict) else None
    return data


def _set(data: dict[str, object], path: KeyPath, value: object) -> None:
    for key in path[:-1]:
        below = data.get(str(key))
        if not isinstance(below, dict):
            # A nearer file wrote null here (tiers.L3.reviewers, say): the floor still holds.
            below = {}
            data[str(key)] = below
        data = below
    data[str(path[-1])] = value
