"""GraphQL schema changes with their severity, on a part of GitHub's public schema."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest
from graphql import parse
from graphql.language import TypeDefinitionNode
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.interfaces import graphql_sdl
from bot.core.interfaces.graphql import compare_graphql
from bot.core.severity import ContractParseError, InterfaceChange

FIXTURES = Path(__file__).parents[2] / "fixtures" / "contracts" / "graphql"
OLD = (FIXTURES / "github-15.25.0.graphql").read_text(encoding="utf-8")
NEW = (FIXTURES / "github-15.26.0.graphql").read_text(encoding="utf-8")
PATH = "schema/github.graphql"


def _definitions(text: str, names: set[str]) -> str:
    """The named definitions of a schema, descriptions included, as they are written."""
    nodes = parse(text).definitions
    picked = [n for n in nodes if isinstance(n, TypeDefinitionNode) and n.name.value in names]
    return "\n\n".join(text[n.loc.start : n.loc.end] for n in picked if n.loc) + "\n"


# The rules are exercised on a few real definitions: the types they refer to and do not
# define stand in as they would for a schema file whose neighbours did not change.
BASE = _definitions(
    OLD, {"Query", "Issue", "IssueState", "IssueTimelineItems", "AbortQueuedMigrationsInput"}
)


def _edit(anchor: str, old: str, new: str, text: str = BASE) -> str:
    """Replace the first ``old`` after ``anchor``: names repeat across types."""
    start = text.index(anchor)
    at = text.index(old, start)
    return text[:at] + new + text[at + len(old) :]


def _cut(anchor: str, first: str, last: str) -> str:
    """Drop the text from ``first`` to ``last`` inclusive, the first such after ``anchor``."""
    start = BASE.index(first, BASE.index(anchor))
    return BASE[:start] + BASE[BASE.index(last, start) + len(last) :]


def _without(header: str, text: str = BASE) -> str:
    """Drop a whole definition, with the one-line description above it."""
    start = text.index(header)
    end = text.index("\n}\n", start) + 3
    above = text.rfind("\n", 0, start - 1) + 1
    if text[above:start].startswith('"""'):
        start = above
    return text[:start] + text[end:]


def _compare(after: str, before: str = BASE) -> list[tuple[str, str]]:
    return [(c.severity, c.what) for c in compare_graphql({PATH: before}, {PATH: after})]


BREAKING = "breaking"
SAFE = "non-breaking"
ISSUE = "type Issue implements"
QUERY = "type Query {"
ABORT = "input AbortQueuedMigrationsInput {"

