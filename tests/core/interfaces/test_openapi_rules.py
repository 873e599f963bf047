"""Each rule of the OpenAPI comparator, breaking and non-breaking, on GitHub's REST description.

Every case edits the trimmed ``@octokit/openapi`` document (``setup`` first on both sides when a
case needs a starting point the real document lacks) and asserts the exact changes reported.
"""

from __future__ import annotations

import json

import pytest

from tests.core.interfaces.openapi_material import (
    GITHUB,
    B,
    Case,
    Doc,
    N,
    add_param,
    body,
    compare,
    component_param,
    copy_of,
    edited,
    op,
    param,
    schema,
    text,
)

REL = "/repos/{owner}/{repo}/releases"
CONTENTS = "/repos/{owner}/{repo}/contents/{path}"
REVOKE = "/credentials/revoke"
GIST = "/gists/{gist_id}"
STARS = "/repos/{owner}/{repo}/stargazers/count"
PERMISSION = "organization_copilot_seat_management"
RELEASE_BODY = f"POST {REL}: request body application/json:"
REVOKE_BODY = f"POST {REVOKE}: request body application/json:"
STARS_BODY = f"GET {STARS}: response 200 application/json:"


def _release_body(document: Doc) -> Doc:
    return body(document, REL, "post")


def _credentials(document: Doc) -> Doc:
    found: Doc = body(document, REVOKE, "post")["properties"]["credentials"]
    return found


def _stars(document: Doc) -> Doc:
    found: Doc = op(document, STARS, "get")["responses"]["200"]["content"]["application/json"]
    return found


def _set(target: object, key: str, value: object) -> None:
    assert isinstance(target, dict)
    target[key] = value


PATHS = [
    Case("path removed", lambda d: d["paths"].pop("/meta"), [(B, "path /meta removed")]),
    Case(
        "path added",
        lambda d: _set(d["paths"], "/meta2", copy_of(d["paths"]["/meta"])),
        [(N, "path /meta2 added")],
    ),
    Case(
        "operation removed",
        lambda d: d["paths"][GIST].pop("delete"),
        [(B, "DELETE /gists/{gist_id} removed")],
    ),
    Case(
        "operation added",
        lambda d: _set(d["paths"]["/meta"], "put", copy_of(op(d, "/meta", "get"))),
        [(N, "PUT /meta added")],
    ),
]

PARAMETERS = [
    Case(
        f"new {(required and 'required') or 'optional'} {place} parameter",
        add_param(
            "/meta",
            "get",
            name="X-Trace",
            schema={"type": "string"},
            **{"in": place, "required": required},
        ),
        [
            (
                B if required else N,
                f'GET /meta: parameter {place} "{name}" added{" as required" if required else ""}',
            )
        ],
    )
    for place, name in (("query", "X-Trace"), ("header", "x-trace"), ("cookie", "X-Trace"))
    for required in (True, False)
] + [
    Case(
        "new path parameter",
        add_param(GIST, "get", name="rev", schema={"type": "string"}, **{"in": "path"}),
        [(B, 'GET /gists/{gist_id}: parameter path "rev" added as required')],
    ),
    Case(
        "parameter removed",
        lambda d: op(d, CONTENTS, "get")["parameters"].pop(),
        [(B, f'GET {CONTENTS}: parameter query "ref" removed')],
    ),
    Case(
        "optional parameter made required",
        lambda d: _set(param(d, CONTENTS, "get", "ref"), "required", True),
        [(B, f'GET {CONTENTS}: parameter query "ref" became required')],
    ),
    Case(
        "required parameter made optional",
        lambda d: _set(param(d, CONTENTS, "get", "ref"), "required", False),
        [(N, f'GET {CONTENTS}: parameter query "ref" became optional')],
        setup=lambda d: _set(param(d, CONTENTS, "get", "ref"), "required", True),
    ),
    Case(
        "parameter type changed",
        lambda d: _set(param(d, CONTENTS, "get", "ref")["schema"], "type", "integer"),
        [(B, f'GET {CONTENTS}: parameter query "ref": type changed string → integer')],
    ),
    Case(
        "parameter type widened",
        lambda d: _set(component_param(d, "per-page")["schema"], "type", "number"),
        [(N, 'parameter component "per-page": type changed integer → number')],
    ),
    Case(
        "parameter format set",
        lambda d: _set(param(d, CONTENTS, "get", "ref")["schema"], "format", "uuid"),
        [(B, f'GET {CONTENTS}: parameter query "ref": format set to "uuid"')],
    ),
    Case(
        "parameter format widened",
        lambda d: _set(component_param(d, "per-page")["schema"], "format", "int64"),
        [(N, 'parameter component "per-page": format changed "int32" → "int64"')],
        setup=lambda d: _set(component_param(d, "per-page")["schema"], "format", "int32"),
    ),
    Case(
        "parameter default changed",
        lambda d: _set(component_param(d, "per-page")["schema"], "default", 50),
        [(B, 'parameter component "per-page": default changed 30 → 50')],
    ),
    Case(
        "parameter maximum lowered",
        lambda d: _set(component_param(d, "per-page")["schema"], "maximum", 50),
        [(B, 'parameter component "per-page": maximum decreased 100 → 50')],
        setup=lambda d: _set(component_param(d, "per-page")["schema"], "maximum", 100),
    ),
    Case(
        "parameter maximum raised",
        lambda d: _set(component_param(d, "per-page")["schema"], "maximum", 200),
        [(N, 'parameter component "per-page": maximum increased 100 → 200')],
        setup=lambda d: _set(component_param(d, "per-page")["schema"], "maximum", 100),
    ),
    Case(
        "parameter style changed",
        lambda d: _set(param(d, CONTENTS, "get", "ref"), "style", "deepObject"),
        [(B, f'GET {CONTENTS}: parameter query "ref" style changed')],
    ),
    Case(
        "parameter deprecated",
        lambda d: _set(param(d, CONTENTS, "get", "ref"), "deprecated", True),
        [(N, f'GET {CONTENTS}: parameter query "ref" deprecated')],
    ),
]

