"""Classify the changes to the .proto files of an interface as breaking or not.

Breaking follows the FILE category of ``buf breaking``: anything generated code or an older
peer relies on, per file. Imports are not resolved, so types are compared by the names they are
written with; a file's package and the names within it identify its declarations.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from bot.core.interfaces.detector import compared, without_comments
from bot.core.interfaces.protobuf_build import build_proto_file
from bot.core.interfaces.protobuf_fields import compare_fields
from bot.core.interfaces.protobuf_model import ProtoFile
from bot.core.interfaces.protobuf_options import FILE_RULES, Found, compare_options
from bot.core.interfaces.protobuf_rules import (
    compare_declared,
    compare_enum,
    compare_message,
    compare_service,
)
from bot.core.interfaces.protobuf_syntax import ProtoSyntaxError, parse_proto_source
from bot.core.severity import (
    BREAKING,
    NON_BREAKING,
    ContractParseError,
    InterfaceChange,
)

_Element = TypeVar("_Element")
_MAX_NAMES = 8


def compare_protobuf(
    before: Mapping[str, str], after: Mapping[str, str]
) -> tuple[InterfaceChange, ...]:
    """Every change between the two sides, by path and then in declaration order.

    ``before`` and ``after`` map each changed file's path to its text; a path on one side only
    is a file added or removed. Raises ``ContractParseError`` for a side that does not parse.
    """
    changes: list[InterfaceChange] = []
    for path in sorted(before.keys() | after.keys()):
        old, new = before.get(path), after.get(path)
        if old == new:
            continue
        if old is None or new is None:
            found = [_file_presence(path, old, new)]
        else:
            found = compare_files(read_proto(path, "before", old), read_proto(path, "after", new))
        changes += (InterfaceChange(path, severity, what) for severity, what in found)
    return tuple(changes)


def read_proto(path: str, side: str, text: str) -> ProtoFile:
    """The shape of one side of a file; ``ContractParseError`` when it cannot be read."""
    try:
        return build_proto_file(parse_proto_source(text))
    except ProtoSyntaxError as err:
        raise ContractParseError(path, side, str(err)) from err
    except ValueError as err:  # a reserved or extension range that is not a number
        raise ContractParseError(path, side, f"could not be read ({err})") from err


def _file_presence(path: str, old: str | None, new: str | None) -> Found:
    if new is None:
        summary = _summary(read_proto(path, "before", old or ""))
        return BREAKING, f"file removed: {summary}"
    return NON_BREAKING, f"file added: {_summary(read_proto(path, 'after', new))}"


def _summary(proto: ProtoFile) -> str:
    """``package x; messages A, B; services S``: what consumers of the file could use."""
    parts = [f"package {proto.package}" if proto.package else "no package"]
    for kind, names in proto.top_level().items():
        if names:
            more = len(names) - _MAX_NAMES
            listed = ", ".join(names[:_MAX_NAMES]) + (f" and {more} more" if more > 0 else "")
            parts.append(f"{kind} {listed}")
    return "; ".join(parts)


def compare_files(before: ProtoFile, after: ProtoFile) -> list[Found]:
    """Findings for one file on both sides: the file itself, then what it declares."""
    found: list[Found] = []
    if before.package != after.package:
        old, new = before.package or "(none)", after.package or "(none)"
        found.append((BREAKING, f'package changed "{old}" → "{new}"'))
    if before.syntax != after.syntax:
        found.append((BREAKING, f"syntax changed {before.syntax} → {after.syntax}"))
    found += compare_options("file", before.options, after.options, FILE_RULES)
    found += [
        (NON_BREAKING, f'import "{name}" removed')
        for name in sorted(before.imports - after.imports)
    ]
    found += [
        (NON_BREAKING, f'import "{name}" added') for name in sorted(after.imports - before.imports)
    ]
    scopes = frozenset(before.messages.keys() ^ after.messages.keys())
    found += _each("message", before.messages, after.messages, scopes, compare_message)
    found += _each("enum", before.enums, after.enums, scopes, compare_enum)
    found += _each("service", before.services, after.services, frozenset(), compare_service)
    for block in sorted(before.extensions.keys() | after.extensions.keys()):
        old_fields, new_fields = before.extensions.get(block, {}), after.extensions.get(block, {})
        found += compare_fields(block, old_fields, new_fields)
    return found


def _each(
    kind: str,
    old: Mapping[str, _Element],
    new: Mapping[str, _Element],
    scopes: frozenset[str],
    compare: Callable[[str, _Element, _Element], list[Found]],
) -> list[Found]:
    found: list[Found] = []
    for name, presence in compare_declared(kind, old, new, scopes):
        found += [presence] if presence else compare(name, old[name], new[name])
    return found


# Comments (// and /* */) go; strings stay (an HTTP rule holds "/v1/{name=*}").
DETECTOR = compared(
    "protobuf", compare_protobuf, normalize=without_comments("//", block=True, keep_strings=True)
)
