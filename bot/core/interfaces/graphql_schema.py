"""Build the schema of one side of a GraphQL interface from its parsed SDL files.

The files of a side are concatenated in path order, so a type defined in one file may be
extended in another. Types that neither side defines (they live in files of the interface
that did not change) are declared as empty stand-ins on both sides alike, so a partial
schema still builds and the stand-ins never differ.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from graphql import (
    GraphQLError,
    GraphQLSchema,
    KnownTypeNamesRule,
    LoneSchemaDefinitionRule,
    PossibleTypeExtensionsRule,
    UniqueDirectiveNamesRule,
    UniqueOperationTypesRule,
    UniqueTypeNamesRule,
    build_ast_schema,
    concat_ast,
    parse,
    specified_scalar_types,
)
from graphql.language import (
    DefinitionNode,
    DocumentNode,
    EnumTypeExtensionNode,
    FieldDefinitionNode,
    InputObjectTypeExtensionNode,
    InputValueDefinitionNode,
    InterfaceTypeExtensionNode,
    ListTypeNode,
    NamedTypeNode,
    NonNullTypeNode,
    ObjectTypeExtensionNode,
    ParallelVisitor,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    TypeDefinitionNode,
    TypeExtensionNode,
    TypeNode,
    UnionTypeDefinitionNode,
    UnionTypeExtensionNode,
    visit,
)
from graphql.validation import SDLValidationContext

from bot.core.interfaces.graphql_sdl import SdlFile
from bot.core.severity import ContractParseError

# The SDL rules that decide what the schema holds: every name resolves, each type, directive
# and root is declared once, and extensions extend something of their kind. Repeated fields
# (GitHub's published schema repeats one) and directive usages do not change the types and
# fields compared, and type-system rules beyond these (graphql-core rejects deprecation
# patterns that GitHub's schema uses) do not stop a comparison.
_RULES = (
    LoneSchemaDefinitionRule,
    UniqueOperationTypesRule,
    UniqueTypeNamesRule,
    UniqueDirectiveNamesRule,
    KnownTypeNamesRule,
    PossibleTypeExtensionsRule,
)
_EXTENDED_KIND = (
    (ObjectTypeExtensionNode, "type"),
    (InterfaceTypeExtensionNode, "interface"),
    (UnionTypeExtensionNode, "union"),
    (EnumTypeExtensionNode, "enum"),
    (InputObjectTypeExtensionNode, "input"),
)
# A stand-in takes the kind an extension gives it, else the kind its other uses require.
_EXTENSION, _SHAPED, _PLAIN = 2, 1, 0


def stand_ins(sides: Iterable[tuple[SdlFile, ...]]) -> DocumentNode:
    """Empty declarations of the types referenced but defined by no file of either side."""
    wanted: dict[str, tuple[int, str]] = {}
    defined = set(specified_scalar_types)
    for files in sides:
        for definition in _definitions(files):
            if isinstance(definition, TypeDefinitionNode):
                defined.add(definition.name.value)
            for name, kind, strength in _references(definition):
                if strength >= wanted.get(name, (_PLAIN, ""))[0]:
                    wanted[name] = (strength, kind)
    missing = sorted(wanted.keys() - defined)
    text = "\n".join(f"{wanted[name][1]} {name}" for name in missing)
    return parse(text) if text else DocumentNode(definitions=())


def build_schema(files: tuple[SdlFile, ...], stubs: DocumentNode, side: str) -> GraphQLSchema:
    """The schema the files of a side declare; ContractParseError when it cannot be built."""
    document = concat_ast([stubs, *(file.document for file in files)])
    errors: list[GraphQLError] = []
    context = SDLValidationContext(document, None, errors.append)
    visit(document, ParallelVisitor([rule(context) for rule in _RULES]))
    try:
        if errors:
            raise errors[0]
        kwargs = build_ast_schema(document, assume_valid_sdl=True).to_kwargs()
        # A standard scalar is in the type map only while something uses it; keeping them all
        # on both sides stops "Float was removed" when only its last use in these files went.
        kwargs["types"] = (*(kwargs["types"] or ()), *specified_scalar_types.values())
        return GraphQLSchema(**kwargs)
    except (GraphQLError, TypeError, ValueError, RecursionError) as err:
        raise _unbuildable(err, files, side) from err


def _unbuildable(err: Exception, files: tuple[SdlFile, ...], side: str) -> ContractParseError:
    """The error, on the file it points into (the first file when it names none of them)."""
    paths = [file.path for file in files]
    path = paths[0] if paths else "(no file)"
    message = str(err) or type(err).__name__
    if isinstance(err, GraphQLError):
        message = err.message
        if err.source is not None and err.source.name in paths:
            path = err.source.name
            if err.locations:
                message += f" (line {err.locations[0].line})"
    return ContractParseError(path, side, f"is not a valid GraphQL schema: {message}")


def _definitions(files: tuple[SdlFile, ...]) -> Iterator[DefinitionNode]:
    for file in files:
        yield from file.document.definitions


def _references(node: DefinitionNode) -> Iterator[tuple[str, str, int]]:
    """Each type name a definition refers to, the kind a stand-in for it needs, and how surely."""
    if isinstance(node, TypeExtensionNode):
        yield node.name.value, _extended_kind(node), _EXTENSION
    if isinstance(node, SchemaDefinitionNode | SchemaExtensionNode):
        for operation in node.operation_types or ():
            yield operation.type.name.value, "type", _SHAPED
    for interface in getattr(node, "interfaces", None) or ():
        yield interface.name.value, "interface", _SHAPED
    if isinstance(node, UnionTypeDefinitionNode | UnionTypeExtensionNode):
        for member in node.types or ():
            yield member.name.value, "type", _SHAPED
    for value in _typed_values(node):
        name = _named(value.type)
        if name:
            yield name, "scalar", _PLAIN


def _extended_kind(node: TypeExtensionNode) -> str:
    for extension, kind in _EXTENDED_KIND:
        if isinstance(node, extension):
            return kind
    return "scalar"


def _typed_values(node: DefinitionNode) -> Iterator[FieldDefinitionNode | InputValueDefinitionNode]:
    """Fields, input fields and arguments: every place a type is referred to by name."""
    items: tuple[FieldDefinitionNode | InputValueDefinitionNode, ...] = tuple(
        getattr(node, "fields", None) or ()
    )
    yield from getattr(node, "arguments", None) or ()
    for item in items:
        yield item
        if isinstance(item, FieldDefinitionNode):
            yield from item.arguments or ()


def _named(node: TypeNode) -> str:
    """The name of the type inside list and non-null wrappers."""
    while isinstance(node, ListTypeNode | NonNullTypeNode):
        node = node.type
    return node.name.value if isinstance(node, NamedTypeNode) else ""