# (id, mutated schema, expected changes); each edit is one rule of the comparison.
EDITS = [
    (
        "removed type",
        _without(ABORT),
        [(BREAKING, "TYPE_REMOVED: AbortQueuedMigrationsInput was removed")],
    ),
    (
        "added type",
        BASE + '\n"""Summary of the state of an issue\'s sub-issues"""\n'
        "type SubIssuesSummary {\n  completed: Int!\n  total: Int!\n}\n",
        [(SAFE, "TYPE_ADDED: SubIssuesSummary was added")],
    ),
    (
        "removed field",
        _cut(QUERY, '  """\n  Workaround for re-exposing', "  relay: Query!\n"),
        [(BREAKING, "FIELD_REMOVED: Field Query.relay was removed")],
    ),
    (
        "added field",
        _edit(ISSUE, "  body: String!\n", "  body: String!\n  viewerCanLabel: Boolean!\n"),
        [(SAFE, "FIELD_ADDED: Field Issue.viewerCanLabel was added")],
    ),
    (
        "changed field type",
        _edit(ISSUE, "  body: String!", "  body: Int!"),
        [(BREAKING, "FIELD_CHANGED_KIND: Field Issue.body changed type from String! to Int!")],
    ),
    (
        "output field made non-null",
        _edit(ISSUE, "  databaseId: Int\n", "  databaseId: Int!\n"),
        [(SAFE, "FIELD_CHANGED_KIND_SAFE: Field Issue.databaseId changed type from Int to Int!")],
    ),
    (
        "removed argument",
        _edit(
            QUERY, '    """The enterprise invitation token."""\n    invitationToken: String\n', ""
        ),
        [(BREAKING, "ARG_REMOVED: Argument Query.enterprise(invitationToken:) was removed")],
    ),
    (
        "nullable argument made non-null",
        _edit("  securityAdvisories(", "    first: Int\n", "    first: Int!\n"),
        [
            (
                BREAKING,
                "ARG_CHANGED_KIND: Argument Query.securityAdvisories(first:) has changed type"
                " from Int to Int!",
            )
        ],
    ),
    (
        "non-null argument made nullable",
        _edit(QUERY, "    slug: String!\n", "    slug: String\n"),
        [
            (
                SAFE,
                "ARG_CHANGED_KIND_SAFE: Argument Query.enterprise(slug:) has changed type"
                " from String! to String",
            )
        ],
    ),
    (
        "added required argument",
        _edit(QUERY, "    slug: String!\n", "    slug: String!\n    region: String!\n"),
        [(BREAKING, "REQUIRED_ARG_ADDED: A required argument Query.enterprise(region:) was added")],
    ),
    (
        "added optional argument",
        _edit(QUERY, "    slug: String!\n", "    slug: String!\n    region: String\n"),
        [
            (
                SAFE,
                "dangerous: OPTIONAL_ARG_ADDED: An optional argument Query.enterprise(region:)"
                " was added",
            )
        ],
    ),
    (
        "argument default changed",
        _edit(QUERY, "followRenames: Boolean = true", "followRenames: Boolean = false"),
        [
            (
                SAFE,
                "dangerous: ARG_DEFAULT_VALUE_CHANGE: Query.repository(followRenames:) has changed"
                " defaultValue from true to false",
            )
        ],
    ),
    (
        "removed enum value",
        _edit("enum IssueState {", '  """An issue that is still open"""\n  OPEN\n', ""),
        [(BREAKING, "VALUE_REMOVED_FROM_ENUM: Enum value IssueState.OPEN was removed")],
    ),
    (
        "added enum value",
        _edit("enum IssueState {", "  OPEN\n", "  OPEN\n  DUPLICATE\n"),
        [(SAFE, "dangerous: VALUE_ADDED_TO_ENUM: Enum value IssueState.DUPLICATE was added")],
    ),
    (
        "removed union member",
        _edit("union IssueTimelineItems", " | RemovedFromProjectEvent", ""),
        [
            (
                BREAKING,
                "TYPE_REMOVED_FROM_UNION: RemovedFromProjectEvent was removed from union type"
                " IssueTimelineItems",
            )
        ],
    ),
    (
        "added union member",
        _edit("union IssueTimelineItems", "AddedToProjectEvent |", "AddedToProjectEvent | Issue |"),
        [
            (
                SAFE,
                "dangerous: TYPE_ADDED_TO_UNION: Issue was added to union type IssueTimelineItems",
            )
        ],
    ),
    (
        "added required input field",
        _edit(
            ABORT, "  clientMutationId: String\n", "  clientMutationId: String\n  why: String!\n"
        ),
        [
            (
                BREAKING,
                "REQUIRED_INPUT_FIELD_ADDED: A required field AbortQueuedMigrationsInput.why"
                " was added",
            )
        ],
    ),
    (
        "type changed kind",
        _without("enum IssueState {") + "\nscalar IssueState\n",
        [(BREAKING, "TYPE_CHANGED_KIND: IssueState changed from an Enum type to a Scalar type")],
    ),
    (
        "description change",
        _edit(ISSUE, "Identifies the body of the issue.", "The issue's body."),
        [],
    ),
    ("comments and layout", "# GitHub schema\n\n" + BASE.replace("\n}\n", "\n}\n\n# --\n"), []),
    ("same text", BASE, []),
]


