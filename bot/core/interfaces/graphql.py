"""Compare the two sides of a GraphQL interface: which schema changes break clients.

graphql-core, the Python port of the reference implementation, finds the changes and sorts
them into breaking (a removed type, field, argument or enum value, a field type clients can no
longer rely on, a new required argument), dangerous (a default changed, an enum value or
union member added: valid queries may now behave differently) and safe (additions). Dangerous
and safe changes are not breaking; description edits are no change at all.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from graphql import (
    BreakingChangeType,
    DangerousChange,
    GraphQLSchema,
    SafeChangeType,
    SchemaChange,
    find_schema_changes,
)

from bot.core.interfaces.detector import compared, without_comments
from bot.core.interfaces.graphql_places import (
    SCHEMA,
    Places,
    element_of,
    index_places,
    place_of,
)
from bot.core.interfaces.graphql_schema import build_schema, stand_ins
from bot.core.interfaces.graphql_sdl import parse_side
from bot.core.severity import BREAKING, NON_BREAKING, InterfaceChange, Severity

# Changes whose description names the changed type last: "X was added to union type U".
_OWNER_LAST = frozenset(
    {"IMPLEMENTED_INTERFACE_ADDED", "TYPE_ADDED_TO_UNION", "TYPE_REMOVED_FROM_UNION"}
)
_ROOTS = ("query", "mutation", "subscription")
_MAX_WHAT = 400


def compare_graphql(
    before: Mapping[str, str], after: Mapping[str, str]
) -> tuple[InterfaceChange, ...]:
    """The schema changes between the SDL files of both sides, ordered by file and element.

    Each side's files (``.graphql``, ``.graphqls``, ``.gql``) are one schema, read in path
    order. A side that does not parse or build raises ``ContractParseError``.
    """
    old_files, new_files = parse_side(before, "before"), parse_side(after, "after")
    stubs = stand_ins((old_files, new_files))
    old = build_schema(old_files, stubs, "before")
    new = build_schema(new_files, stubs, "after")
    places = (index_places(new_files), index_places(old_files))
    # Where no file declares the element (a standard scalar), the first file of the interface.
    fallback = min(after) if after else min(before, default="")
    found: list[tuple[str, str, InterfaceChange]] = []
    for element, severity, what in (
        *_schema_changes(old, new, places),
        *_root_changes(old, new, places),
    ):
        path = place_of(element, *places) or fallback
        found.append((path, element, InterfaceChange(path, severity, what)))
    found.sort(key=lambda item: (item[0], item[1], item[2].what))
    return tuple(change for _, _, change in found)


def _schema_changes(
    old: GraphQLSchema, new: GraphQLSchema, places: tuple[Places, Places]
) -> Iterator[tuple[str, Severity, str]]:
    """graphql-core's changes as (element, severity, sentence), descriptions left out."""
    for change in find_schema_changes(old, new):
        kind = change.type.name
        if change.type is SafeChangeType.DESCRIPTION_CHANGED:
            continue
        element = element_of(change.description, kind in _OWNER_LAST, *places)
        breaking = isinstance(change.type, BreakingChangeType)
        yield element, BREAKING if breaking else NON_BREAKING, _sentence(change)


def _sentence(change: SchemaChange) -> str:
    """The change type, then graphql-core's own description on one line."""
    text = " ".join(change.description.split()).removesuffix(".")
    if len(text) > _MAX_WHAT:
        text = text[: _MAX_WHAT - 1] + "…"
    prefix = "dangerous: " if isinstance(change, DangerousChange) else ""
    return f"{prefix}{change.type.name}: {text}"


def _root_changes(
    old: GraphQLSchema, new: GraphQLSchema, places: tuple[Places, Places]
) -> Iterator[tuple[str, Severity, str]]:
    """Root operation types, which graphql-core does not compare: a query, mutation or
    subscription root that goes away or is swapped for another type breaks every operation.
    The element is the schema definition where there is one, else the root type."""
    declared = any(SCHEMA in side for side in places)
    for operation in _ROOTS:
        was = getattr(old, f"{operation}_type")
        now = getattr(new, f"{operation}_type")
        was_name, now_name = (was.name if was else None), (now.name if now else None)
        if was_name == now_name:
            continue
        element = SCHEMA if declared else str(now_name or was_name)
        if now_name is None:
            what = f"ROOT_TYPE_REMOVED: {operation} root type {was_name} was removed"
            yield element, BREAKING, what
        elif was_name is None:
            what = f"ROOT_TYPE_ADDED: {operation} root type {now_name} was added"
            yield element, NON_BREAKING, what
        else:
            what = f"ROOT_TYPE_CHANGED: {operation} root type changed from {was_name} to {now_name}"
            yield element, BREAKING, what


# Comments and descriptions (block and plain strings) go: graphql-core reports the string
# values that matter (default values) itself.
DETECTOR = compared(
    "graphql",
    compare_graphql,
    merge=True,
    normalize=without_comments("#", block=False, keep_strings=False),
)
