"""Edits to the fields of real .proto files, one per rule of ``buf breaking``'s FILE category.

Fields are matched by number. Each rule has a breaking edit and a neighbouring one that is not
(often one that looks alike but keeps generated code and the wire as they were).
"""

from __future__ import annotations

import pytest

from tests.core.interfaces.proto_sources import (
    CLIENT,
    DESCRIPTOR,
    DETAILS,
    OPS,
    B,
    N,
    case,
    compare_text,
    edit,
    swap,
)

QUOTA = "message QuotaFailure.Violation"
NAME_PART = "message UninterpretedOption.NamePart"
FUTURE = "    optional int64 future_quota_value = 8;"
VALUE = "    int64 quota_value = 7;"
SUBJECT = "    string subject = 1;"
API = "    string api_service = 3;"
DIMENSIONS = "map<string, string> quota_dimensions = 6;"
IS_EXTENSION = "    required bool is_extension = 2;"
DONE = "  bool done = 3;"
ONEOF = "  oneof result {"
MOVED = 'moved from oneof "result" to oneof "outcome"'
SCOPES = "  string oauth_scopes = 1050;"
SIGNATURE = "  repeated string method_signature = 1051;"
CTYPE = "[/*deprecated = true,*/ default = STRING]"
MULTIPLE = "java_multiple_files = 10 [default = false];"
PAGE_SIZE = "  int32 page_size = 2;"