REQUEST_BODIES = [
    Case(
        "new required request property",
        lambda d: (
            _set(_release_body(d)["properties"], "notes_url", {"type": "string"}),
            _release_body(d)["required"].append("notes_url"),
        ),
        [(B, f'{RELEASE_BODY} property "notes_url" added as required')],
    ),
    Case(
        "new optional request property",
        lambda d: _set(_release_body(d)["properties"], "notes_url", {"type": "string"}),
        [(N, f'{RELEASE_BODY} property "notes_url" added')],
    ),
    Case(
        "request property removed",
        lambda d: _release_body(d)["properties"].pop("body"),
        [(B, f'{RELEASE_BODY} property "body" removed')],
    ),
    Case(
        "optional request property made required",
        lambda d: _release_body(d)["required"].append("name"),
        [(B, f'{RELEASE_BODY} property "name" became required')],
    ),
    Case(
        "required removed from a request property",
        lambda d: _set(_release_body(d), "required", []),
        [(N, f'{RELEASE_BODY} property "tag_name" became optional')],
    ),
    Case(
        "request property type changed",
        lambda d: _set(_release_body(d)["properties"]["draft"], "type", "string"),
        [
            (
                B,
                f'{RELEASE_BODY} property "draft" type changed boolean → string',
            )
        ],
    ),
    Case(
        "request maxLength reduced",
        lambda d: _set(_release_body(d)["properties"]["tag_name"], "maxLength", 50),
        [
            (
                B,
                f'{RELEASE_BODY} property "tag_name" maxLength decreased 100 → 50',
            )
        ],
        setup=lambda d: _set(_release_body(d)["properties"]["tag_name"], "maxLength", 100),
    ),
    Case(
        "request maxLength increased",
        lambda d: _set(_release_body(d)["properties"]["tag_name"], "maxLength", 200),
        [
            (
                N,
                f'{RELEASE_BODY} property "tag_name" maxLength increased 100 → 200',
            )
        ],
        setup=lambda d: _set(_release_body(d)["properties"]["tag_name"], "maxLength", 100),
    ),
    Case(
        "request maxItems reduced",
        lambda d: _set(_credentials(d), "maxItems", 100),
        [
            (
                B,
                f'{REVOKE_BODY} property "credentials" maxItems decreased 1000 → 100',
            )
        ],
    ),
    Case(
        "request minItems lowered",
        lambda d: _set(_credentials(d), "minItems", 0),
        [
            (
                N,
                f'{REVOKE_BODY} property "credentials" minItems decreased 1 → 0',
            )
        ],
    ),
    Case(
        "request enum value removed",
        lambda d: _release_body(d)["properties"]["make_latest"]["enum"].remove("legacy"),
        [
            (
                B,
                f'{RELEASE_BODY} property "make_latest" enum value "legacy" removed',
            )
        ],
    ),
    Case(
        "request enum value added",
        lambda d: _release_body(d)["properties"]["make_latest"]["enum"].append("never"),
        [
            (
                N,
                f'{RELEASE_BODY} property "make_latest" enum value "never" added',
            )
        ],
    ),
    Case(
        "request pattern added",
        lambda d: _set(_release_body(d)["properties"]["tag_name"], "pattern", "^v[0-9]"),
        [
            (
                B,
                f'{RELEASE_BODY} property "tag_name" pattern "^v[0-9]" added',
            )
        ],
    ),
    Case(
        "request pattern removed",
        lambda d: _release_body(d)["properties"]["tag_name"].pop("pattern"),
        [
            (
                N,
                f'{RELEASE_BODY} property "tag_name" pattern "^v[0-9]" removed',
            )
        ],
        setup=lambda d: _set(_release_body(d)["properties"]["tag_name"], "pattern", "^v[0-9]"),
    ),
    Case(
        "request property no longer nullable",
        lambda d: _release_body(d)["properties"]["body"].pop("nullable"),
        [(B, f'{RELEASE_BODY} property "body" is no longer nullable')],
        setup=lambda d: _set(_release_body(d)["properties"]["body"], "nullable", True),
    ),
    Case(
        "request property became nullable",
        lambda d: _set(_release_body(d)["properties"]["body"], "nullable", True),
        [(N, f'{RELEASE_BODY} property "body" became nullable')],
    ),
    Case(
        "request property default changed",
        lambda d: _set(_release_body(d)["properties"]["draft"], "default", True),
        [
            (
                N,
                f'{RELEASE_BODY} property "draft" default changed false → true',
            )
        ],
    ),
    Case(
        "request additionalProperties closed",
        lambda d: _set(_release_body(d), "additionalProperties", False),
        [
            (
                B,
                f"{RELEASE_BODY} additionalProperties changed any → none",
            )
        ],
    ),
    Case(
        "request oneOf changed",
        lambda d: _release_body(d)["properties"]["make_latest"]["oneOf"].append(
            {"type": "integer"}
        ),
        [(B, f'{RELEASE_BODY} property "make_latest" oneOf changed')],
        setup=lambda d: _set(
            _release_body(d)["properties"]["make_latest"],
            "oneOf",
            [{"type": "string"}, {"type": "boolean"}],
        ),
    ),
    Case(
        "required request body added",
        lambda d: _set(
            op(d, "/meta", "get"), "requestBody", {"required": True, "content": {"text/plain": {}}}
        ),
        [(B, "GET /meta: request body added as required")],
    ),
    Case(
        "optional request body made required",
        lambda d: _set(op(d, GIST, "patch")["requestBody"], "required", True),
        [(B, "PATCH /gists/{gist_id}: request body became required")],
        setup=lambda d: _set(op(d, GIST, "patch")["requestBody"], "required", False),
    ),
    Case(
        "request media type removed",
        lambda d: op(d, REVOKE, "post")["requestBody"]["content"].pop("application/json"),
        [(B, f"POST {REVOKE}: request body application/json removed")],
    ),
    Case(
        "request media type added",
        lambda d: _set(
            op(d, REVOKE, "post")["requestBody"]["content"], "application/x-www-form-urlencoded", {}
        ),
        [(N, f"POST {REVOKE}: request body application/x-www-form-urlencoded added")],
    ),
]

