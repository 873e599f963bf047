"""The compared shape of a .proto file: its declarations by qualified name and number.

Types keep the names they are written with (imports are not resolved), and comments are left
out, so a change to prose or layout leaves the shape as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Options and their values, rendered as text (``"x"`` for strings, ``{a: 1}`` for literals).
Options = dict[str, str]
# Inclusive ranges of numbers, as written after ``reserved`` or ``extensions``.
Ranges = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class ProtoField:
    """A field of a message or extension, identified by its number."""

    number: int
    name: str
    type: str
    # singular (no label), optional, required, repeated, or map.
    label: str
    oneof: str | None
    json_name: str
    options: Options = field(default_factory=dict)


@dataclass(frozen=True)
class ProtoMessage:
    """A message, with its fields by number; nested declarations are listed by the file."""

    fields: dict[int, ProtoField] = field(default_factory=dict)
    oneofs: frozenset[str] = frozenset()
    reserved: Ranges = ()
    reserved_names: frozenset[str] = frozenset()
    extension_ranges: Ranges = ()
    options: Options = field(default_factory=dict)


@dataclass(frozen=True)
class ProtoEnum:
    """An enum, with the names of each value number (several when aliased)."""

    values: dict[int, tuple[str, ...]] = field(default_factory=dict)
    value_options: dict[str, Options] = field(default_factory=dict)
    reserved: Ranges = ()
    reserved_names: frozenset[str] = frozenset()
    options: Options = field(default_factory=dict)


@dataclass(frozen=True)
class ProtoRpc:
    """An RPC: its request and response types and whether each is a stream."""

    request: str
    request_stream: bool
    response: str
    response_stream: bool
    options: Options = field(default_factory=dict)


@dataclass(frozen=True)
class ProtoService:
    """A service, with its RPCs by name."""

    rpcs: dict[str, ProtoRpc] = field(default_factory=dict)
    options: Options = field(default_factory=dict)


@dataclass(frozen=True)
class ProtoFile:
    """Everything a .proto file declares that its consumers can depend on.

    Messages and enums are keyed by their name qualified within the file (``Order.Item``);
    extensions by their ``extend`` block (``extend google.protobuf.FieldOptions``).
    """

    package: str = ""
    syntax: str = "proto2"
    imports: frozenset[str] = frozenset()
    options: Options = field(default_factory=dict)
    messages: dict[str, ProtoMessage] = field(default_factory=dict)
    enums: dict[str, ProtoEnum] = field(default_factory=dict)
    services: dict[str, ProtoService] = field(default_factory=dict)
    extensions: dict[str, dict[int, ProtoField]] = field(default_factory=dict)

    def top_level(self) -> dict[str, list[str]]:
        """The names declared at the top of the file, by kind, for a file added or removed."""
        return {
            "messages": sorted(name for name in self.messages if "." not in name),
            "enums": sorted(name for name in self.enums if "." not in name),
            "services": sorted(self.services),
            "extensions": sorted(self.extensions),
        }


def default_json_name(name: str) -> str:
    """The JSON name protoc gives a field without ``json_name``: lowerCamelCase of its name."""
    out: list[str] = []
    upper_next = False
    for char in name:
        if char == "_":
            upper_next = True
        elif upper_next:
            out.append(char.upper())
            upper_next = False
        else:
            out.append(char)
    return "".join(out)
