"""Edits to the declarations of real .proto files, one per rule of ``buf breaking``'s FILE category.

The file (package, syntax, options, imports), messages, enums and their values, services and
RPCs, reserved and extension numbers. Each rule has a breaking edit and a non-breaking one.
"""

from __future__ import annotations

import pytest

from tests.core.interfaces.proto_sources import (
    CLIENT,
    DESCRIPTOR,
    OPS,
    B,
    N,
    case,
    compare_text,
    edit,
    swap,
)

ORG = "enum ClientLibraryOrganization"
DEST = "enum ClientLibraryDestination"
WAIT = "service Operations: rpc WaitOperation"
WAIT_RPC = "rpc WaitOperation(WaitOperationRequest) returns (Operation) {}"
PACKAGE = "package google.longrunning;"
ARENAS = "option cc_enable_arenas = true;"
STATUS = 'import "google/rpc/status.proto";'
GEO, AI, GITHUB = "  GEO = 6;", "  GENERATIVE_AI = 7;", "  GITHUB = 10;"
ALIASED = edit(CLIENT, (GITHUB, f"  option allow_alias = true;\n{GITHUB}\n  GIT_HUB = 10;"))
RESERVED, PHP = "  reserved 4, 5, 6;", '  reserved "php_generic_services";'
ENUM_RESERVED = swap(CLIENT, AI, f"{AI}\n  reserved 8 to max;")
# Two messages open 536000000 to extensions: this is the one in FileDescriptorSet.
EXTENSIONS = " file = 1;\n\n  // Extensions for tooling.\n  extensions 536000000"
MOVED_RANGE = EXTENSIONS.replace("536000000", "536000001")
FILE_PROTO = "message FileDescriptorProto {"
WATCH = "  rpc Watch(Empty) returns (stream Operation);"
IDEMPOTENT = f"{WAIT_RPC[:-1]}\n    option idempotency_level = NO_SIDE_EFFECTS;\n  }}"
GO = "message GoSettings {"
NO_ACCESSOR = swap(CLIENT, GO, f"{GO}\n  option no_standard_descriptor_accessor = true;")
STREAM = "rpc WaitOperation(WaitOperationRequest) returns (stream Operation) {}"
HTTP = 'get: "/v1/{name=operations}"'

