"""Rate the value keywords of one schema pair: type, format, bounds, enum, const, pattern.

Each rule knows which way narrowing hurts: a request narrowed (a new bound, a value taken out
of an enum) rejects calls that used to work; a response widened (a longer string, a new type)
hands callers what they never had to handle. ``rate`` turns that into a severity per direction.
"""

from __future__ import annotations

import json

from bot.core.interfaces.openapi_refs import Direction, Note, Tree, rate
from bot.core.severity import BREAKING, NON_BREAKING

TypeSet = frozenset[str] | None
# (narrower, wider): a request may widen, a response may narrow.
_WIDER_FORMATS = frozenset(
    {("int32", "int64"), ("int32", "bigint"), ("int64", "bigint"), ("float", "double")}
    | {("date", "date-time"), ("time", "date-time")}
)
_UPPER = ("maxLength", "maximum", "maxItems", "maxProperties")
_LOWER = ("minLength", "minimum", "minItems", "minProperties")
_ENUM_WARNING = " (a warning: callers may receive a value they do not know)"
_SHOWN_VALUES = 10
_MISSING = object()


def value_notes(old: Tree, new: Tree, direction: Direction) -> list[Note]:
    """Every difference in type, nullability, format, bounds, enum, const, pattern, default."""
    notes = _type_notes(old, new, direction) + _format_notes(old, new, direction)
    for key in _UPPER + _LOWER + ("exclusiveMaximum", "exclusiveMinimum"):
        notes += _bound_notes(key, old.get(key), new.get(key), direction)
    notes += _enum_notes(old.get("enum"), new.get("enum"), direction)
    notes += _presence_notes("const", old, new, direction)
    notes += _presence_notes("multipleOf", old, new, direction)
    notes += _pattern_notes(old.get("pattern"), new.get("pattern"), direction)
    notes += _flag_notes("uniqueItems", old, new, direction)
    return notes + _default_notes(old, new)


def show(value: object) -> str:
    """A value as JSON, shortened: names and numbers stay readable in a sentence."""
    text = canonical(value)
    return text if len(text) <= 60 else text[:57] + "..."


def canonical(value: object) -> str:
    """A value as JSON with sorted keys: one spelling per value, to compare and sort by."""
    try:
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    except TypeError:
        # YAML allows keys of mixed types (200 and "default"), which cannot be sorted.
        return repr(value)


def _type_notes(old: Tree, new: Tree, direction: Direction) -> list[Note]:
    (old_types, old_null), (new_types, new_null) = _types(old), _types(new)
    notes: list[Note] = []
    if old_types != new_types:
        wider, narrower = _covers(new_types, old_types), _covers(old_types, new_types)
        severity = rate(direction, request=not wider, response=not narrower)
        phrase = f"type changed {_show_types(old_types)} → {_show_types(new_types)}"
        notes.append(Note(severity, "", phrase, "type"))
    if old_null != new_null:
        phrase = "became nullable" if new_null else "is no longer nullable"
        notes.append(Note(rate(direction, request=old_null, response=new_null), "", phrase, "type"))
    return notes


def _types(schema: Tree) -> tuple[TypeSet, bool]:
    """The set of non-null types (None: any type) and whether null is allowed (3.0 or 3.1)."""
    raw = schema.get("type")
    if raw is None:
        return None, schema.get("nullable") is True
    names = frozenset(str(t) for t in raw) if isinstance(raw, list) else frozenset({str(raw)})
    return names - {"null"}, "null" in names or schema.get("nullable") is True


def _covers(wide: TypeSet, narrow: TypeSet) -> bool:
    """Every value of ``narrow`` is also one of ``wide`` (an integer is a number)."""
    if wide is None:
        return True
    if narrow is None:
        return False
    return all(t in wide or (t == "integer" and "number" in wide) for t in narrow)


def _show_types(types: TypeSet) -> str:
    return "any" if types is None else " or ".join(sorted(types)) or "null"


def _format_notes(old: Tree, new: Tree, direction: Direction) -> list[Note]:
    before, after = old.get("format"), new.get("format")
    if before == after:
        return []
    if before is None:
        wider, narrower, phrase = False, True, f"format set to {show(after)}"
    elif after is None:
        wider, narrower, phrase = True, False, f"format {show(before)} removed"
    else:
        pair = (str(before), str(after))
        wider, narrower = pair in _WIDER_FORMATS, pair[::-1] in _WIDER_FORMATS
        phrase = f"format changed {show(before)} → {show(after)}"
    severity = rate(direction, request=not wider, response=not narrower)
    return [Note(severity, "", phrase, "format")]


