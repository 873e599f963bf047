"""Compare two schemas read in one direction: references, properties, items and the rest.

A reference to the same name on both sides is equal here: the component is compared once, on
its own. References to different names are followed, and each pair is compared once per
direction (remembered, so a recursive schema ends at the pair it started from).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import NamedTuple

from bot.core.interfaces.openapi_allof import merge_all_of, shared_members
from bot.core.interfaces.openapi_keywords import show, value_notes
from bot.core.interfaces.openapi_refs import (
    MAX_DEPTH,
    Budget,
    Direction,
    Note,
    Spec,
    Tree,
    component_of,
    rate,
    ref_of,
)
from bot.core.severity import BREAKING, NON_BREAKING

# Keywords rated elsewhere in this module or in the value rules.
_HANDLED = frozenset(
    {"type", "nullable", "format", "enum", "const", "multipleOf", "pattern", "uniqueItems"}
    | {"default", "properties", "required", "items", "additionalProperties", "$ref"}
    | {"maxLength", "maximum", "maxItems", "maxProperties", "exclusiveMaximum"}
    | {"minLength", "minimum", "minItems", "minProperties", "exclusiveMinimum"}
)
# Keywords that change how a schema is documented or generated, not what it accepts.
_ANNOTATIONS = frozenset(
    {"title", "deprecated", "readOnly", "writeOnly", "discriminator", "xml", "externalDocs"}
    | {"$comment", "$schema", "$id", "$anchor", "$defs", "definitions"}
)


@dataclass
class Comparison:
    """Both documents, and the reference pairs already compared (None while in progress)."""

    old: Spec
    new: Spec
    memo: dict[tuple[str, str, Direction], list[Note] | None] = field(default_factory=dict)
    budget: Budget = field(default_factory=Budget)


class Level(NamedTuple):
    """Which way the schema is read, and how deep the comparison has gone."""

    direction: Direction
    depth: int = 0

    def deeper(self) -> Level:
        return Level(self.direction, self.depth + 1)


class _Members(NamedTuple):
    properties: Tree
    required: frozenset[object]


def compare_schema(cmp: Comparison, old: object, new: object, level: Level) -> list[Note]:
    """The differences between two schemas, each rated for ``level.direction``."""
    old, new = ({} if old is None else old), ({} if new is None else new)
    if old == new:
        return []
    if level.depth > MAX_DEPTH:
        return [Note(BREAKING, "", "changed, nested too deeply to compare", "")]
    if not cmp.budget.spend():
        return [Note(BREAKING, "", "changed, in a document too large to compare in full", "")]
    if ref_of(old) is not None or ref_of(new) is not None:
        return _compare_references(cmp, old, new, level)
    if not isinstance(old, dict) or not isinstance(new, dict):
        return [Note(BREAKING, "", f"changed {show(old)} → {show(new)}", "")]
    shared = shared_members(old, new)
    old = merge_all_of(cmp.old, old, shared, cmp.budget)
    new = merge_all_of(cmp.new, new, shared, cmp.budget)
    notes = value_notes(old, new, level.direction) + _property_notes(cmp, old, new, level)
    notes += _nested(cmp, "[]", old.get("items"), new.get("items"), level)
    return notes + _additional_notes(cmp, old, new, level) + _other_notes(old, new)


def prefixed(where: str, notes: list[Note]) -> list[Note]:
    """``notes`` found inside ``where`` (a property path such as ``owner.login``)."""
    return [note._replace(where=join(where, note.where)) for note in notes]


def join(outer: str, inner: str) -> str:
    if not outer or not inner:
        return outer or inner
    return outer + inner if inner.startswith("[]") else f"{outer}.{inner}"


def _compare_references(cmp: Comparison, old: object, new: object, level: Level) -> list[Note]:
    old_ref, new_ref = ref_of(old), ref_of(new)
    if old_ref == new_ref:
        # The same reference with other keywords beside it (allowed since OpenAPI 3.1).
        return compare_schema(cmp, _without_ref(old), _without_ref(new), level)
    old_target, new_target = cmp.old.deref(old), cmp.new.deref(new)
    if old_target is None or new_target is None:
        phrase = f"changed from {_name(old_ref)} to {_name(new_ref)}, which cannot be compared"
        return [Note(BREAKING, "", phrase, "$ref")]
    key = (old_ref or f"inline {id(old)}", new_ref or f"inline {id(new)}", level.direction)
    if key in cmp.memo:
        return cmp.memo[key] or []
    cmp.memo[key] = None
    notes = compare_schema(cmp, old_target, new_target, level.deeper())
    if old_ref is not None and new_ref is not None:
        phrase = f"now refers to {_name(new_ref)} instead of {_name(old_ref)}"
        notes = [Note(NON_BREAKING, "", phrase, "$ref"), *notes]
    cmp.memo[key] = notes
    return notes


def _without_ref(node: object) -> object:
    return {k: v for k, v in node.items() if k != "$ref"} if isinstance(node, dict) else node


def _name(ref: str | None) -> str:
    if ref is None:
        return "an inline schema"
    component = component_of(ref)
    return f'"{component[1]}"' if component else f'"{ref}"'


def _property_notes(cmp: Comparison, old: Tree, new: Tree, level: Level) -> list[Note]:
    sides = (_members(old), _members(new))
    names = sides[0].properties.keys() | sides[1].properties.keys()
    names |= sides[0].required | sides[1].required
    notes: list[Note] = []
    for name in sorted(names, key=str):
        notes += _property(cmp, name, sides, level)
    return notes


def _members(schema: Tree) -> _Members:
    properties = schema.get("properties")
    required = schema.get("required")
    # Names are usually strings, but YAML reads an unquoted ``1`` as a number: keep any scalar.
    listed = required if isinstance(required, list) else []
    names = frozenset(n for n in listed if isinstance(n, Hashable))
    return _Members(properties if isinstance(properties, dict) else {}, names)


def _property(
    cmp: Comparison, name: object, sides: tuple[_Members, _Members], level: Level
) -> list[Note]:
    old, new = sides
    in_old, in_new = name in old.properties, name in new.properties
    was_required, is_required = name in old.required, name in new.required
    read_only = _either_flag(cmp, sides, name, "readOnly")
    write_only = _either_flag(cmp, sides, name, "writeOnly")
    where = str(name)
    if in_old and not in_new:
        severity = rate(level.direction, request=not read_only, response=not write_only)
        return [Note(severity, where, "removed", "properties")]
    if in_new and not in_old:
        phrase = "added as required" if is_required else "added"
        severity = rate(level.direction, request=is_required and not read_only, response=False)
        return [Note(severity, where, phrase, "properties")]
    notes = _nested(cmp, where, old.properties.get(name), new.properties.get(name), level)
    if was_required != is_required:
        phrase = "became required" if is_required else "became optional"
        severity = rate(
            level.direction,
            request=is_required and not read_only,
            response=was_required and not write_only,
        )
        notes.append(Note(severity, where, phrase, "required"))
    return notes


def _either_flag(cmp: Comparison, sides: tuple[_Members, _Members], name: object, key: str) -> bool:
    """A property read-only (or write-only) on either side: it never travels that way."""
    old, new = sides
    return _flag(cmp.old, old.properties.get(name), key) or _flag(
        cmp.new, new.properties.get(name), key
    )


def _flag(spec: Spec, node: object, key: str) -> bool:
    target = spec.deref(node)
    return isinstance(target, dict) and target.get(key) is True


def _nested(cmp: Comparison, where: str, old: object, new: object, level: Level) -> list[Note]:
    if old is None and new is None:
        return []
    return prefixed(where, compare_schema(cmp, old, new, level.deeper()))


def _additional_notes(cmp: Comparison, old: Tree, new: Tree, level: Level) -> list[Note]:
    before, after = old.get("additionalProperties"), new.get("additionalProperties")
    if before == after:
        return []
    if isinstance(before, dict) and isinstance(after, dict):
        return _nested(cmp, "*", before, after, level)
    open_before, open_after = before in (None, True), after in (None, True)
    phrase = f"additionalProperties changed {_openness(before)} → {_openness(after)}"
    narrowed = (open_before and not open_after) or after is False
    severity = rate(level.direction, request=narrowed, response=False)
    return [Note(severity, "", phrase, "additionalProperties")]


def _openness(value: object) -> str:
    if value in (None, True):
        return "any"
    return "none" if value is False else "a schema"


def _other_notes(old: Tree, new: Tree) -> list[Note]:
    """Every other keyword: annotations are non-breaking, anything else breaks to be safe."""
    notes: list[Note] = []
    for key in sorted((old.keys() | new.keys()) - _HANDLED, key=str):
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        severity = NON_BREAKING if key in _ANNOTATIONS else BREAKING
        notes.append(Note(severity, "", _keyword_phrase(key, old, new), str(key)))
    return notes


def _keyword_phrase(key: object, old: Tree, new: Tree) -> str:
    """``key set``, ``removed`` or ``changed``, with the values when they are plain."""
    before, after = old.get(key), new.get(key)
    plain = not isinstance(before, dict | list) and not isinstance(after, dict | list)
    if key not in old:
        return f"{key} set to {show(after)}" if plain else f"{key} added"
    if key not in new:
        return f"{key} removed"
    return f"{key} changed {show(before)} → {show(after)}" if plain else f"{key} changed"
