"""The OpenAPI comparator fails closed and stays bounded on huge, deep, cyclic or broken input."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from bot.core.interfaces import openapi_load
from bot.core.interfaces.openapi_refs import Budget, Spec
from bot.core.interfaces.openapi_schema import Comparison, Level, compare_schema
from bot.core.interfaces.openapi_severity import compare_openapi
from bot.core.severity import ContractParseError
from tests.core.interfaces.openapi_material import B, N, compare

TEN_MB = 10_000_000
PROSE = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 4


def _item_schema(index: int) -> dict[str, Any]:
    fields = {
        f"field{j}": {"type": "string", "maxLength": 100, "description": PROSE} for j in range(20)
    }
    return {"type": "object", "description": PROSE, "properties": fields, "required": ["field0"]}


def _operation(index: int) -> dict[str, Any]:
    content = {"application/json": {"schema": {"$ref": f"#/components/schemas/Item{index % 500}"}}}
    return {
        "operationId": f"get-item-{index}",
        "description": PROSE,
        "parameters": [
            {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}},
            {"name": "q", "in": "query", "description": PROSE, "schema": {"type": "string"}},
        ],
        "responses": {"200": {"description": PROSE, "content": content}},
    }


def _big_document() -> dict[str, Any]:
    """A generated description of at least 10 MB: paths sharing 500 component schemas."""
    schemas = {f"Item{i}": _item_schema(i) for i in range(500)}
    document: dict[str, Any] = {"openapi": "3.0.3", "info": {"title": "Big", "version": "1"}}
    document["components"] = {"schemas": schemas}
    document["paths"] = {}
    index = 0
    while len(json.dumps(document)) < TEN_MB:
        for _ in range(500):
            document["paths"][f"/items{index}/{{id}}"] = {"get": _operation(index)}
            index += 1
    return document


def test_a_10_mb_document_compares_in_bounded_time() -> None:
    document = _big_document()
    before = json.dumps(document, indent=1)
    document["paths"].pop("/items7/{id}")
    document["components"]["schemas"]["Item3"]["properties"].pop("field5")
    document["paths"]["/items9/{id}"]["get"]["parameters"][1]["required"] = True
    after = json.dumps(document, indent=1)
    assert len(before) > TEN_MB
    started = time.perf_counter()
    found = compare(before, after)
    elapsed = time.perf_counter() - started
    assert found == [
        (B, "path /items7/{id} removed"),
        (B, 'GET /items9/{id}: parameter query "q" became required'),
        (B, 'schema "Item3": property "field5" removed'),
    ]
    assert elapsed < 5, f"{elapsed:.1f} s"


def test_a_10_mb_yaml_document_is_refused_quickly() -> None:
    text = "openapi: 3.0.3\npaths:\n" + "".join(
        f"  /p{i}:\n    get: {{}}\n" for i in range(500_000)
    )
    assert len(text) > TEN_MB
    started = time.perf_counter()
    with pytest.raises(ContractParseError, match="YAML larger than 1 MB"):
        compare_openapi({"api.yaml": "openapi: 3.0.3\n"}, {"api.yaml": text})
    assert time.perf_counter() - started < 1


def test_json_past_the_size_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(openapi_load, "MAX_JSON_CHARS", 1000)
    with pytest.raises(ContractParseError, match="larger than"):
        compare_openapi({}, {"api.json": json.dumps({"openapi": "3.0.3", "x": "y" * 2000})})


BILLION_LAUGHS = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{n}: &{n} [{', '.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)
)

UNREADABLE = [
    ("binary", "".join(map(chr, range(256))) * 40),
    ("JSON-looking binary", "{" + "".join(map(chr, range(1, 256))) * 40),
    ("a list", "[1, 2, 3]"),
    ("a scalar", "42"),
    ("deep JSON", '{"a":' * 100_000 + "1" + "}" * 100_000),
    ("deep YAML", "[" * 100_000 + "]" * 100_000),
    ("alias bomb", BILLION_LAUGHS),
]


@pytest.mark.parametrize("text", [t for _, t in UNREADABLE], ids=[n for n, _ in UNREADABLE])
def test_unreadable_input_raises_a_contract_parse_error(text: str) -> None:
    started = time.perf_counter()
    with pytest.raises(ContractParseError) as caught:
        compare_openapi({"api.yaml": "openapi: 3.0.3\n"}, {"api.yaml": text})
    assert caught.value.side == "after"
    assert time.perf_counter() - started < 5


def _nested(levels: int, leaf: str) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": leaf}
    for _ in range(levels):
        schema = {"type": "array", "items": schema}
    return schema


def _returning(schema: Any, schemas: dict[str, Any] | None = None) -> str:
    response = {"description": "OK", "content": {"application/json": {"schema": schema}}}
    document = {
        "openapi": "3.0.3",
        "paths": {"/deep": {"get": {"responses": {"200": response}}}},
        "components": {"schemas": schemas or {}},
    }
    return json.dumps(document)


def test_deep_nesting_is_compared_to_a_bound_then_reported() -> None:
    found = compare(_returning(_nested(120, "string")), _returning(_nested(120, "integer")))
    assert len(found) == 1
    assert found[0][0] == B
    assert found[0][1].endswith("changed, nested too deeply to compare")


def _diamond(prefix: str, levels: int, leaf: dict[str, Any]) -> dict[str, Any]:
    """Two schemas per level, each an allOf of both schemas of the next: 2**levels paths."""
    schemas: dict[str, Any] = {f"{prefix}S{levels}": leaf, f"{prefix}T{levels}": leaf}
    for level in range(levels):
        below = [{"$ref": f"#/components/schemas/{prefix}{n}{level + 1}"} for n in "ST"]
        schemas[f"{prefix}S{level}"] = {"allOf": below}
        schemas[f"{prefix}T{level}"] = {"allOf": below}
    return schemas


def test_a_diamond_of_allof_references_is_merged_once_per_schema() -> None:
    leaf = {"type": "object", "properties": {"x": {"type": "string"}}}
    grown = {"type": "object", "properties": {"x": {"type": "string"}, "y": {"type": "string"}}}
    before = _returning({"$ref": "#/components/schemas/OldS0"}, _diamond("Old", 40, leaf))
    after = _returning({"$ref": "#/components/schemas/NewS0"}, _diamond("New", 40, grown))
    started = time.perf_counter()
    found = compare(before, after)
    assert time.perf_counter() - started < 2
    response = "GET /deep: response 200 application/json:"
    assert (N, f'{response} property "y" added') in found
    assert (N, f'{response} now refers to "NewS0" instead of "OldS0"') in found


def test_a_long_chain_of_references_is_not_followed_to_its_end() -> None:
    chain = {f"C{i}": {"$ref": f"#/components/schemas/C{i + 1}"} for i in range(100)}
    chain["C100"] = {"type": "string"}
    before = _returning({"$ref": "#/components/schemas/C0"}, chain)
    after = _returning({"type": "integer"}, chain)
    [(severity, what)] = compare(before, after)
    assert severity == B
    assert what.endswith('changed from "C0" to an inline schema, which cannot be compared')


def test_an_exhausted_budget_reports_instead_of_comparing() -> None:
    cmp = Comparison(Spec({}), Spec({}), budget=Budget(remaining=3))
    notes = compare_schema(cmp, _nested(10, "string"), _nested(10, "integer"), Level("response"))
    assert [n.phrase for n in notes] == ["changed, in a document too large to compare in full"]


def test_the_same_text_on_both_sides_is_not_read() -> None:
    garbage = "".join(map(chr, range(256)))
    assert compare_openapi({"api.yaml": garbage}, {"api.yaml": garbage}) == ()


def test_an_empty_file_is_an_empty_document() -> None:
    api = _returning({"type": "string"})
    assert compare("", api) == [(N, "path /deep added")]
    assert compare(api, "") == [(B, "path /deep removed")]


ODD_YAML = """openapi: 3.0.3
paths:
  /x:
    get:
      parameters:
        - {name: 2020-01-01, in: query, schema: {type: string, format: {odd: 1}}}
      responses:
        200:
          description: OK
          content:
            application/json:
              schema: {type: object, properties: {1: {type: integer}}, required: [1]}
"""


def test_values_yaml_reads_oddly_are_still_compared() -> None:
    # Unquoted dates and numbers as names, a mapping where a format belongs.
    after = ODD_YAML.replace("format: {odd: 1}", "format: int64")
    assert compare(ODD_YAML, after.replace("required: [1]", "required: []")) == [
        (B, 'GET /x: parameter query "2020-01-01": format changed {"odd": 1} → "int64"'),
        (B, 'GET /x: response 200 application/json: property "1" became optional'),
    ]
