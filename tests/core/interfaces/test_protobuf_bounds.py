"""Protobuf sides that cannot be compared fail closed, within bounded time and stack."""

from __future__ import annotations

import random
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.interfaces.protobuf import compare_protobuf
from bot.core.interfaces.protobuf_syntax import MAX_NESTING, nesting_depth
from bot.core.severity import ContractParseError, InterfaceChange
from tests.core.interfaces.proto_sources import OPS, B, N, compare_text

PATH = "api/v1/service.proto"


def _refusal(before: str | None, after: str | None) -> ContractParseError:
    sides = (
        {PATH: before} if before is not None else {},
        {PATH: after} if after is not None else {},
    )
    with pytest.raises(ContractParseError) as caught:
        compare_protobuf(*sides)
    return caught.value


def _garbage(size: int) -> str:
    rng = random.Random(7)
    return bytes(rng.randrange(256) for _ in range(size)).decode("latin-1")


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ('syntax = "proto3";\nmessage { garbage', "does not parse (line 2:8: extraneous input '{'"),
        ("message A { int32 a = 1; }\n\x00\x01", "does not parse (line 2:0: token recognition"),
        ("message A { int32 a = 1; /* never closed", "does not parse (line 1:40"),
        ('message A { string a = 1 [default = "open]; }', "does not parse (line 1:36"),
        ("message A { int32 a = 0x10; }", "could not be read (invalid literal for int()"),
    ],
    ids=["syntax error", "control characters", "open comment", "open string", "hex field number"],
)
def test_a_side_that_does_not_parse_names_its_side(text: str, why: str) -> None:
    after = _refusal(OPS, text)
    assert (after.path, after.side) == (PATH, "after")
    assert after.why.startswith(why), after.why
    before = _refusal(text, OPS)
    assert (before.path, before.side, before.why) == (PATH, "before", after.why)


def test_a_removed_or_added_file_that_does_not_parse_is_refused_too() -> None:
    assert _refusal("message {", None).side == "before"
    assert _refusal(None, "message {").side == "after"


def test_binary_garbage_is_refused() -> None:
    assert _refusal(OPS, _garbage(4096)).why.startswith("does not parse")


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=0, max_value=len(OPS)),
    st.integers(min_value=0, max_value=40),
    st.text(alphabet=st.sampled_from("{}[]()<>;=,.\"'/*\n -09azAZ_"), max_size=12),
)
def test_a_mangled_file_is_compared_or_refused_never_crashes(at: int, cut: int, text: str) -> None:
    mangled = OPS[:at] + text + OPS[at + cut :]
    try:
        changes = compare_protobuf({PATH: OPS}, {PATH: mangled})
    except ContractParseError as err:
        assert err.side == "after"
    else:
        assert all(change.path == PATH for change in changes)


def test_the_same_unreadable_text_on_both_sides_is_no_change() -> None:
    garbage = _garbage(512)
    assert compare_protobuf({PATH: garbage}, {PATH: garbage}) == ()


def test_a_ten_megabyte_side_is_refused_quickly() -> None:
    huge = OPS * (10 * 1024 * 1024 // len(OPS) + 1)
    started = time.perf_counter()
    refusal = _refusal(OPS, huge)
    assert time.perf_counter() - started < 5
    assert refusal.why == "is larger than 512 KiB, too large to compare"


def test_deep_nesting_is_refused_without_recursing() -> None:
    deep = "message M { " * 5000 + "}" * 5000
    assert _refusal(OPS, deep).why == f"nests 5000 levels deep, more than {MAX_NESTING}"
    literal = "option (x) = " + "{a " * 5000 + "}" * 5000 + ";"
    assert _refusal(literal, OPS).why.startswith("nests 5000 levels")


def test_nesting_up_to_the_bound_is_compared() -> None:
    def nested(field: str) -> str:
        names = [f"M{level}" for level in range(MAX_NESTING)]
        return "".join(f"message {n} {{ " for n in names) + field + "}" * MAX_NESTING

    inner = ".".join(f"M{level}" for level in range(MAX_NESTING))
    changes = compare_text(nested(""), nested("int32 depth = 1;"))
    assert changes == [(N, f'message {inner}: field 1 "depth" added')]


def test_nesting_ignores_brackets_in_strings_and_comments() -> None:
    text = 'message A { string a = 1 [default = "{{{{"]; } // }}}} {{{{\n/* ((( */'
    assert nesting_depth(text) == 2


def test_types_from_imports_are_compared_by_their_written_names() -> None:
    before = (
        'syntax = "proto3";\nimport "acme/money.proto";\nmessage Order { acme.Money total = 1; }'
    )
    after = before.replace("acme.Money total", ".acme.v2.Money total")
    assert compare_protobuf({PATH: before}, {PATH: after}) == (
        InterfaceChange(
            PATH, B, 'message Order: field 1 "total" changed type acme.Money → .acme.v2.Money'
        ),
    )


PROTO2_GROUP = """syntax = "proto2";
message Search {
  repeated group Result = 1 {
    required string url = 2;
  }
}
"""


def test_proto2_groups_are_a_field_and_a_message() -> None:
    assert compare_text(PROTO2_GROUP, PROTO2_GROUP.replace("repeated group", "optional group")) == [
        (B, 'message Search: field 1 "result" changed label repeated → optional')
    ]
    grown = PROTO2_GROUP.replace("url = 2;", "url = 2;\n    optional string title = 3;")
    assert compare_text(PROTO2_GROUP, grown) == [
        (N, 'message Search.Result: field 3 "title" added')
    ]


EDITION = """edition = "2023";
package acme;
message Account {
  int32 balance = 1;
  repeated int32 history = 2;
}
"""


def test_editions_features_that_change_presence_break_and_encoding_does_not() -> None:
    implicit = EDITION.replace("balance = 1;", "balance = 1 [features.field_presence = IMPLICIT];")
    assert compare_text(EDITION, implicit) == [
        (B, 'message Account: field 1 "balance" option features.field_presence set to IMPLICIT')
    ]
    expanded = EDITION.replace(
        "history = 2;", "history = 2 [features.repeated_field_encoding = EXPANDED];"
    )
    assert compare_text(EDITION, expanded) == [
        (
            N,
            'message Account: field 2 "history" option features.repeated_field_encoding set to'
            " EXPANDED",
        )
    ]