RESPONSES = [
    Case(
        "response status removed",
        lambda d: op(d, REL, "post")["responses"].pop("404"),
        [(B, f"POST {REL}: response 404 removed")],
    ),
    Case(
        "response status added",
        lambda d: _set(op(d, REL, "post")["responses"], "409", {"description": "Conflict"}),
        [(N, f"POST {REL}: response 409 added")],
    ),
    Case(
        "response property removed",
        lambda d: schema(d, "release")["properties"].pop("body"),
        [(B, 'schema "release": property "body" removed')],
    ),
    Case(
        "response property added",
        lambda d: _set(schema(d, "release")["properties"], "notes", {"type": "string"}),
        [(N, 'schema "release": property "notes" added')],
    ),
    Case(
        "success response property removed",
        lambda d: _stars(d)["schema"]["properties"].pop("count"),
        [(B, f'{STARS_BODY} property "count" removed')],
    ),
    Case(
        "response property made optional",
        lambda d: _set(_stars(d)["schema"], "required", []),
        [(B, f'{STARS_BODY} property "count" became optional')],
    ),
    Case(
        "response type widened",
        lambda d: _set(schema(d, "release")["properties"]["id"], "type", "number"),
        [(B, 'schema "release": property "id" type changed integer → number')],
    ),
    Case(
        "response type narrowed",
        lambda d: _set(schema(d, "release")["properties"]["id"], "type", "integer"),
        [(N, 'schema "release": property "id" type changed number → integer')],
        setup=lambda d: _set(schema(d, "release")["properties"]["id"], "type", "number"),
    ),
    Case(
        "response format changed",
        lambda d: _set(schema(d, "release")["properties"]["url"], "format", "uuid"),
        [(B, 'schema "release": property "url" format changed "uri" → "uuid"')],
    ),
    Case(
        "response maxLength increased",
        lambda d: _set(schema(d, "release")["properties"]["tag_name"], "maxLength", 200),
        [(B, 'schema "release": property "tag_name" maxLength increased 100 → 200')],
        setup=lambda d: _set(schema(d, "release")["properties"]["tag_name"], "maxLength", 100),
    ),
    Case(
        "response maxLength reduced",
        lambda d: _set(schema(d, "release")["properties"]["tag_name"], "maxLength", 50),
        [(N, 'schema "release": property "tag_name" maxLength decreased 100 → 50')],
        setup=lambda d: _set(schema(d, "release")["properties"]["tag_name"], "maxLength", 100),
    ),
    Case(
        "response minimum lowered",
        lambda d: _set(_stars(d)["schema"]["properties"]["count"], "minimum", -1),
        [
            (
                B,
                f'{STARS_BODY} property "count" minimum decreased 0 → -1',
            )
        ],
    ),
    Case(
        "response enum value removed",
        lambda d: schema(d, "app-permissions")["properties"][PERMISSION]["enum"].remove("read"),
        [(B, f'schema "app-permissions": property "{PERMISSION}" enum value "read" removed')],
    ),
    Case(
        "response enum value added is a warning",
        lambda d: schema(d, "app-permissions")["properties"][PERMISSION]["enum"].append("admin"),
        [
            (
                N,
                f'schema "app-permissions": property "{PERMISSION}" enum value "admin" added'
                " (a warning: callers may receive a value they do not know)",
            )
        ],
    ),
    Case(
        "response property became nullable",
        lambda d: _set(schema(d, "release")["properties"]["tag_name"], "nullable", True),
        [(B, 'schema "release": property "tag_name" became nullable')],
    ),
    Case(
        "response media type removed",
        lambda d: op(d, STARS, "get")["responses"]["200"].pop("content"),
        [(B, f"GET {STARS}: response 200 application/json removed")],
    ),
    Case(
        "response media type added",
        lambda d: _set(op(d, STARS, "get")["responses"]["200"]["content"], "text/plain", {}),
        [(N, f"GET {STARS}: response 200 text/plain added")],
    ),
    Case(
        "response header removed",
        lambda d: op(d, REL, "post")["responses"]["201"].pop("headers"),
        [(B, f'POST {REL}: response 201 header "location" removed')],
    ),
    Case(
        "response header added",
        lambda d: _set(
            op(d, REL, "post")["responses"]["201"]["headers"],
            "ETag",
            {"schema": {"type": "string"}},
        ),
        [(N, f'POST {REL}: response 201 header "etag" added')],
    ),
    Case(
        "shared response component lost its media type",
        lambda d: d["components"]["responses"]["not_found"].pop("content"),
        [(B, 'response component "not_found": application/json removed')],
    ),
]

