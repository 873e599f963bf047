"""Compare the messages, enums and services of two versions of one .proto file.

Deletions are breaking and additions are not, as in the FILE category of ``buf breaking``:
messages, enums, values, oneofs, services and RPCs removed; reserved and extension numbers or
reserved names given back; an RPC's request, response or streaming changed. Elements are named
by their qualified name within the file (``message Order.Item``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from bot.core.interfaces.protobuf_build import MAX_ENUM_NUMBER, MAX_FIELD_NUMBER
from bot.core.interfaces.protobuf_fields import compare_fields
from bot.core.interfaces.protobuf_model import ProtoEnum, ProtoMessage, ProtoRpc, ProtoService
from bot.core.interfaces.protobuf_options import (
    ENUM_RULES,
    MESSAGE_RULES,
    NO_RULES,
    RPC_RULES,
    Found,
    compare_options,
)
from bot.core.interfaces.protobuf_ranges import compare_names, compare_ranges
from bot.core.severity import BREAKING, NON_BREAKING

_Element = TypeVar("_Element")


def compare_declared(
    kind: str, old: Mapping[str, _Element], new: Mapping[str, _Element], scopes: frozenset[str]
) -> list[tuple[str, Found | None]]:
    """Each name of ``kind`` with its addition or removal, or None when on both sides.

    A declaration nested in a message that is itself added or removed (``scopes`` holds those
    messages) is left out: the outer one says it.
    """
    out: list[tuple[str, Found | None]] = []
    for name in sorted(old.keys() | new.keys()):
        if name in old and name in new:
            out.append((name, None))
        elif not any(name.startswith(f"{scope}.") for scope in scopes):
            change = (BREAKING, f"{kind} {name} removed") if name in old else None
            out.append((name, change or (NON_BREAKING, f"{kind} {name} added")))
    return out


def compare_message(name: str, before: ProtoMessage, after: ProtoMessage) -> list[Found]:
    """Findings for one message present on both sides."""
    owner = f"message {name}"
    found = compare_fields(owner, before.fields, after.fields)
    for oneof in sorted(before.oneofs - after.oneofs):
        found.append((BREAKING, f'{owner}: oneof "{oneof}" removed'))
    for oneof in sorted(after.oneofs - before.oneofs):
        found.append((NON_BREAKING, f'{owner}: oneof "{oneof}" added'))
    found += compare_ranges(owner, "reserved", before.reserved, after.reserved, MAX_FIELD_NUMBER)
    found += compare_names(owner, before.reserved_names, after.reserved_names)
    found += compare_ranges(
        owner, "extension", before.extension_ranges, after.extension_ranges, MAX_FIELD_NUMBER
    )
    return found + compare_options(f"{owner}:", before.options, after.options, MESSAGE_RULES)


def compare_enum(name: str, before: ProtoEnum, after: ProtoEnum) -> list[Found]:
    """Findings for one enum present on both sides; values are matched by number.

    A name found on both sides at different numbers changed number, whether its old number is
    gone or still held by an alias (``allow_alias``): code, JSON and text that use the name now
    carry another number. That is breaking even where the number of every value is still
    present, which ``buf breaking`` itself lets pass.
    """
    owner = f"enum {name}"
    moved = _renumbered(before.values, after.values)
    found: list[Found] = [
        (BREAKING, f'{owner}: value "{value}" changed number {was} → {now}')
        for value, (was, now) in sorted(moved.items(), key=lambda item: item[1])
    ]
    for number in sorted(before.values.keys() | after.values.keys()):
        old = tuple(v for v in before.values.get(number, ()) if v not in moved)
        new = tuple(v for v in after.values.get(number, ()) if v not in moved)
        if old and new:
            found += _compare_value_names(owner, number, old, new)
        elif old:
            # No name of the number is left where it was (another value may hold it now).
            found.append((BREAKING, f"{owner}: value {number} {_quoted(old)} removed"))
        elif new:
            found.append((NON_BREAKING, f"{owner}: value {number} {_quoted(new)} added"))
    for value in sorted(before.value_options.keys() & after.value_options.keys()):
        old_options, new_options = before.value_options[value], after.value_options[value]
        found += compare_options(f'{owner}: value "{value}"', old_options, new_options, NO_RULES)
    found += compare_ranges(owner, "reserved", before.reserved, after.reserved, MAX_ENUM_NUMBER)
    found += compare_names(owner, before.reserved_names, after.reserved_names)
    return found + compare_options(f"{owner}:", before.options, after.options, ENUM_RULES)


def _renumbered(
    old: dict[int, tuple[str, ...]], new: dict[int, tuple[str, ...]]
) -> dict[str, tuple[int, int]]:
    """Value names declared on both sides at different numbers: name → (before, after)."""
    was = {value: number for number, names in old.items() for value in names}
    now = {value: number for number, names in new.items() for value in names}
    both = was.keys() & now.keys()
    return {value: (was[value], now[value]) for value in both if was[value] != now[value]}


def _compare_value_names(
    owner: str, number: int, old: tuple[str, ...], new: tuple[str, ...]
) -> list[Found]:
    """A name at a number that had no such name breaks JSON and text; dropping an alias not."""
    if set(new) <= set(old):
        dropped = sorted(set(old) - set(new))
        return [
            (NON_BREAKING, f'{owner}: value {number} alias "{name}" removed') for name in dropped
        ]
    if len(old) == len(new) == 1:
        return [(BREAKING, f'{owner}: value {number} renamed "{old[0]}" → "{new[0]}"')]
    return [(BREAKING, f"{owner}: value {number} changed names {_quoted(old)} → {_quoted(new)}")]


def compare_service(name: str, before: ProtoService, after: ProtoService) -> list[Found]:
    """Findings for one service present on both sides; RPCs are matched by name."""
    owner = f"service {name}"
    found: list[Found] = []
    for rpc in sorted(before.rpcs.keys() | after.rpcs.keys()):
        old, new = before.rpcs.get(rpc), after.rpcs.get(rpc)
        if old is None:
            found.append((NON_BREAKING, f"{owner}: rpc {rpc} added"))
        elif new is None:
            found.append((BREAKING, f"{owner}: rpc {rpc} removed"))
        else:
            found += _compare_rpc(f"{owner}: rpc {rpc}", old, new)
    return found + compare_options(f"{owner}:", before.options, after.options, NO_RULES)


def _compare_rpc(subject: str, old: ProtoRpc, new: ProtoRpc) -> list[Found]:
    found: list[Found] = []
    for side, was, now in (
        ("request", old.request, new.request),
        ("response", old.response, new.response),
    ):
        if was != now:
            found.append((BREAKING, f"{subject} changed {side} type {was} → {now}"))
    for streaming, was_stream, now_stream in (
        ("client", old.request_stream, new.request_stream),
        ("server", old.response_stream, new.response_stream),
    ):
        if was_stream != now_stream:
            state = "became" if now_stream else "stopped being"
            found.append((BREAKING, f"{subject} {state} {streaming} streaming"))
    return found + compare_options(subject, old.options, new.options, RPC_RULES)


def _quoted(names: tuple[str, ...]) -> str:
    return ", ".join(f'"{name}"' for name in names)
