"""Find which SDL file of a side declares a type, field, enum value or directive."""

from __future__ import annotations

import re
from collections.abc import Iterable

from graphql.language import (
    DirectiveDefinitionNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    TypeDefinitionNode,
    TypeExtensionNode,
)

from bot.core.interfaces.graphql_sdl import SdlFile

SCHEMA = "schema"
# Schema coordinates as graphql-core's change descriptions write them: ``Type``,
# ``Type.field`` (also ``Type.field(arg:)``, ``Enum.VALUE``) and ``@directive``.
_COORDINATE = re.compile(r"@?[_A-Za-z][_0-9A-Za-z]*(?:\.[_A-Za-z][_0-9A-Za-z]*)?")

Places = dict[str, str]


def index_places(files: Iterable[SdlFile]) -> Places:
    """Map each coordinate to the file declaring it; a definition wins over an extension."""
    extended: Places = {}
    defined: Places = {}
    for file in files:
        for node in file.document.definitions:
            if isinstance(node, TypeDefinitionNode):
                defined.setdefault(node.name.value, file.path)
            elif isinstance(node, TypeExtensionNode):
                extended.setdefault(node.name.value, file.path)
            elif isinstance(node, DirectiveDefinitionNode):
                defined.setdefault(f"@{node.name.value}", file.path)
            elif isinstance(node, SchemaDefinitionNode | SchemaExtensionNode):
                defined.setdefault(SCHEMA, file.path)
            if isinstance(node, TypeDefinitionNode | TypeExtensionNode):
                _index_members(node, file.path, defined)
    return {**extended, **defined}


def _index_members(node: TypeDefinitionNode | TypeExtensionNode, path: str, places: Places) -> None:
    members = getattr(node, "fields", None) or getattr(node, "values", None) or ()
    for member in members:
        places.setdefault(f"{node.name.value}.{member.name.value}", path)


def element_of(description: str, owner_last: bool, *places: Places) -> str:
    """The coordinate a change describes: the first ``Type.member`` or ``@directive`` it
    names, else the first type it names, or the last one when ``owner_last`` (``X was added
    to union type U`` changes ``U``)."""
    tokens: list[str] = _COORDINATE.findall(description)
    named = [token for token in tokens if any(token in side for side in places)]
    for token in named:
        if "." in token or token.startswith("@"):
            return token
    if not named:
        return ""
    return named[-1] if owner_last else named[0]


def place_of(element: str, *places: Places) -> str | None:
    """The file declaring ``element`` (or, for a member, its type) in the first side that has it."""
    owner = element.partition(".")[0]
    for candidates in (element, owner):
        for side in places:
            if candidates in side:
                return side[candidates]
    return None
