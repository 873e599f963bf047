"""Contract detection for openapi interfaces: paths and components compared, prose ignored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.interfaces import InterfaceVerdict, classify_interface_change
from bot.core.models import FileChange, FileVersions, Reason

FIXTURES = Path(__file__).parent.parent / "fixtures" / "interfaces"
BASE = (FIXTURES / "petstore.yaml").read_text(encoding="utf-8")
PATH = "openapi/api.yaml"
UNCHANGED = (Reason("interface-unchanged", f"{PATH}: paths and components unchanged"),)


def _edit(old: str, new: str) -> str:
    assert old in BASE, old
    return BASE.replace(old, new, 1)


def _classify(before: str | None, after: str | None, path: str = PATH) -> InterfaceVerdict:
    change = FileChange(path=path)
    return classify_interface_change("openapi", change, FileVersions(before, after))


def _touch(*messages: str) -> tuple[Reason, ...]:
    return tuple(Reason("interface", f"{PATH}: {message}") for message in messages)


ORDERS = """
  /orders:
    post:
      operationId: createOrder
      responses:
        "201":
          description: Created
components:"""

# (id, old text, new text, expected reasons); the fixture is edited by plain replacement.
EDITS = [
    ("new path", "\ncomponents:", ORDERS, _touch("path /orders added")),
    (
        "changed operation parameter",
        "maximum: 100\n",
        "maximum: 500\n",
        _touch("operation GET /pets changed"),
    ),
    (
        "parameter made required",
        "required: false",
        "required: true",
        _touch("operation GET /pets changed"),
    ),
    (
        "operation removed",
        "    post:\n      summary: Create a pet",
        "    put:\n      summary: Create a pet",
        _touch("operation POST /pets removed", "operation PUT /pets added"),
    ),
    (
        "shared path parameter added",
        "  /pets/{petId}:\n",
        "  /pets/{petId}:\n    parameters:\n      - {name: trace, in: header}\n",
        _touch("path /pets/{petId} changed"),
    ),
    (
        "component schema changed",
        "        tag:\n          type: string",
        "        tag:\n          type: integer",
        _touch("component schemas.Pet changed"),
    ),
    (
        "component schema added",
        "    Error:\n",
        "    Owner: {type: object}\n    Error:\n",
        _touch("component schemas.Owner added"),
    ),
    (
        "property named description added",
        "        tag:\n",
        "        description:\n          type: string\n        tag:\n",
        _touch("component schemas.Pet changed"),
    ),
    (
        "security scheme added",
        "components:\n",
        "components:\n  securitySchemes:\n    key: {type: apiKey, name: k, in: header}\n",
        _touch("component securitySchemes.key added"),
    ),
    (
        "global security added",
        "servers:\n",
        "security:\n  - key: []\nservers:\n",
        _touch("security changed"),
    ),
    ("info.version only", "version: 1.0.0", "version: 1.1.0", UNCHANGED),
    ("info.title only", "title: Swagger Petstore", "title: Petstore", UNCHANGED),
    (
        "parameter description only",
        "(max 100)",
        "(at most 100)",
        UNCHANGED,
    ),
    ("operation summary only", "List all pets", "List the pets", UNCHANGED),
    ("response description only", "Null response", "Created", UNCHANGED),
    ("schema example only", "example: doggie", "example: kitty", UNCHANGED),
    ("extension only", "x-internal-owner: pets-team", "x-internal-owner: zoo", UNCHANGED),
    ("servers only", "petstore.example.com", "pets.example.com", UNCHANGED),
    ("comment added", "paths:\n", "# Every path is public.\npaths:\n", UNCHANGED),
]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [case[1:] for case in EDITS],
    ids=[case[0] for case in EDITS],
)
def test_fixture_edits(old: str, new: str, expected: tuple[Reason, ...]) -> None:
    verdict = _classify(BASE, _edit(old, new))

    assert verdict.reasons == expected
    assert verdict.touched == (expected != UNCHANGED)


def test_json_document_compares_like_yaml() -> None:
    document = yaml.safe_load(BASE)
    before = json.dumps(document, indent=2)
    document["paths"]["/pets"]["get"]["parameters"][0]["in"] = "header"
    document["info"]["description"] = "Now in JSON."

    verdict = _classify(before, json.dumps(document), path=PATH)

    assert verdict.reasons == _touch("operation GET /pets changed")


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (None, "paths:\n  /a: {get: {}}\n", _touch("path /a added")),
        ("paths:\n  /a: {get: {}}\n", None, _touch("path /a removed")),
        (None, "info: {title: x}\n", UNCHANGED),
        ("", "", UNCHANGED),
        (
            "swagger: '2.0'\ndefinitions:\n  Pet: {type: object}\n",
            "swagger: '2.0'\ndefinitions:\n  Pet: {type: string}\n",
            _touch("definition Pet changed"),
        ),
        (
            "webhooks:\n  newPet: {post: {}}\n",
            "webhooks:\n  newPet: {post: {requestBody: {}}}\n",
            _touch("operation POST webhook newPet changed"),
        ),
        ("paths: 1\n", "paths: 2\n", _touch("paths changed")),
        ("paths:\n  200: {get: {}}\n", "paths:\n  200: {}\n", _touch("operation GET 200 removed")),
        ("default: .nan\n", "default: .nan\n", UNCHANGED),
    ],
    ids=[
        "file added",
        "file removed",
        "file added without paths",
        "empty",
        "swagger 2",
        "webhook",
        "paths not a mapping",
        "non-string path key",
        "NaN equals itself",
    ],
)
def test_small_documents(
    before: str | None, after: str | None, expected: tuple[Reason, ...]
) -> None:
    assert _classify(before, after).reasons == expected


BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 10)}]\n" for i in range(8)
)


@pytest.mark.parametrize(
    ("after", "why"),
    [
        (
            "paths: [unclosed\n",
            "the after version is not valid YAML or JSON "
            "(line 2: expected ',' or ']', but got '<stream end>')",
        ),
        ("- just\n- a list\n", "the after version is not a YAML or JSON mapping"),
        ("when: 2021-02-30\n", "the after version is not usable YAML (ValueError)"),
        ("a: &x [*x]\n", "the after version refers to itself through an alias"),
        (BOMB, "the after version expands to too many nodes through aliases"),
        ("a: " + "[" * 2000 + "]" * 2000, "the after version is not usable YAML (RecursionError)"),
    ],
    ids=["invalid", "not a mapping", "impossible date", "recursive alias", "alias bomb", "deep"],
)
def test_unusable_text_touches_the_interface(after: str, why: str) -> None:
    # Only a comment changed as far as the lines show: the document itself must decide.
    change = FileChange(path=PATH, added_lines=("# Pets API",))
    verdict = classify_interface_change("openapi", change, FileVersions(BASE, after))

    assert verdict == InterfaceVerdict(
        True, (Reason("unparsable", f"{PATH}: {why}; it counts as touching the interface"),)
    )


def test_unusable_base_touches_the_interface() -> None:
    verdict = _classify("paths: {", BASE)

    assert verdict.touched
    assert [r.code for r in verdict.reasons] == ["unparsable"]
    assert verdict.reasons[0].message.startswith(
        f"{PATH}: the before version is not valid YAML or JSON (line 1: "
    )


def test_same_unusable_text_on_both_sides_is_unchanged() -> None:
    verdict = _classify("paths: {", "paths: {")

    assert verdict == InterfaceVerdict(
        False, (Reason("interface-unchanged", f"{PATH}: contents unchanged"),)
    )


@pytest.mark.parametrize(
    ("lines", "touched"),
    [
        (("    get:", "      operationId: listPets"), True),
        (("# A comment", "   ", ""), False),
        ((), False),
    ],
    ids=["contract lines", "comments and blanks", "nothing"],
)
def test_fallback_without_contents(lines: tuple[str, ...], touched: bool) -> None:
    change = FileChange(path=PATH, added_lines=lines)
    verdict = classify_interface_change("openapi", change, None)

    assert verdict.touched is touched
    assert verdict.reasons[0] == Reason(
        "interface-fallback",
        f"{PATH}: before/after contents were not available; decided from the changed lines",
    )


def test_fallback_without_patch_is_touched() -> None:
    change = FileChange(path=PATH, has_patch=False)

    assert classify_interface_change("openapi", change, None).touched


YAMLISH = st.lists(
    st.sampled_from(
        [
            "paths:",
            "  /a:",
            "    get: {}",
            "    parameters: [{name: x}]",
            "components:",
            "  schemas:",
            "    A: {type: object, description: d}",
            "description: x",
            "x-internal: 1",
            "- 1",
            "a: &x [*x]",
            "b: &y [1]",
            "c: *y",
            "d: 2021-02-30",
            "e: .nan",
            "{",
        ]
    )
    | st.text(max_size=30)
).map("\n".join)


@settings(deadline=None, max_examples=300)
@given(before=st.none() | st.text() | YAMLISH, after=st.none() | st.text() | YAMLISH)
def test_never_raises_on_arbitrary_text(before: str | None, after: str | None) -> None:
    change = FileChange(path=PATH, added_lines=tuple((after or "").splitlines()))
    verdict = classify_interface_change("openapi", change, FileVersions(before, after))

    assert verdict.reasons


@settings(deadline=None)
@given(text=st.text() | YAMLISH)
def test_identical_text_is_never_touched(text: str) -> None:
    assert not _classify(text, text).touched


def test_an_openapi_document_unreadable_on_both_sides_touches_the_interface() -> None:
    change = FileChange("openapi/api.yaml", added_lines=("  # note",))
    verdict = classify_interface_change("openapi", change, FileVersions(None, None))
    assert verdict.touched and [r.code for r in verdict.reasons] == ["unparsable"]
