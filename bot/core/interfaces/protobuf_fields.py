"""Compare the fields of a message or extend block, matched by number as ``buf breaking`` does.

A number that disappears is a removed field (breaking, even when the number is then reserved);
the same number under another name is a rename (breaking: the JSON and text formats and
generated code use the name). A new field is an addition, unless it is required.
"""

from __future__ import annotations

from bot.core.interfaces.protobuf_model import ProtoField
from bot.core.interfaces.protobuf_options import FIELD_RULES, Found, compare_options
from bot.core.severity import BREAKING, NON_BREAKING


def compare_fields(
    owner: str, old: dict[int, ProtoField], new: dict[int, ProtoField]
) -> list[Found]:
    """Findings for the fields of ``owner`` (``message Order``), in order of number."""
    moved = _renumbered(old, new)
    found: list[Found] = []
    for number in sorted(old.keys() | new.keys()):
        before, after = old.get(number), new.get(number)
        if before is not None and after is not None:
            found += _compare_field(owner, before, after)
        elif before is not None and before.name in moved:
            target = moved[before.name]
            what = f'{owner}: field "{before.name}" changed number {number} → {target}'
            found.append((BREAKING, what))
        elif before is not None:
            found.append((BREAKING, f'{owner}: field {number} "{before.name}" removed'))
        elif after is not None and after.name not in moved:
            found.append(_added(owner, after))
    return found


def _renumbered(old: dict[int, ProtoField], new: dict[int, ProtoField]) -> dict[str, int]:
    """Names whose number went away and came back under a number that is new."""
    gone = {field.name: number for number, field in old.items() if number not in new}
    return {f.name: number for number, f in new.items() if number not in old and f.name in gone}


def _added(owner: str, field: ProtoField) -> Found:
    if field.label == "required":
        # Old writers never send it, so new readers reject their messages.
        return BREAKING, f'{owner}: required field {field.number} "{field.name}" added'
    return NON_BREAKING, f'{owner}: field {field.number} "{field.name}" added'


def _compare_field(owner: str, before: ProtoField, after: ProtoField) -> list[Found]:
    subject = f'{owner}: field {after.number} "{after.name}"'
    found: list[Found] = []
    if before.name != after.name:
        what = f'{owner}: field {after.number} renamed "{before.name}" → "{after.name}"'
        found.append((BREAKING, what))
    if before.type != after.type:
        found.append((BREAKING, f"{subject} changed type {before.type} → {after.type}"))
    if before.label != after.label:
        found.append((BREAKING, f"{subject} changed label {before.label} → {after.label}"))
    if before.oneof != after.oneof:
        found.append((BREAKING, f"{subject} {_oneof_move(before.oneof, after.oneof)}"))
    if before.json_name != after.json_name and _json_name_written(before, after):
        what = f'{subject} changed json_name "{before.json_name}" → "{after.json_name}"'
        found.append((BREAKING, what))
    return found + compare_options(subject, before.options, after.options, FIELD_RULES)


def _json_name_written(before: ProtoField, after: ProtoField) -> bool:
    """Without a written json_name the JSON name follows the field name: a rename says it."""
    return "json_name" in before.options or "json_name" in after.options


def _oneof_move(before: str | None, after: str | None) -> str:
    if before is None:
        return f'moved into oneof "{after}"'
    if after is None:
        return f'moved out of oneof "{before}"'
    return f'moved from oneof "{before}" to oneof "{after}"'
