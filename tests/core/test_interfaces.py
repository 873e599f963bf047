"""Dispatch by interface kind: path-only kinds, fixtures, and properties shared by every kind."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.interfaces import InterfaceVerdict, classify_interface_change
from bot.core.interfaces.openapi_document import parse_contract
from bot.core.interfaces.python_api import parse_public_api
from bot.core.models import FileChange, FileVersions, Reason

FIXTURES = Path(__file__).parent.parent / "fixtures" / "interfaces"
KINDS = ("python", "openapi", "protobuf", "graphql", "sql", "generic")


@pytest.mark.parametrize(
    ("kind", "change", "message"),
    [
        (
            "generic",
            FileChange("contracts/events.json", status="added"),
            "generic: contracts/events.json changed (added)",
        ),
        (
            "generic",
            FileChange("contracts/old.json", status="removed"),
            "generic: contracts/old.json changed (removed)",
        ),
        (
            "generic",
            FileChange("contracts/user.json", status="renamed", previous_path="contracts/u.json"),
            "generic: contracts/user.json changed (renamed from contracts/u.json)",
        ),
        (
            "generic",
            FileChange("contracts/events.json", has_patch=False, binary=True),
            "generic: contracts/events.json changed",
        ),
        (
            "avro",
            FileChange("schemas/user.avsc"),
            "avro: schemas/user.avsc changed",
        ),
    ],
    ids=["added", "removed", "renamed", "generic binary", "unknown"],
)
def test_path_only_kinds_are_touched_by_any_change(
    kind: str, change: FileChange, message: str
) -> None:
    # Contents do not matter for these kinds, even when they are identical.
    verdict = classify_interface_change(kind, change, FileVersions("x", "x"))

    assert verdict == InterfaceVerdict(True, (Reason("interface", message),))


@pytest.mark.parametrize(
    ("kind", "path"),
    [("sql", "db/0042_add.sql"), ("protobuf", "proto/user.proto"), ("graphql", "s/user.graphql")],
)
def test_contract_kinds_parse_instead_of_matching_the_path(kind: str, path: str) -> None:
    # The same contents on both sides change no contract element.
    untouched = classify_interface_change(kind, FileChange(path), FileVersions("", ""))
    assert untouched.touched is False
    # Without contents, the changed lines that are more than comments decide.
    comment = FileChange(path, added_lines=("-- note",), removed_lines=())
    code = FileChange(path, added_lines=("x",), removed_lines=())
    assert classify_interface_change(kind, code, None).touched is True
    assert classify_interface_change(kind, comment, None).reasons[0].code == "interface-fallback"


@pytest.mark.parametrize("fixture", sorted(FIXTURES.iterdir()), ids=lambda path: path.name)
def test_every_fixture_parses(fixture: Path) -> None:
    text = fixture.read_text(encoding="utf-8")
    if fixture.name.endswith(".py.txt"):
        assert parse_public_api(text)
    else:
        assert parse_contract(text)


@settings(deadline=None, max_examples=300)
@given(
    kind=st.sampled_from(KINDS),
    added=st.lists(st.text(max_size=40), max_size=5),
    removed=st.lists(st.text(max_size=40), max_size=5),
    has_patch=st.booleans(),
)
def test_fallback_never_raises_and_always_explains(
    kind: str, added: list[str], removed: list[str], has_patch: bool
) -> None:
    change = FileChange(
        "src/any.file", added_lines=tuple(added), removed_lines=tuple(removed), has_patch=has_patch
    )
    verdict = classify_interface_change(kind, change, None)

    assert verdict.reasons
    assert verdict.touched == any(reason.code == "interface" for reason in verdict.reasons)
    if not has_patch:
        assert verdict.touched