@pytest.mark.parametrize(("after", "expected"), [e[1:] for e in EDITS], ids=[e[0] for e in EDITS])
def test_each_rule_on_the_real_schema(after: str, expected: list[tuple[str, str]]) -> None:
    assert _compare(after) == expected


def test_real_consecutive_releases() -> None:
    changes = compare_graphql({PATH: OLD}, {PATH: NEW})
    kinds = Counter((c.severity, c.what.removeprefix("dangerous: ").split(":")[0]) for c in changes)
    assert kinds == Counter(
        {
            (SAFE, "FIELD_ADDED"): 44,
            (SAFE, "TYPE_ADDED"): 34,
            (SAFE, "VALUE_ADDED_TO_ENUM"): 19,
            (SAFE, "TYPE_ADDED_TO_UNION"): 10,
            (SAFE, "OPTIONAL_ARG_ADDED"): 9,
            (SAFE, "OPTIONAL_INPUT_FIELD_ADDED"): 8,
            (BREAKING, "TYPE_REMOVED"): 4,
            (BREAKING, "FIELD_REMOVED"): 4,
            (SAFE, "IMPLEMENTED_INTERFACE_ADDED"): 3,
            (BREAKING, "IMPLEMENTED_INTERFACE_REMOVED"): 2,
            (BREAKING, "TYPE_CHANGED_KIND"): 1,
        }
    )
    whats = {c.what for c in changes}
    assert "FIELD_REMOVED: Field Mutation.markNotificationAsDone was removed" in whats
    assert (
        "TYPE_CHANGED_KIND: AnnouncementBanner changed from an Interface type to an Object type"
    ) in whats
    assert "dangerous: VALUE_ADDED_TO_ENUM: Enum value IssueState.DUPLICATE was added" not in whats
    assert list(changes) == sorted(changes, key=lambda c: c.path) and changes == compare_graphql(
        {PATH: OLD}, {PATH: NEW}
    )


def test_releases_reversed_turn_additions_into_breaking_removals() -> None:
    changes = compare_graphql({PATH: NEW}, {PATH: OLD})
    assert InterfaceChange(PATH, BREAKING, "TYPE_REMOVED: SubIssuesSummary was removed") in changes
    assert (
        InterfaceChange(PATH, SAFE, "FIELD_ADDED: Field Mutation.markNotificationAsDone was added")
        in changes
    )


# A schema split over files: the definitions before Issue, and the rest.
CUT = BASE.index('"""\nAn Issue is a place')
HEAD, TAIL = BASE[:CUT], BASE[CUT:]
SPLIT = {"schema/a.graphql": HEAD, "schema/b.graphql": TAIL}


def test_split_schema_is_the_same_schema() -> None:
    assert compare_graphql({PATH: BASE}, SPLIT) == ()
    assert compare_graphql(SPLIT, {"schema/b.graphql": TAIL, "schema/a.graphql": HEAD}) == ()


def test_change_path_is_the_file_declaring_the_element() -> None:
    after = {**SPLIT, "schema/b.graphql": _edit(ISSUE, "  body: String!", "  body: Int!", TAIL)}
    after["schema/a.graphql"] = _without(ABORT, HEAD)
    assert [(c.path, c.severity) for c in compare_graphql(SPLIT, after)] == [
        ("schema/a.graphql", BREAKING),  # the removed input, found on the before side
        ("schema/b.graphql", BREAKING),
    ]


def test_type_extension_in_another_file() -> None:
    extension = "extend type Issue {\n  viewerCanLabel: Boolean!\n}\n"
    after = {**SPLIT, "schema/extensions.graphql": extension}
    assert compare_graphql(SPLIT, after) == (
        InterfaceChange(
            "schema/extensions.graphql", SAFE, "FIELD_ADDED: Field Issue.viewerCanLabel was added"
        ),
    )
    removed = compare_graphql(after, SPLIT)
    assert [(c.path, c.severity) for c in removed] == [("schema/extensions.graphql", BREAKING)]


