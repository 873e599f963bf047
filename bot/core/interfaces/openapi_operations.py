"""Compare the paths (or webhooks) of two documents, operation by operation.

Paths are matched by name, then by shape: ``/pets/{id}`` and ``/pets/{petId}`` are one path
whose parameter was renamed, which no caller notices. Parameters declared on the path apply to
each of its operations, overridden by the operation's own of the same name and location.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from bot.core.interfaces.openapi_keywords import canonical, show
from bot.core.interfaces.openapi_parts import (
    as_map,
    compare_body,
    compare_parameter,
    compare_responses,
    note,
)
from bot.core.interfaces.openapi_refs import (
    Direction,
    Finding,
    Note,
    Spec,
    Tree,
    findings,
    flip,
    rate,
    ref_of,
)
from bot.core.interfaces.openapi_schema import Comparison
from bot.core.interfaces.openapi_usage import METHODS
from bot.core.severity import BREAKING, NON_BREAKING

_TEMPLATE = re.compile(r"\{([^}/]*)\}")
ParameterKey = tuple[str, str]


@dataclass(frozen=True)
class _Operation:
    """One operation on both sides, with the path items it inherits parameters from."""

    old_item: Tree
    new_item: Tree
    old: Tree
    new: Tree
    renames: dict[str, str]
    request: Direction


def compare_paths(cmp: Comparison, section: str) -> list[Finding]:
    """Findings for ``paths`` (callers send requests) or ``webhooks`` (the API sends them)."""
    old, new = as_map(cmp.old.tree.get(section)), as_map(cmp.new.tree.get(section))
    found: list[Finding] = []
    for old_key, new_key in _match(old, new, templated=section == "paths"):
        key = new_key if new_key is not None else old_key
        assert key is not None
        rank = "1" if section == "paths" else "2"
        label = f"path {key}" if section == "paths" else f'webhook "{key}"'
        if old_key is None or new_key is None:
            state, severity = ("added", NON_BREAKING) if old_key is None else ("removed", BREAKING)
            found.append(Finding((rank, key, ""), severity, f"{label} {state}"))
            continue
        items = (_tree(old[old_key]), _tree(new[new_key]))
        found += _compare_item(cmp, (rank, key, label), items, (old_key, new_key))
    return found


def _match(
    old: Mapping[str, object], new: Mapping[str, object], templated: bool
) -> list[tuple[str | None, str | None]]:
    pairs: list[tuple[str | None, str | None]] = [(str(k), str(k)) for k in old if k in new]
    old_rest = [str(k) for k in old if k not in new]
    new_rest = [str(k) for k in new if k not in old]
    if templated:
        new_shapes = _by_shape(new_rest)
        for shape, olds in _by_shape(old_rest).items():
            news = new_shapes.get(shape, [])
            if len(olds) == 1 and len(news) == 1:
                pairs.append((olds[0], news[0]))
        renamed = {old_key for old_key, _ in pairs} | {new_key for _, new_key in pairs}
        old_rest = [k for k in old_rest if k not in renamed]
        new_rest = [k for k in new_rest if k not in renamed]
    return pairs + [(k, None) for k in old_rest] + [(None, k) for k in new_rest]


def _by_shape(keys: list[str]) -> dict[str, list[str]]:
    shapes: dict[str, list[str]] = {}
    for key in keys:
        shapes.setdefault(_TEMPLATE.sub("{}", key), []).append(key)
    return shapes


def _compare_item(
    cmp: Comparison, where: tuple[str, str, str], items: tuple[Tree, Tree], keys: tuple[str, str]
) -> list[Finding]:
    rank, key, label = where
    old_item, new_item = items
    notes: list[Note] = []
    if keys[0] != keys[1]:
        notes.append(note(NON_BREAKING, "", f"path parameters renamed (was {keys[0]})"))
    if ref_of(old_item) != ref_of(new_item):
        notes.append(note(BREAKING, "", "reference changed"))
    if old_item.get("servers") != new_item.get("servers"):
        notes.append(note(NON_BREAKING, "", "servers changed"))
    found = findings((rank, key, ""), label, notes)
    request: Direction = "request" if rank == "1" else "response"
    renames = _renames(*keys)
    for index, method in enumerate(METHODS):
        element = f"{method.upper()} {key}" if rank == "1" else f"{label} {method.upper()}"
        order = (rank, key, str(index))
        old_op, new_op = old_item.get(method), new_item.get(method)
        if not isinstance(old_op, dict) or not isinstance(new_op, dict):
            if isinstance(old_op, dict) or isinstance(new_op, dict):
                gone = isinstance(old_op, dict)
                severity, state = (BREAKING, "removed") if gone else (NON_BREAKING, "added")
                found.append(Finding(order, severity, f"{element} {state}"))
            continue
        pair = _Operation(old_item, new_item, old_op, new_op, renames, request)
        found += findings(order, element, _operation_notes(cmp, pair))
    return found


def _tree(value: object) -> Tree:
    return value if isinstance(value, dict) else {}


def _renames(old_key: str, new_key: str) -> dict[str, str]:
    """Path parameter names of the old path mapped to the new, by position."""
    old_names, new_names = _TEMPLATE.findall(old_key), _TEMPLATE.findall(new_key)
    if old_key == new_key or len(old_names) != len(new_names):
        return {}
    return {o: n for o, n in zip(old_names, new_names, strict=True) if o != n}


def _operation_notes(cmp: Comparison, pair: _Operation) -> list[Note]:
    same_item = pair.old_item.get("parameters") == pair.new_item.get("parameters")
    if pair.old == pair.new and same_item and not pair.renames:
        return []
    notes = _parameter_notes(cmp, pair)
    old_body, new_body = pair.old.get("requestBody"), pair.new.get("requestBody")
    notes += compare_body(cmp, "request body", old_body, new_body, pair.request)
    old_responses, new_responses = pair.old.get("responses"), pair.new.get("responses")
    notes += compare_responses(cmp, old_responses, new_responses, flip(pair.request))
    return notes + _annotation_notes(pair.old, pair.new)


def _parameter_notes(cmp: Comparison, pair: _Operation) -> list[Note]:
    old = _parameters(cmp.old, (pair.old_item, pair.old), pair.renames)
    new = _parameters(cmp.new, (pair.new_item, pair.new), {})
    notes: list[Note] = []
    for key in sorted(old.keys() | new.keys()):
        label = f'parameter {key[0]} "{key[1]}"'
        if key not in new:
            notes.append(note(BREAKING, label, "removed"))
        elif key not in old:
            found = cmp.new.deref(new[key])
            required = key[0] == "path" or (
                isinstance(found, dict) and found.get("required") is True
            )
            severity = rate(pair.request, request=required, response=False)
            notes.append(note(severity, label, "added as required" if required else "added"))
        elif old[key] != new[key]:
            notes += _changed_parameter(cmp, label, (old[key], new[key]), pair.request)
    return notes


def _changed_parameter(
    cmp: Comparison, label: str, raws: tuple[object, object], direction: Direction
) -> list[Note]:
    old, new = cmp.old.deref(raws[0]), cmp.new.deref(raws[1])
    if not isinstance(old, dict) or not isinstance(new, dict):
        return [note(BREAKING, label, "changed to a reference that cannot be compared")]
    return compare_parameter(cmp, label, old, new, direction)


def _parameters(
    spec: Spec, owners: tuple[Tree, Tree], renames: dict[str, str]
) -> dict[ParameterKey, object]:
    """The parameters in effect, keyed by location and name (header names ignore case)."""
    found: dict[ParameterKey, object] = {}
    for owner in owners:
        listed = owner.get("parameters")
        for raw in listed if isinstance(listed, list) else []:
            param = spec.deref(raw)
            if isinstance(param, dict) and _is_scalar(param.get("name")):
                place, name = str(param.get("in")), str(param["name"])
                name = name.lower() if place == "header" else name
                name = renames.get(name, name) if place == "path" else name
            else:
                place, name = "(unreadable)", ref_of(raw) or canonical(raw)
            found[(place, name)] = raw
    return found


def _is_scalar(value: object) -> bool:
    # YAML reads some unquoted names as dates or numbers; they still name the parameter.
    return value is not None and not isinstance(value, dict | list)


def _annotation_notes(old: Tree, new: Tree) -> list[Note]:
    """Security, servers, tags and the like; callbacks, which may use anything, break to be safe."""
    notes: list[Note] = []
    for key, phrase in (
        ("security", "security requirements changed"),
        ("servers", "servers changed"),
    ):
        if old.get(key) != new.get(key):
            notes.append(note(NON_BREAKING, "", phrase))
    if old.get("callbacks") != new.get("callbacks"):
        notes.append(note(BREAKING, "", "callbacks changed"))
    if old.get("operationId") != new.get("operationId"):
        phrase = (
            f"operationId changed {show(old.get('operationId'))} → {show(new.get('operationId'))}"
        )
        notes.append(note(NON_BREAKING, "", phrase))
    if old.get("tags") != new.get("tags"):
        notes.append(note(NON_BREAKING, "", "tags changed"))
    if (old.get("deprecated") is True) != (new.get("deprecated") is True):
        phrase = "deprecated" if new.get("deprecated") is True else "no longer deprecated"
        notes.append(note(NON_BREAKING, "", phrase))
    return notes
