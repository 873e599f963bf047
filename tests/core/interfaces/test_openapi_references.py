"""References, allOf, components and whole files in the OpenAPI comparator.

Small documents written here isolate one mechanism each; the real documents are exercised in
``test_openapi_fixtures`` and ``test_openapi_rules``.
"""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from bot.core.interfaces.openapi_severity import compare_openapi
from bot.core.severity import ContractParseError
from tests.core.interfaces.openapi_material import B, N, compare

PET = {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}
WARNING = " (a warning: callers may receive a value they do not know)"


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def api(schemas: dict[str, Any], *, sent: Any = None, returned: Any = None) -> str:
    """A document whose POST /pets sends ``sent`` and returns ``returned``."""
    operation: dict[str, Any] = {"responses": {"200": {"description": "OK"}}}
    if sent is not None:
        operation["requestBody"] = {"content": {"application/json": {"schema": sent}}}
    if returned is not None:
        content = {"application/json": {"schema": returned}}
        operation["responses"]["200"]["content"] = content
    document = {
        "openapi": "3.0.3",
        "info": {"title": "Pets", "version": "1"},
        "paths": {"/pets": {"post": operation}},
        "components": {"schemas": schemas},
    }
    return yaml.safe_dump(document, sort_keys=False)


def with_property(schema: dict[str, Any], name: str, value: Any, required: bool = False) -> Any:
    changed = {**schema, "properties": {**schema["properties"], name: value}}
    if required:
        changed["required"] = [*schema.get("required", []), name]
    return changed


def without_property(schema: dict[str, Any], name: str) -> Any:
    properties = {k: v for k, v in schema["properties"].items() if k != name}
    return {**schema, "properties": properties}


ALL_OF = {"allOf": [ref("Base"), {"properties": {"name": {"type": "string"}}}]}
BASE = {"type": "object", "properties": {"id": {"type": "integer"}}}
RETURNED = "POST /pets: response 200 application/json:"

CASES = [
    (
        "properties moved into an allOf member",
        api({"Pet": PET}, returned=ref("Pet")),
        api(
            {"Pet": {"type": "object", "allOf": [{"properties": PET["properties"]}]}},
            returned=ref("Pet"),
        ),
        [],
    ),
    (
        "an inline allOf member dropped takes its properties",
        api(
            {"Pet": {"type": "object", "allOf": [{"properties": PET["properties"]}]}},
            returned=ref("Pet"),
        ),
        api({"Pet": {"type": "object"}}, returned=ref("Pet")),
        [(B, 'schema "Pet": property "id" removed'), (B, 'schema "Pet": property "name" removed')],
    ),
    (
        "a shared allOf member is compared once, as its own component",
        api({"Pet": ALL_OF, "Base": BASE}, returned=ref("Pet")),
        api(
            {"Pet": ALL_OF, "Base": with_property(BASE, "tag", {"type": "string"})},
            returned=ref("Pet"),
        ),
        [(N, 'schema "Base": property "tag" added')],
    ),
    (
        "an allOf reference dropped takes its properties",
        api({"Pet": ALL_OF, "Base": BASE}, returned=ref("Pet")),
        api({"Pet": {"allOf": ALL_OF["allOf"][1:]}, "Base": BASE}, returned=ref("Pet")),
        # Base brought the object type along with its property.
        [
            (B, 'schema "Pet": property "id" removed'),
            (B, 'schema "Pet": type changed object → any'),
        ],
    ),
    (
        "allOf members that refer to each other",
        api({"A": {"allOf": [ref("B")]}, "B": {"allOf": [ref("A"), PET]}}, sent=ref("A")),
        api(
            {
                "A": {"allOf": [ref("B")]},
                "B": {"allOf": [ref("A"), with_property(PET, "x", {}, True)]},
            },
            sent=ref("A"),
        ),
        [(B, 'schema "B": property "x" added as required')],
    ),
    (
        "a reference renamed to an identical schema",
        api({"Pet": PET}, returned=ref("Pet")),
        api({"Animal": PET}, returned=ref("Animal")),
        [
            (N, f'{RETURNED} now refers to "Animal" instead of "Pet"'),
            (N, 'schema "Animal" added'),
            (N, 'schema "Pet" removed'),
        ],
    ),
    (
        "a reference inlined",
        api({"Pet": PET}, returned=ref("Pet")),
        api({"Pet": PET}, returned=without_property(PET, "name")),
        [(B, f'{RETURNED} property "name" removed')],
    ),
    (
        "a remote reference kept",
        api({}, returned={"$ref": "common.yaml#/Pet"}),
        api({"Extra": PET}, returned={"$ref": "common.yaml#/Pet"}),
        [(N, 'schema "Extra" added')],
    ),
    (
        "a remote reference changed",
        api({}, returned={"$ref": "common.yaml#/Pet"}),
        api({}, returned={"$ref": "common.yaml#/Dog"}),
        [
            (
                B,
                f'{RETURNED} changed from "common.yaml#/Pet" to "common.yaml#/Dog",'
                " which cannot be compared",
            )
        ],
    ),
    (
        "a reference into a loop of references",
        api({"X": ref("Y"), "Y": ref("X")}, returned=ref("X")),
        api({"X": ref("Y"), "Y": ref("X")}, returned=PET),
        [(B, f'{RETURNED} changed from "X" to an inline schema, which cannot be compared')],
    ),
    (
        "a component used only in requests",
        api({"Pet": PET}, sent=ref("Pet")),
        api({"Pet": with_property(PET, "tag", {"type": "string"}, required=True)}, sent=ref("Pet")),
        [(B, 'schema "Pet": property "tag" added as required')],
    ),
    (
        "a component used only in responses",
        api({"Pet": PET}, returned=ref("Pet")),
        api(
            {"Pet": with_property(PET, "tag", {"type": "string"}, required=True)},
            returned=ref("Pet"),
        ),
        [(N, 'schema "Pet": property "tag" added as required')],
    ),
    (
        "an unused component is rated both ways",
        api({"Pet": PET}),
        api({"Pet": with_property(PET, "tag", {"type": "string"}, required=True)}),
        [(B, 'schema "Pet": property "tag" added as required')],
    ),
    (
        "an unused component removed from a file with paths",
        api({"Pet": PET}),
        api({}),
        [(N, 'schema "Pet" removed')],
    ),
    (
        "a oneOf of the same references leaves the change to the component",
        api({"Pet": PET, "Cat": PET}, returned={"oneOf": [ref("Pet"), ref("Cat")]}),
        api(
            {"Pet": without_property(PET, "id"), "Cat": PET},
            returned={"oneOf": [ref("Pet"), ref("Cat")]},
        ),
        [(B, 'schema "Pet": property "id" removed')],
    ),
    (
        "a reference with a keyword beside it (3.1)",
        api({"Pet": PET}, returned={"$ref": "#/components/schemas/Pet"}),
        api({"Pet": PET}, returned={"$ref": "#/components/schemas/Pet", "deprecated": True}),
        [(N, f"{RETURNED} deprecated set to true")],
    ),
]