CASES = [
    # Removed and added, by number.
    case("removed", DETAILS, swap(DETAILS, FUTURE, ""),
         (B, f'{QUOTA}: field 8 "future_quota_value" removed')),
    case("added", DETAILS, swap(DETAILS, VALUE, f"{VALUE}\n    string region = 9;"),
         (N, f'{QUOTA}: field 9 "region" added')),
    case("renamed", OPS, swap(OPS, DONE, "  bool finished = 3;"),
         (B, 'message Operation: field 3 renamed "done" → "finished"')),
    case("comment rewritten", OPS, swap(OPS, "// If the value is `false`,", "// When `false`,")),
    case("renumbered", OPS, swap(OPS, DONE, "  bool done = 6;"),
         (B, 'message Operation: field "done" changed number 3 → 6')),
    case("reordered", OPS,
         edit(OPS, ("  string name = 4;\n", ""), (PAGE_SIZE, f"{PAGE_SIZE}\n  string name = 4;"))),
    # Type and label.
    case("type changed", DETAILS, swap(DETAILS, VALUE, "    double quota_value = 7;"),
         (B, f'{QUOTA}: field 7 "quota_value" changed type int64 → double')),
    case("deprecated", DETAILS, swap(DETAILS, VALUE, VALUE[:-1] + " [deprecated = true];"),
         (N, f'{QUOTA}: field 7 "quota_value" option deprecated set to true')),
    case("made repeated", DETAILS, swap(DETAILS, SUBJECT, "    repeated string subject = 1;"),
         (B, f'{QUOTA}: field 1 "subject" changed label singular → repeated')),
    case("lost explicit presence", DETAILS, swap(DETAILS, FUTURE, FUTURE.replace("optional ", "")),
         (B, f'{QUOTA}: field 8 "future_quota_value" changed label optional → singular')),
    case("map made a list", DETAILS,
         swap(DETAILS, DIMENSIONS, "repeated string quota_dimensions = 6;"),
         (B, f'{QUOTA}: field 6 "quota_dimensions" changed type map<string, string> → string'),
         (B, f'{QUOTA}: field 6 "quota_dimensions" changed label map → repeated')),
    case("map respaced", DETAILS,
         swap(DETAILS, DIMENSIONS, "map< string,string > quota_dimensions = 6;")),
    case("required made optional", DESCRIPTOR,
         swap(DESCRIPTOR, IS_EXTENSION, IS_EXTENSION.replace("required", "optional")),
         (B, f'{NAME_PART}: field 2 "is_extension" changed label required → optional')),
    case("required added", DESCRIPTOR,
         swap(DESCRIPTOR, IS_EXTENSION, f"{IS_EXTENSION}\n    required int32 weight = 3;"),
         (B, f'{NAME_PART}: required field 3 "weight" added')),
    case("optional added in proto2", DESCRIPTOR,
         swap(DESCRIPTOR, IS_EXTENSION, f"{IS_EXTENSION}\n    optional int32 weight = 3;"),
         (N, f'{NAME_PART}: field 3 "weight" added')),
    # Oneof membership.
    case("moved into a oneof", OPS, edit(OPS, (DONE, ""), (ONEOF, f"{ONEOF}\n    bool done = 3;")),
         (B, 'message Operation: field 3 "done" moved into oneof "result"')),
    case("added to a oneof", OPS, swap(OPS, ONEOF, f"{ONEOF}\n    int32 code = 6;"),
         (N, 'message Operation: field 6 "code" added')),
    case("oneof renamed", OPS, swap(OPS, ONEOF, "  oneof outcome {"),
         (B, f'message Operation: field 4 "error" {MOVED}'),
         (B, f'message Operation: field 5 "response" {MOVED}'),
         (B, 'message Operation: oneof "result" removed'),
         (N, 'message Operation: oneof "outcome" added')),
    case("oneof added", OPS,
         swap(OPS, DONE, f"{DONE}\n  oneof owner {{ string user = 6; string team = 7; }}"),
         (N, 'message Operation: field 6 "user" added'),
         (N, 'message Operation: field 7 "team" added'),
         (N, 'message Operation: oneof "owner" added')),
    # JSON names: the written option, or the name's lowerCamelCase.
    case("json_name changed", DETAILS, swap(DETAILS, API, API[:-1] + ' [json_name = "service"];'),
         (B, f'{QUOTA}: field 3 "api_service" changed json_name "apiService" → "service"')),
    case("json_name as its default", DETAILS,
         swap(DETAILS, API, API[:-1] + ' [json_name = "apiService"];')),
    case("renamed keeping its json_name", DETAILS,
         swap(DETAILS, API, '    string service = 3 [json_name = "apiService"];'),
         (B, f'{QUOTA}: field 3 renamed "api_service" → "service"')),
    # Options that change generated code.
    case("jstype changed", DETAILS, swap(DETAILS, VALUE, VALUE[:-1] + " [jstype = JS_STRING];"),
         (B, f'{QUOTA}: field 7 "quota_value" option jstype changed JS_NORMAL → JS_STRING')),
    case("jstype as its default", DETAILS,
         swap(DETAILS, VALUE, VALUE[:-1] + " [jstype = JS_NORMAL];")),
    case("default changed", DESCRIPTOR, swap(DESCRIPTOR, CTYPE, "[default = CORD]"),
         (B, 'message FieldOptions: field 1 "ctype" option default changed STRING → CORD')),
    case("zero default dropped", DESCRIPTOR,
         swap(DESCRIPTOR, MULTIPLE, "java_multiple_files = 10;")),
    # Extensions, by extend block and number.
    case("extension removed", CLIENT, swap(CLIENT, SCOPES, ""),
         (B, 'extend google.protobuf.ServiceOptions: field 1050 "oauth_scopes" removed')),
    case("extension added", CLIENT, swap(CLIENT, SCOPES, f"{SCOPES}\n  string region = 1052;"),
         (N, 'extend google.protobuf.ServiceOptions: field 1052 "region" added')),
    case("extension made singular", CLIENT,
         swap(CLIENT, SIGNATURE, "  string method_signature = 1051;"),
         (B, 'extend google.protobuf.MethodOptions: field 1051 "method_signature" changed label'
             " repeated → singular")),
]  # fmt: skip


@pytest.mark.parametrize(("before", "after", "expected"), CASES)
def test_field_edit(before: str, after: str, expected: list[tuple[str, str]]) -> None:
    assert compare_text(before, after) == expected