CASES = [
    # The file itself.
    case("package changed", OPS, swap(OPS, PACKAGE, "package google.lro;"),
         (B, 'package changed "google.longrunning" → "google.lro"')),
    case("package respaced", OPS, swap(OPS, PACKAGE, "package google . longrunning ;")),
    case("syntax changed", DESCRIPTOR, swap(DESCRIPTOR, 'syntax = "proto2";', 'edition = "2023";'),
         (B, "syntax changed proto2 → edition 2023")),
    case("syntax requoted", DESCRIPTOR,
         swap(DESCRIPTOR, 'syntax = "proto2";', "syntax = 'proto2';")),
    case("generated package changed", OPS,
         swap(OPS, '"com.google.longrunning"', '"com.google.lro"'),
         (B, 'file option java_package changed "com.google.longrunning" → "com.google.lro"')),
    case("default file option dropped", OPS, swap(OPS, ARENAS, "")),
    case("custom file option set", OPS, swap(OPS, ARENAS, 'option (acme.owner) = "lro";'),
         (N, 'file option (acme.owner) set to "lro"')),
    case("import removed", OPS, swap(OPS, 'import "google/api/client.proto";', ""),
         (N, 'import "google/api/client.proto" removed')),
    case("unknown import added", OPS, swap(OPS, STATUS, f'{STATUS}\nimport "acme/x.proto";'),
         (N, 'import "acme/x.proto" added')),
    # Messages, nested ones by their path in the file.
    case("message renamed", OPS, swap(OPS, "message OperationInfo {", "message OperationDetails {"),
         (N, "message OperationDetails added"), (B, "message OperationInfo removed")),
    case("message nested", OPS,
         swap(OPS, "  bool done = 3;", "  bool done = 3;\n  message Progress { int32 done = 1; }"),
         (N, "message Operation.Progress added")),
    case("nested message renamed", CLIENT,
         swap(CLIENT, "message ExperimentalFeatures {", "message Experiments {"),
         (B, "message PythonSettings.ExperimentalFeatures removed"),
         (N, "message PythonSettings.Experiments added")),
    case("message with nested ones renamed", DESCRIPTOR,
         swap(DESCRIPTOR, "message FieldOptions {", "message FieldOpts {"),
         (B, "message FieldOptions removed"), (N, "message FieldOpts added")),
    case("standard accessor removed", CLIENT, NO_ACCESSOR,
         (B, "message GoSettings: option no_standard_descriptor_accessor changed false → true")),
    case("standard accessor restored", NO_ACCESSOR, CLIENT,
         (N, "message GoSettings: option no_standard_descriptor_accessor changed true → false")),
    # Enums, and their values by number.
    case("enum renamed", CLIENT,
         swap(CLIENT, "enum ClientLibraryDestination {", "enum LibraryDestination {"),
         (B, "enum ClientLibraryDestination removed"), (N, "enum LibraryDestination added")),
    case("enum added", CLIENT, swap(CLIENT, GO, f"enum Tier {{ TIER_UNSPECIFIED = 0; }}\n{GO}"),
         (N, "enum Tier added")),
    case("nested enum renamed", DESCRIPTOR, swap(DESCRIPTOR, "  enum CType {", "  enum Kind {"),
         (B, "enum FieldOptions.CType removed"), (N, "enum FieldOptions.Kind added")),
    case("value removed", CLIENT, swap(CLIENT, AI, ""),
         (B, f'{ORG}: value 7 "GENERATIVE_AI" removed')),
    case("value added", CLIENT, swap(CLIENT, AI, f"{AI}\n  MAPS = 8;"),
         (N, f'{ORG}: value 8 "MAPS" added')),
    case("value renamed", CLIENT, swap(CLIENT, GEO, "  MAPS = 6;"),
         (B, f'{ORG}: value 6 renamed "GEO" → "MAPS"')),
    case("value renumbered", CLIENT, swap(CLIENT, GEO, "  GEO = 60;"),
         (B, f'{ORG}: value "GEO" changed number 6 → 60')),
    case("value deprecated", CLIENT, swap(CLIENT, GEO, "  GEO = 6 [deprecated = true];"),
         (N, f'{ORG}: value "GEO" option deprecated set to true')),
    case("alias added", CLIENT, ALIASED,
         (B, f'{DEST}: value 10 changed names "GITHUB" → "GITHUB", "GIT_HUB"'),
         (N, f"{DEST}: option allow_alias set to true")),
    case("alias dropped", ALIASED, CLIENT,
         (N, f'{DEST}: value 10 alias "GIT_HUB" removed'),
         (N, f"{DEST}: option allow_alias unset (was true)")),
    case("alias renumbered to a new number", ALIASED, swap(ALIASED, "GIT_HUB = 10", "GIT_HUB = 11"),
         (B, f'{DEST}: value "GIT_HUB" changed number 10 → 11')),
    case("alias renumbered onto another value", ALIASED,
         swap(ALIASED, "GIT_HUB = 10", "GIT_HUB = 20"),
         (B, f'{DEST}: value "GIT_HUB" changed number 10 → 20')),
    case("values swap numbers", CLIENT,
         edit(CLIENT, (GITHUB, "  GITHUB = 20;"), ("PACKAGE_MANAGER = 20", "PACKAGE_MANAGER = 10")),
         (B, f'{DEST}: value "GITHUB" changed number 10 → 20'),
         (B, f'{DEST}: value "PACKAGE_MANAGER" changed number 20 → 10')),
    case("value renamed onto a freed number", CLIENT,
         swap(swap(CLIENT, GITHUB, ""), "PACKAGE_MANAGER = 20", "PACKAGE_MANAGER = 10"),
         (B, f'{DEST}: value "PACKAGE_MANAGER" changed number 20 → 10'),
         (B, f'{DEST}: value 10 "GITHUB" removed')),
    # Services and RPCs.
    case("service renamed", OPS, swap(OPS, "service Operations {", "service Jobs {"),
         (N, "service Jobs added"), (B, "service Operations removed")),
    case("service added", OPS,
         swap(OPS, "message OperationInfo {", "service Health {}\nmessage OperationInfo {"),
         (N, "service Health added")),
    case("rpc removed", OPS, swap(OPS, WAIT_RPC, ""), (B, f"{WAIT} removed")),
    case("rpc added", OPS, swap(OPS, WAIT_RPC, f"{WAIT_RPC}\n{WATCH}"),
         (N, "service Operations: rpc Watch added")),
    case("request type changed", OPS,
         swap(OPS, "(WaitOperationRequest)", "(GetOperationRequest)"),
         (B, f"{WAIT} changed request type WaitOperationRequest → GetOperationRequest")),
    case("response type changed", OPS,
         swap(OPS, WAIT_RPC, WAIT_RPC.replace("(Operation)", "(Empty)")),
         (B, f"{WAIT} changed response type Operation → Empty")),
    case("client streaming", OPS,
         swap(OPS, "(WaitOperationRequest)", "(stream WaitOperationRequest)"),
         (B, f"{WAIT} became client streaming")),
    case("server streaming", OPS, swap(OPS, WAIT_RPC, STREAM),
         (B, f"{WAIT} became server streaming")),
    case("server streaming dropped", swap(OPS, WAIT_RPC, STREAM), OPS,
         (B, f"{WAIT} stopped being server streaming")),
    case("rpc body as a semicolon", OPS, swap(OPS, WAIT_RPC, WAIT_RPC.replace(" {}", ";"))),
    case("idempotency level set", OPS,
         swap(OPS, WAIT_RPC, IDEMPOTENT),
         (B, f"{WAIT} option idempotency_level changed IDEMPOTENCY_UNKNOWN → NO_SIDE_EFFECTS")),
    case("http binding changed", OPS, swap(OPS, HTTP, HTTP.replace("v1", "v2")),
         (N, "service Operations: rpc ListOperations option (google.api.http) changed"
             ' {get: "/v1/{name=operations}"} → {get: "/v2/{name=operations}"}')),
    # Reserved numbers and names, extension ranges: by the numbers they cover.
    case("reserved number dropped", DESCRIPTOR, swap(DESCRIPTOR, RESERVED, "  reserved 4, 6;"),
         (B, "message MessageOptions: reserved number 5 no longer reserved")),
    case("reserved numbers restated", DESCRIPTOR,
         swap(DESCRIPTOR, RESERVED, "  reserved 6, 4 to 5;")),
    case("reserved numbers added", DESCRIPTOR,
         swap(DESCRIPTOR, RESERVED, "  reserved 4, 5, 6, 100 to 102;"),
         (N, "message MessageOptions: reserved numbers 100 to 102 added")),
    case("reserved name dropped", DESCRIPTOR, swap(DESCRIPTOR, PHP, ""),
         (B, 'message FileOptions: reserved name "php_generic_services" no longer reserved')),
    case("reserved name added", DESCRIPTOR, swap(DESCRIPTOR, PHP, PHP[:-1] + ', "legacy";'),
         (N, 'message FileOptions: reserved name "legacy" added')),
    case("enum reserved range dropped", ENUM_RESERVED, CLIENT,
         (B, f"{ORG}: reserved numbers 8 to max no longer reserved")),
    case("enum reserved range added", CLIENT, ENUM_RESERVED,
         (N, f"{ORG}: reserved numbers 8 to max added")),
    case("extension range moved", DESCRIPTOR,
         swap(DESCRIPTOR, EXTENSIONS, MOVED_RANGE),
         (B, "message FileDescriptorSet: extension number 536000000 no longer open to extensions"),
         (N, "message FileDescriptorSet: extension number 536000001 added")),
    case("extension range added", DESCRIPTOR,
         swap(DESCRIPTOR, FILE_PROTO, f"{FILE_PROTO}\n  extensions 1000 to max;"),
         (N, "message FileDescriptorProto: extension numbers 1000 to max added")),
    # Prose and layout only.
    case("comments rewritten", OPS,
         swap(OPS, "// Manages long-running", "/* Runs */ // Manages long-running")),
]  # fmt: skip


@pytest.mark.parametrize(("before", "after", "expected"), CASES)
def test_declaration_edit(before: str, after: str, expected: list[tuple[str, str]]) -> None:
    assert compare_text(before, after) == expected


def test_whitespace_only_changes_nothing() -> None:
    squeezed = "\n".join(line.strip() for line in DESCRIPTOR.splitlines() if line.strip())
    assert compare_text(DESCRIPTOR, squeezed) == []