def test_added_and_removed_files() -> None:
    assert compare_graphql({}, {}) == ()
    added = compare_graphql({}, {"s.graphql": "type Query { a: Int }"})
    assert [c.what for c in added] == [
        "ROOT_TYPE_ADDED: query root type Query was added",
        "TYPE_ADDED: Query was added",
    ]
    removed = compare_graphql({"s.graphql": "type Query { a: Int }"}, {})
    assert [(c.path, c.severity) for c in removed] == [("s.graphql", BREAKING)] * 2


def test_root_operation_types() -> None:
    types = "type Query { a: Int }\ntype Mutation { b: Int }\n"
    before = {"s.graphql": "schema { query: Query mutation: Mutation }\n" + types}
    after = {"s.graphql": "schema { query: Query }\n" + types}
    assert _pairs(compare_graphql(before, after)) == [
        (BREAKING, "ROOT_TYPE_REMOVED: mutation root type Mutation was removed")
    ]
    assert _pairs(compare_graphql(after, before)) == [
        (SAFE, "ROOT_TYPE_ADDED: mutation root type Mutation was added")
    ]
    renamed = {"s.graphql": "schema { query: Mutation }\n" + types}
    assert (
        BREAKING,
        "ROOT_TYPE_CHANGED: query root type changed from Query to Mutation",
    ) in _pairs(compare_graphql(after, renamed))


def _pairs(changes: tuple[InterfaceChange, ...]) -> list[tuple[str, str]]:
    return [(c.severity, c.what) for c in changes]


def test_types_of_files_that_did_not_change_are_assumed() -> None:
    """Only the changed file of a larger schema: its unknown types stand for the others'."""
    before = {"issues.graphql": "extend type Query {\n  issue(id: ID!): Issue\n}\n"}
    after = {"issues.graphql": "extend type Query {\n  issue(id: ID!, org: Org!): Issue!\n}\n"}
    assert _pairs(compare_graphql(before, after)) == [
        (SAFE, "FIELD_CHANGED_KIND_SAFE: Field Query.issue changed type from Issue to Issue!"),
        (BREAKING, "REQUIRED_ARG_ADDED: A required argument Query.issue(org:) was added"),
    ]
    dropped = {"issues.graphql": "extend type Query {\n  a: Int\n}\n"}
    assert _pairs(compare_graphql(before, dropped)) == [
        (SAFE, "FIELD_ADDED: Field Query.a was added"),
        (BREAKING, "FIELD_REMOVED: Field Query.issue was removed"),
    ]


def test_standard_scalars_do_not_come_and_go() -> None:
    before = {"s.graphql": "type Query { a: Float b: Int }"}
    after = {"s.graphql": "type Query { b: Int }"}
    assert _pairs(compare_graphql(before, after)) == [
        (BREAKING, "FIELD_REMOVED: Field Query.a was removed")
    ]


