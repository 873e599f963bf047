"""A changed default value, rated per kind as each ecosystem's reference tool rates it.

docs/interface-severity.md explains the table this pins: Python defaults and GraphQL argument
defaults are non-breaking (graphql-core calls the latter dangerous, not breaking); a proto2
field default is breaking (buf's FIELD_SAME_DEFAULT); an OpenAPI request parameter's default is
breaking (oasdiff's request-parameter-default-value-changed, an error) while a body
property's is not; a SQL column default set is non-breaking and one dropped is breaking.
"""

from __future__ import annotations

import json

import pytest

from bot.core.interfaces.graphql import compare_graphql
from bot.core.interfaces.openapi_severity import compare_openapi
from bot.core.interfaces.protobuf import compare_protobuf
from bot.core.interfaces.python_severity import compare_python
from bot.core.interfaces.sql import compare_sql
from bot.core.severity import InterfaceChange

B, N = "breaking", "non-breaking"
PROTO = 'syntax = "proto2";\npackage shop;\n' + (
    "message Page {\n  optional int32 size = 1 [default = 10];\n}\n"
)
GRAPHQL = "type Query {\n  items(first: Int = 10): [String]\n}\n"
TABLE = "CREATE TABLE items (size int DEFAULT 10);\n"


def _openapi(default: int) -> str:
    size = {"type": "integer", "default": default}
    body = {
        "content": {
            "application/json": {"schema": {"type": "object", "properties": {"size": size}}}
        }
    }
    ok = {"200": {"description": "ok"}}
    operations = {
        "get": {"parameters": [{"name": "size", "in": "query", "schema": size}], "responses": ok},
        "post": {"requestBody": body, "responses": ok},
    }
    info = {"title": "shop", "version": "1"}
    return json.dumps({"openapi": "3.0.3", "info": info, "paths": {"/items": operations}})


def _rated(found: tuple[InterfaceChange, ...]) -> list[tuple[str, str]]:
    return [(c.severity, c.what) for c in found]


@pytest.mark.parametrize(
    ("found", "expected"),
    [
        pytest.param(
            compare_python(
                {"m.py": "def items(size=10): ...\n"}, {"m.py": "def items(size=20): ...\n"}
            ),
            [(N, 'function items: default of parameter "size" changed 10 → 20')],
            id="python",
        ),
        pytest.param(
            compare_protobuf({"a.proto": PROTO}, {"a.proto": PROTO.replace("10", "20")}),
            [(B, 'message Page: field 1 "size" option default changed 10 → 20')],
            id="protobuf",
        ),
        pytest.param(
            compare_openapi({"a.json": _openapi(10)}, {"a.json": _openapi(20)}),
            [
                (B, 'GET /items: parameter query "size": default changed 10 → 20'),
                (
                    N,
                    "POST /items: request body application/json:"
                    ' property "size" default changed 10 → 20',
                ),
            ],
            id="openapi",
        ),
        pytest.param(
            compare_graphql({"s.graphql": GRAPHQL}, {"s.graphql": GRAPHQL.replace("10", "20")}),
            [
                (
                    N,
                    "dangerous: ARG_DEFAULT_VALUE_CHANGE: Query.items(first:) has changed"
                    " defaultValue from 10 to 20",
                )
            ],
            id="graphql",
        ),
        pytest.param(
            compare_sql(
                {"m.sql": TABLE},
                {"m.sql": TABLE + "ALTER TABLE items ALTER COLUMN size SET DEFAULT 20;"},
            ),
            [(N, "table items: column size default set")],
            id="sql",
        ),
    ],
)
def test_a_changed_default_is_rated_as_its_ecosystem_rates_it(
    found: tuple[InterfaceChange, ...], expected: list[tuple[str, str]]
) -> None:
    assert _rated(found) == expected