def _bound_notes(key: str, before: object, after: object, direction: Direction) -> list[Note]:
    if before == after:
        return []
    if isinstance(before, bool | None) and isinstance(after, bool | None):
        # OpenAPI 3.0's exclusiveMaximum/exclusiveMinimum are flags on the plain bound.
        narrowed = after is True
        phrase = f"{key} {'set' if narrowed else 'removed'}"
    elif _is_number(before) and _is_number(after):
        narrowed = _narrowed(key in _UPPER or key == "exclusiveMaximum", before, after)
        phrase = _bound_phrase(key, before, after)
    else:
        return [Note(BREAKING, "", f"{key} changed {show(before)} → {show(after)}", key)]
    return [Note(rate(direction, request=narrowed, response=not narrowed), "", phrase, key)]


def _is_number(value: object) -> bool:
    return value is None or (isinstance(value, int | float) and not isinstance(value, bool))


def _narrowed(upper: bool, before: object, after: object) -> bool:
    if before is None or after is None:
        return before is None
    assert isinstance(before, int | float) and isinstance(after, int | float)
    return after < before if upper else after > before


def _bound_phrase(key: str, before: object, after: object) -> str:
    if before is None:
        return f"{key} set to {show(after)}"
    if after is None:
        return f"{key} removed (was {show(before)})"
    assert isinstance(before, int | float) and isinstance(after, int | float)
    verb = "decreased" if after < before else "increased"
    return f"{key} {verb} {show(before)} → {show(after)}"


def _enum_notes(before: object, after: object, direction: Direction) -> list[Note]:
    if before == after:
        return []
    warning = "" if direction == "request" else _ENUM_WARNING
    if before is None and isinstance(after, list):
        severity = rate(direction, request=True, response=False)
        return [Note(severity, "", f"became an enum of {_show_values(after)}", "enum")]
    if after is None:
        return [Note(NON_BREAKING, "", f"is no longer an enum{warning}", "enum")]
    if not isinstance(before, list) or not isinstance(after, list):
        return [Note(BREAKING, "", f"enum changed {show(before)} → {show(after)}", "enum")]
    old_keys = {canonical(v): v for v in before}
    new_keys = {canonical(v): v for v in after}
    removed = [v for k, v in old_keys.items() if k not in new_keys]
    added = [v for k, v in new_keys.items() if k not in old_keys]
    notes = []
    if removed:
        notes.append(Note(BREAKING, "", f"{_values(removed)} removed", "enum"))
    if added:
        notes.append(Note(NON_BREAKING, "", f"{_values(added)} added{warning}", "enum"))
    return notes


def _values(values: list[object]) -> str:
    noun = "enum value" if len(values) == 1 else "enum values"
    return f"{noun} {_show_values(values)}"


def _show_values(values: list[object]) -> str:
    shown = ", ".join(show(v) for v in values[:_SHOWN_VALUES])
    more = len(values) - _SHOWN_VALUES
    return f"{shown} and {more} more" if more > 0 else shown


def _presence_notes(key: str, old: Tree, new: Tree, direction: Direction) -> list[Note]:
    """A keyword whose presence narrows: setting it breaks requests, dropping it responses."""
    before, after = old.get(key, _MISSING), new.get(key, _MISSING)
    if before == after:
        return []
    if before is _MISSING:
        narrowed, phrase = True, f"{key} set to {show(after)}"
    elif after is _MISSING:
        narrowed, phrase = False, f"{key} {show(before)} removed"
    else:
        return [Note(BREAKING, "", f"{key} changed {show(before)} → {show(after)}", key)]
    return [Note(rate(direction, request=narrowed, response=not narrowed), "", phrase, key)]


def _pattern_notes(before: object, after: object, direction: Direction) -> list[Note]:
    if before == after:
        return []
    if after is None:
        phrase = f"pattern {show(before)} removed"
    elif before is None:
        phrase = f"pattern {show(after)} added"
    else:
        phrase = f"pattern changed {show(before)} → {show(after)}"
    # Whether one pattern accepts less than another cannot be told: any new one may reject.
    return [Note(rate(direction, request=after is not None, response=False), "", phrase, "pattern")]


def _flag_notes(key: str, old: Tree, new: Tree, direction: Direction) -> list[Note]:
    before, after = old.get(key) is True, new.get(key) is True
    if before == after:
        return []
    phrase = f"{key} {'set' if after else 'removed'}"
    return [Note(rate(direction, request=after, response=before), "", phrase, key)]


def _default_notes(old: Tree, new: Tree) -> list[Note]:
    before, after = old.get("default", _MISSING), new.get("default", _MISSING)
    if before == after:
        return []
    if before is _MISSING:
        phrase = f"default {show(after)} added"
    elif after is _MISSING:
        phrase = f"default {show(before)} removed"
    else:
        phrase = f"default changed {show(before)} → {show(after)}"
    return [Note(NON_BREAKING, "", phrase, "default")]