def test_github_quirks_do_not_stop_the_comparison() -> None:
    """The published schema repeats a field and breaks graphql-core's deprecation rule."""
    assert NEW.count("  repositoryDeployKeySetting: EnterpriseEnabledDisabledSettingValue!") == 2
    assert compare_graphql({PATH: NEW}, {PATH: NEW}) == ()


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("type Query {", "does not parse as GraphQL SDL: Expected Name, found <EOF>."),
        ("\x00\x9f\x92binary", "does not parse as GraphQL SDL: Unexpected character"),
        ("type Query { a: Int }\ntype Query { b: Int }", "There can be only one type named"),
        ("type Query { a: Missing }", "Unknown type 'Missing'."),
        ("extend type Query { a: Int }\nscalar Query", "Cannot extend non-object type"),
        ("schema { query: Q }\nschema { query: Q }\ntype Q { a: Int }", "Must provide only one"),
        ("type Query { a: Int @deprecated(reason: 1) }", "is not a valid GraphQL schema"),
    ],
    ids=[
        "syntax",
        "binary",
        "duplicate type",
        "unknown type",
        "bad extension",
        "two schemas",
        "bad value",
    ],
)
def test_unusable_side_is_a_parse_error(text: str, why: str) -> None:
    good = {"s.graphql": "type Query { a: Int }\ntype Missing { b: Int }"}
    with pytest.raises(ContractParseError) as caught:
        compare_graphql(good, {"s.graphql": text})
    assert (caught.value.path, caught.value.side) == ("s.graphql", "after")
    assert why in caught.value.why
    with pytest.raises(ContractParseError) as caught:
        compare_graphql({"s.graphql": text}, good)
    assert caught.value.side == "before"


def test_blank_and_comment_only_files_declare_nothing() -> None:
    before = {"a.graphql": "type Query { a: Int }", "b.graphql": "# moved\n"}
    assert compare_graphql(before, {"a.graphql": "type Query { a: Int }", "b.graphql": ""}) == ()


@pytest.mark.parametrize(
    "text",
    [
        "type Query { a: " + "[" * 80 + "Int" + "]" * 80 + " }",
        "type Query { a(x: [Int] = " + "[" * 80 + "1" + "]" * 80 + "): Int }",
        "input I { a: I = " + "{a: " * 80 + "null" + "}" * 80 + " }",
        "type Query { a: " + "[" * 5000 + "Int" + "]" * 5000 + " }",
    ],
    ids=["list type", "list default", "object default", "beyond the parser"],
)
def test_deep_nesting_is_refused(text: str) -> None:
    with pytest.raises(ContractParseError) as caught:
        compare_graphql({"s.graphql": "type Query { a: Int }"}, {"s.graphql": text})
    assert "nest" in caught.value.why


def test_ten_megabytes_are_refused_in_bounded_time() -> None:
    huge = "type Query {\n" + "".join(f"  f{i}: Int\n" for i in range(800_000)) + "}\n"
    assert len(huge) > 10_000_000
    start = time.perf_counter()
    with pytest.raises(ContractParseError) as caught:
        compare_graphql({"s.graphql": "type Query { a: Int }"}, {"s.graphql": huge})
    assert time.perf_counter() - start < 5
    assert "more than the 4,000,000 read" in caught.value.why


def test_token_budget_spans_the_files_of_a_side(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(graphql_sdl, "MAX_SIDE_TOKENS", 30)
    fields = "".join(f"  f{i}: Int\n" for i in range(6))  # 18 tokens
    files = {"a.graphql": f"type Query {{\n{fields}}}", "b.graphql": f"type B {{\n{fields}}}"}
    with pytest.raises(ContractParseError) as caught:
        compare_graphql({}, files)
    assert caught.value.path == "b.graphql"
    assert "tokens" in caught.value.why


def test_largest_fixture_compares_in_bounded_time() -> None:
    start = time.perf_counter()
    compare_graphql({PATH: OLD}, {PATH: NEW})
    assert time.perf_counter() - start < 5


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_any_damage_is_a_result_or_a_parse_error(data: st.DataObject) -> None:
    """Cut a random span out of the real schema, or splice in random text: never a crash."""
    start = data.draw(st.integers(0, len(BASE)))
    end = data.draw(st.integers(start, min(len(BASE), start + 400)))
    splice = data.draw(st.text(alphabet='{}[]()!:=@|&"#\n Int_aZ$\x00', max_size=12))
    damaged = BASE[:start] + splice + BASE[end:]
    try:
        changes = compare_graphql({PATH: BASE}, {PATH: damaged})
    except ContractParseError as err:
        assert err.side == "after"
    else:
        assert all(change.path == PATH for change in changes)