@pytest.mark.parametrize(
    "before, after, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_references(before: str, after: str, expected: list[tuple[str, str]]) -> None:
    assert compare(before, after) == expected


LIBRARY = {"openapi": "3.0.3", "info": {"title": "Shared", "version": "1"}}


def library(schemas: dict[str, Any]) -> str:
    return yaml.safe_dump({**LIBRARY, "components": {"schemas": schemas}})


def test_a_component_library_is_rated_both_ways_and_may_not_lose_components() -> None:
    before = library({"Pet": PET, "Tag": PET})
    after = library({"Pet": with_property(PET, "tag", {"type": "string"})})
    assert compare(before, after) == [
        (N, 'schema "Pet": property "tag" added'),
        (B, 'schema "Tag" removed'),
    ]


def test_a_schema_file_is_compared_as_a_schema_read_both_ways() -> None:
    before, after = yaml.safe_dump(PET), yaml.safe_dump(without_property(PET, "name"))
    assert compare(before, after, path="schemas/pet.yaml") == [
        (B, 'schema: property "name" removed')
    ]


def test_swagger_2_is_compared_as_a_whole() -> None:
    before = yaml.safe_dump({"swagger": "2.0", "paths": {"/pets": {}}})
    after = yaml.safe_dump({"swagger": "2.0", "paths": {"/pets": {}, "/dogs": {}}})
    assert compare(before, before) == []
    what = 'a Swagger "2.0" document changed to a Swagger "2.0" document, compared as a whole'
    assert compare(before, after) == [(B, what)]
    migrated = api({"Pet": PET})
    assert compare(before, migrated)[0][0] == B


def test_each_file_is_compared_with_its_counterpart() -> None:
    pets, dogs = api({"Pet": PET}, returned=ref("Pet")), api({"Dog": PET}, sent=ref("Dog"))
    before = {"api/pets.yaml": pets, "api/dogs.yaml": dogs, "api/old.yaml": pets}
    after = {"api/pets.yaml": pets, "api/dogs.yaml": api({}, sent=PET), "api/new.yaml": dogs}
    changes = [(c.path, c.severity, c.what) for c in compare_openapi(before, after)]
    assert changes == [
        ("api/dogs.yaml", N, 'schema "Dog" removed'),
        ("api/new.yaml", N, "path /pets added"),
        ("api/new.yaml", N, 'schema "Dog" added'),
        ("api/old.yaml", B, "path /pets removed"),
        ("api/old.yaml", N, 'schema "Pet" removed'),
    ]


def test_an_added_or_removed_file_that_is_not_openapi() -> None:
    notes = "just: notes\n"
    assert compare_openapi({}, {"api/notes.yaml": notes})[0].severity == N
    assert compare_openapi({"api/notes.yaml": notes}, {})[0].severity == B


@pytest.mark.parametrize("side", ["before", "after"])
def test_an_unreadable_side_is_named(side: str) -> None:
    good, bad = api({"Pet": PET}), "openapi: [unclosed\n"
    sides = {"before": {"api.yaml": bad}, "after": {"api.yaml": good}}
    if side == "after":
        sides = {"before": {"api.yaml": good}, "after": {"api.yaml": bad}}
    with pytest.raises(ContractParseError) as caught:
        compare_openapi(sides["before"], sides["after"])
    assert (caught.value.path, caught.value.side) == ("api.yaml", side)
    assert "is not valid YAML or JSON" in caught.value.why
