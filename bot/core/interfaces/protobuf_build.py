"""Build the compared shape of a .proto file from its syntax tree."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from proto_schema_parser import ast

from bot.core.interfaces.protobuf_model import (
    Options,
    ProtoEnum,
    ProtoField,
    ProtoFile,
    ProtoMessage,
    ProtoRpc,
    ProtoService,
    default_json_name,
)

MAX_FIELD_NUMBER = 536_870_911
MAX_ENUM_NUMBER = 2_147_483_647
_RANGE = re.compile(r"\s+to\s+")
_LABELS = {
    ast.FieldCardinality.OPTIONAL: "optional",
    ast.FieldCardinality.REQUIRED: "required",
    ast.FieldCardinality.REPEATED: "repeated",
}


@dataclass
class _Declarations:
    """What the walk over a file has collected so far."""

    messages: dict[str, ProtoMessage] = field(default_factory=dict)
    enums: dict[str, ProtoEnum] = field(default_factory=dict)
    extensions: dict[str, dict[int, ProtoField]] = field(default_factory=dict)


def build_proto_file(tree: ast.File) -> ProtoFile:
    """The shape of ``tree``; ValueError when a number or range in it cannot be read."""
    found = _Declarations()
    package = ""
    imports: set[str] = set()
    options: Options = {}
    services: dict[str, ProtoService] = {}
    for element in tree.file_elements:
        if isinstance(element, ast.Package):
            package = "".join(element.name.split())
        elif isinstance(element, ast.Import):
            imports.add(element.name)
        elif isinstance(element, ast.Option):
            options[element.name] = render_value(element.value)
        elif isinstance(element, ast.Service):
            services[element.name] = _service(element)
        else:
            _declare(element, "", found)
    syntax = f"edition {tree.edition}" if tree.edition else (tree.syntax or "proto2")
    return ProtoFile(
        package=package,
        syntax=syntax,
        imports=frozenset(imports),
        options=options,
        messages=found.messages,
        enums=found.enums,
        services=services,
        extensions=found.extensions,
    )


def _declare(element: object, scope: str, found: _Declarations) -> None:
    """Record a message, enum or extend block declared in ``scope`` (dotted, or empty)."""
    if isinstance(element, ast.Message):
        _message(f"{scope}{element.name}", element.elements, found)
    elif isinstance(element, ast.Enum):
        found.enums[f"{scope}{element.name}"] = _enum(element)
    elif isinstance(element, ast.Extension):
        extendee = "".join(element.typeName.split())
        where = f" in message {scope.rstrip('.')}" if scope else ""
        block = found.extensions.setdefault(f"extend {extendee}{where}", {})
        for member in element.elements:
            extension = _field(member, None, scope, found)
            if extension is not None:
                block[extension.number] = extension


def _message(name: str, elements: list[ast.MessageElement], found: _Declarations) -> None:
    fields: dict[int, ProtoField] = {}
    oneofs: set[str] = set()
    reserved: list[tuple[int, int]] = []
    reserved_names: set[str] = set()
    extension_ranges: list[tuple[int, int]] = []
    options: Options = {}
    scope = f"{name}."
    for element in elements:
        if isinstance(element, ast.OneOf):
            oneofs.add(element.name)
            members = [_field(m, element.name, scope, found) for m in element.elements]
            fields.update((member.number, member) for member in members if member is not None)
        elif isinstance(element, ast.Reserved):
            reserved += [parse_range(text, MAX_FIELD_NUMBER) for text in element.ranges]
            reserved_names.update(element.names)
        elif isinstance(element, ast.ExtensionRange):
            extension_ranges += [parse_range(text, MAX_FIELD_NUMBER) for text in element.ranges]
        elif isinstance(element, ast.Option):
            options[element.name] = render_value(element.value)
        elif (member := _field(element, None, scope, found)) is not None:
            fields[member.number] = member
        else:
            _declare(element, scope, found)
    found.messages[name] = ProtoMessage(
        fields=fields,
        oneofs=frozenset(oneofs),
        reserved=tuple(reserved),
        reserved_names=frozenset(reserved_names),
        extension_ranges=tuple(extension_ranges),
        options=options,
    )


def _field(
    element: object, oneof: str | None, scope: str, found: _Declarations
) -> ProtoField | None:
    """The field an element declares, if it declares one (a group also declares a message)."""
    if isinstance(element, ast.Field):
        label, kind = _label(element.cardinality), "".join(element.type.split())
        name, options = element.name, element.options
    elif isinstance(element, ast.MapField):
        key, value = "".join(element.key_type.split()), "".join(element.value_type.split())
        label, kind, name, options = "map", f"map<{key}, {value}>", element.name, element.options
    elif isinstance(element, ast.Group):
        # A group is a field named after its type, lower-cased, and a message of that type.
        _message(f"{scope}{element.name}", element.elements, found)
        label, kind = _label(element.cardinality), f"group {element.name}"
        name, options = element.name.lower(), []
    else:
        return None
    rendered = {option.name: render_value(option.value) for option in options}
    written = [o.value for o in options if o.name == "json_name" and isinstance(o.value, str)]
    json_name = written[-1] if written else default_json_name(name)
    return ProtoField(element.number, name, kind, label, oneof, json_name, rendered)


def _label(cardinality: ast.FieldCardinality | None) -> str:
    return "singular" if cardinality is None else _LABELS[cardinality]


def _enum(element: ast.Enum) -> ProtoEnum:
    values: dict[int, tuple[str, ...]] = {}
    value_options: dict[str, Options] = {}
    reserved: list[tuple[int, int]] = []
    names: set[str] = set()
    options: Options = {}
    for member in element.elements:
        if isinstance(member, ast.EnumValue):
            values[member.number] = (*values.get(member.number, ()), member.name)
            value_options[member.name] = {o.name: render_value(o.value) for o in member.options}
        elif isinstance(member, ast.EnumReserved):
            reserved += [parse_range(text, MAX_ENUM_NUMBER) for text in member.ranges]
            names.update(member.names)
        elif isinstance(member, ast.Option):
            options[member.name] = render_value(member.value)
    return ProtoEnum(values, value_options, tuple(reserved), frozenset(names), options)


def _service(element: ast.Service) -> ProtoService:
    rpcs: dict[str, ProtoRpc] = {}
    options: Options = {}
    for member in element.elements:
        if isinstance(member, ast.Method):
            rpcs[member.name] = ProtoRpc(
                request="".join(member.input_type.type.split()),
                request_stream=member.input_type.stream,
                response="".join(member.output_type.type.split()),
                response_stream=member.output_type.stream,
                options=_options(member.elements),
            )
        elif isinstance(member, ast.Option):
            options[member.name] = render_value(member.value)
    return ProtoService(rpcs, options)


def _options(elements: list[ast.MethodElement]) -> Options:
    return {o.name: render_value(o.value) for o in elements if isinstance(o, ast.Option)}


def parse_range(text: str, maximum: int) -> tuple[int, int]:
    """``5``, ``5 to 9`` or ``5 to max`` as an inclusive pair; ValueError when unreadable."""
    parts = _RANGE.split(text.strip())
    start = parse_int(parts[0])
    end = start if len(parts) == 1 else maximum if parts[-1] == "max" else parse_int(parts[-1])
    return start, end


def parse_int(text: str) -> int:
    """A decimal, hexadecimal (``0x``) or octal (leading ``0``) integer, with its sign."""
    digits = "".join(text.split())
    sign = -1 if digits.startswith("-") else 1
    digits = digits.lstrip("+-")
    if digits.lower().startswith("0x"):
        return sign * int(digits[2:], 16)
    if len(digits) > 1 and digits.startswith("0"):
        return sign * int(digits[1:], 8)
    return sign * int(digits, 10)


def render_value(value: object) -> str:
    """An option value as text: strings quoted, literals as ``{name: value, ...}``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, ast.Identifier):
        return value.name
    if isinstance(value, ast.MessageLiteral):
        parts = (
            f"{item.name}: {render_value(item.value)}"
            for item in value.elements
            if isinstance(item, ast.MessageLiteralField)
        )
        return "{" + ", ".join(parts) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(render_value(item) for item in value) + "]"
    return str(value)
