"""An interface's files assessed together: touches from the detector, severity from the parser."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from bot.core.blast import classify_interface
from bot.core.config import Interface
from bot.core.interfaces import openapi, openapi_load
from bot.core.interfaces.openapi_document import UnusableDocumentError
from bot.core.models import FileChange, FileVersions, Touch
from bot.core.severity import BREAKING, NON_BREAKING

CONTRACTS = Path(__file__).parent.parent.parent / "fixtures" / "contracts"


def _touch(
    kind: str, paths: tuple[str, ...], changes: dict[str, FileVersions | None]
) -> Touch | None:
    files = [FileChange(path, status=_status(v), added_lines=("x",)) for path, v in changes.items()]
    contents = {path: v for path, v in changes.items() if v is not None}
    return classify_interface(files, Interface(id="api", kind=kind, paths=paths), contents)


def _status(versions: FileVersions | None) -> str:
    if versions is not None and versions.before is None:
        return "added"
    if versions is not None and versions.after is None:
        return "removed"
    return "modified"


def test_a_schema_split_over_files_is_compared_as_one() -> None:
    # Query lives in one file, the type it returns in another: only merged do they build.
    query = "type Query { user(id: ID!): User }\n"
    user_before = "type User { id: ID! name: String }\n"
    user_after = "type User { id: ID! name: String email: String }\n"
    touch = _touch(
        "graphql",
        ("schema/**",),
        {
            "schema/query.graphql": FileVersions(query, query),
            "schema/user.graphql": FileVersions(user_before, user_after),
        },
    )

    assert touch is not None and touch.files == ("schema/user.graphql",)
    assert [(c.path, c.severity) for c in touch.changes] == [("schema/user.graphql", NON_BREAKING)]
    assert "email" in touch.changes[0].what


def test_removing_a_public_function_is_breaking_and_adding_an_option_is_not() -> None:
    before = "def pay(amount):\n    pass\n\ndef refund(order):\n    pass\n"
    after = "def pay(amount, currency='EUR'):\n    pass\n"
    touch = _touch("python", ("api.py",), {"api.py": FileVersions(before, after)})

    assert touch is not None
    severities = {c.severity for c in touch.changes}
    assert severities == {BREAKING, NON_BREAKING}
    assert any("refund" in c.what and c.severity == BREAKING for c in touch.changes)


def test_an_added_nullable_column_is_non_breaking_and_a_drop_is_breaking() -> None:
    add = "ALTER TABLE orders ADD COLUMN note text;\n"
    drop = "ALTER TABLE orders DROP COLUMN amount;\n"
    added = _touch("sql", ("db/**",), {"db/0002_note.sql": FileVersions(None, add)})
    dropped = _touch("sql", ("db/**",), {"db/0003_drop.sql": FileVersions(None, drop)})

    assert added is not None and {c.severity for c in added.changes} == {NON_BREAKING}
    assert dropped is not None and {c.severity for c in dropped.changes} == {BREAKING}
    assert "amount" in dropped.changes[0].what


def test_a_comment_only_proto_change_does_not_touch_the_interface() -> None:
    before = 'syntax = "proto3";\nmessage Order { int64 amount = 1; }\n'
    after = 'syntax = "proto3";\n// The amount in cents.\nmessage Order { int64 amount = 1; }\n'

    assert _touch("protobuf", ("*.proto",), {"o.proto": FileVersions(before, after)}) is None


def test_what_cannot_be_compared_is_breaking_with_the_reason() -> None:
    broken = _touch("protobuf", ("*.proto",), {"o.proto": FileVersions("message {", "message {{")})
    unread = _touch("protobuf", ("*.proto",), {"o.proto": None})
    generic = _touch("generic", ("*.json",), {"e.json": FileVersions("{}", '{"a": 1}')})

    assert broken is not None and broken.reasons[0].code == "unparsable"
    assert broken.changes and {c.severity for c in broken.changes} == {BREAKING}
    assert unread is not None and [c.severity for c in unread.changes] == [BREAKING]
    assert "not available" in unread.changes[0].what
    assert generic is not None and [c.severity for c in generic.changes] == [BREAKING]


def test_a_real_release_pair_lists_each_change_within_the_reason_cap() -> None:
    folder = CONTRACTS / "graphql"
    old = (folder / "github-15.25.0.graphql").read_text()
    new = (folder / "github-15.26.0.graphql").read_text()
    touch = _touch("graphql", ("*.graphql",), {"schema.graphql": FileVersions(old, new)})

    assert touch is not None and len(touch.changes) > 21
    assert len(touch.reasons) == 21 and touch.reasons[-1].message.endswith("more change(s)")
    assert {c.severity for c in touch.changes} == {BREAKING, NON_BREAKING}


def test_a_side_that_could_not_be_read_is_not_an_addition() -> None:
    # GitHub gives no text for a large base: every element would read as added.
    proto = 'syntax = "proto3";\nmessage Order { int64 amount = 1; }\n'
    files = [FileChange("o.proto", status="modified", added_lines=("x",))]
    interface = Interface(id="api", kind="protobuf", paths=("*.proto",))
    touch = classify_interface(files, interface, {"o.proto": FileVersions(None, proto)})

    assert touch is not None and touch.reasons[0].code == "unparsable"
    assert {c.severity for c in touch.changes} == {BREAKING}


def test_a_detector_that_cannot_read_a_side_makes_its_changes_breaking(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # The comparator reads the after side and calls the change additive; the touch detector
    # cannot read it, so whatever the comparator made of it, the change is breaking.
    before = '{"openapi": "3.0.0", "paths": {}}'
    after = json.dumps({"openapi": "3.0.0", "paths": {"/orders": {"get": {"responses": {}}}}})

    def detector_reads(text: str | None) -> object:
        if text == after:
            raise UnusableDocumentError("is not what the detector reads")
        return openapi_load.read_document(text)

    monkeypatch.setattr(openapi, "read_document", detector_reads)
    touch = _touch("openapi", ("*.json",), {"api.json": FileVersions(before, after)})

    assert touch is not None and any(r.code == "unparsable" for r in touch.reasons)
    assert {c.severity for c in touch.changes} == {BREAKING}


def test_the_detector_and_the_comparator_read_json_alike() -> None:
    # A 2000-character key is past what the YAML reader takes as a key, not past JSON's: both
    # sides go through one loader, so the detector reads the path the comparator rates.
    key = "x" * 2000
    before = '{"openapi": "3.0.0", "paths": {}}'
    after = json.dumps({"openapi": "3.0.0", "paths": {f"/{key}": {"get": {"responses": {}}}}})
    touch = _touch("openapi", ("*.json",), {"api.json": FileVersions(before, after)})

    assert touch is not None and [r.code for r in touch.reasons] == ["interface"]
    assert [(c.severity, c.what) for c in touch.changes] == [(NON_BREAKING, f"path /{key} added")]


def test_a_parser_bug_fails_closed(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from bot.core.interfaces import registry

    def broken(before: object, after: object) -> tuple[()]:
        raise IndexError("parser bug")

    detector = registry.detector_for("sql")
    monkeypatch.setitem(registry._DETECTORS, "sql", replace(detector, compare=broken))
    touch = _touch("sql", ("db/**",), {"db/1.sql": FileVersions(None, "CREATE TABLE t (a int);")})

    assert touch is not None and touch.reasons[0].code == "unparsable"
    assert "IndexError" in touch.reasons[0].message
    assert {c.severity for c in touch.changes} == {BREAKING}


def test_a_file_moved_out_of_the_interface_is_a_breaking_touch() -> None:
    text = "type Query { a: Int }\n"
    moved = FileChange("old/schema.graphql", status="renamed", previous_path="api/schema.graphql")
    interface = Interface(id="api", kind="graphql", paths=("api/**",))
    touch = classify_interface([moved], interface, {moved.path: FileVersions(text, text)})

    assert touch is not None and touch.files == ("old/schema.graphql",)
    assert [c.severity for c in touch.changes] == [BREAKING]
    assert "moved out" in touch.changes[0].what
    assert all(r.code != "interface-unchanged" for r in touch.reasons)


def test_a_file_moved_within_the_interface_is_rated_by_its_contents() -> None:
    text = "type Query { a: Int }\n"
    moved = FileChange("api/v2.graphql", status="renamed", previous_path="api/v1.graphql")
    interface = Interface(id="api", kind="graphql", paths=("api/**",))

    assert classify_interface([moved], interface, {moved.path: FileVersions(text, text)}) is None


def test_a_change_no_rule_reads_is_breaking_and_a_comment_is_nothing() -> None:
    before = "type Query { user: String }\n"
    directive = "type Query { user: String @auth(requires: ADMIN) }\n"
    commented = '"""The root."""\n# queries\ntype Query {\n  user: String\n}\n'
    unread = _touch("graphql", ("*.graphql",), {"s.graphql": FileVersions(before, directive)})
    quiet = _touch("graphql", ("*.graphql",), {"s.graphql": FileVersions(before, commented)})

    assert unread is not None and [c.severity for c in unread.changes] == [BREAKING]
    assert "no severity rule reads" in unread.changes[0].what
    assert quiet is None