ANNOTATIONS = [
    Case(
        "operation deprecated",
        lambda d: _set(op(d, GIST, "get"), "deprecated", True),
        [(N, "GET /gists/{gist_id}: deprecated")],
    ),
    Case(
        "operation id and tags changed",
        lambda d: (
            _set(op(d, GIST, "get"), "operationId", "gists/fetch"),
            _set(op(d, GIST, "get"), "tags", []),
        ),
        [
            (N, 'GET /gists/{gist_id}: operationId changed "gists/get" → "gists/fetch"'),
            (N, "GET /gists/{gist_id}: tags changed"),
        ],
    ),
    Case(
        "security changed",
        lambda d: _set(op(d, GIST, "get"), "security", [{"token": []}]),
        [(N, "GET /gists/{gist_id}: security requirements changed")],
    ),
    Case(
        "schema title changed",
        lambda d: _set(schema(d, "release"), "title", "A release"),
        [(N, 'schema "release": title changed "Release" → "A release"')],
    ),
]

CASES = PATHS + PARAMETERS + REQUEST_BODIES + RESPONSES + ANNOTATIONS


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_rule(case: Case) -> None:
    assert case.run() == case.expected


def _reword(node: object) -> None:
    """Rewrite every description and summary, and drop every example."""
    if isinstance(node, dict):
        for key in list(node):
            if key in ("description", "summary") and isinstance(node[key], str):
                node[key] = "Reworded: " + node[key]
            elif key in ("example", "examples"):
                node[key] = {"changed": True} if key == "examples" else "changed"
            else:
                _reword(node[key])
    elif isinstance(node, list):
        for item in node:
            _reword(item)


def test_prose_and_example_edits_change_nothing() -> None:
    assert compare(text(GITHUB), edited(GITHUB, _reword)) == []


def test_reformatting_changes_nothing() -> None:
    reindented = json.dumps(json.loads(text(GITHUB)), indent=4)
    assert compare(text(GITHUB), reindented) == []
