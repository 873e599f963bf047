"""An interface's files assessed together: touches from the detector, severity from the parser."""

from __future__ import annotations

from pathlib import Path

from bot.core.blast import classify_interface
from bot.core.config import Interface
from bot.core.models import FileChange, FileVersions, Touch
from bot.core.severity import BREAKING, NON_BREAKING

CONTRACTS = Path(__file__).parent.parent.parent / "fixtures" / "contracts"


def _touch(
    kind: str, paths: tuple[str, ...], changes: dict[str, FileVersions | None]
) -> Touch | None:
    files = [FileChange(path, added_lines=("x",)) for path in changes]
    contents = {path: v for path, v in changes.items() if v is not None}
    return classify_interface(files, Interface(id="api", kind=kind, paths=paths), contents)


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
