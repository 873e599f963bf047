"""The OpenAPI comparator on real documents: consecutive GitHub releases, 3.1, JSON, webhooks."""

from __future__ import annotations

import pytest

from tests.core.interfaces.openapi_material import (
    CIRCULAR,
    FIXTURES,
    PETSTORE_30,
    PETSTORE_31,
    WEBHOOKS_31,
    B,
    Case,
    Doc,
    N,
    body,
    compare,
    copy_of,
    doc,
    dump,
    edited,
    schema,
    text,
)

ALL = sorted(path.name for path in FIXTURES.iterdir() if path.suffix in (".json", ".yaml"))
WARNING = " (a warning: callers may receive a value they do not know)"

# @octokit/openapi 22.0.0 → 23.0.0, trimmed to the same paths on both sides.
GITHUB_22_TO_23 = [
    (N, "GET /repos/{owner}/{repo}/contents/{path}: request body added"),
    (N, "path /repos/{owner}/{repo}/hash-algorithm added"),
    (N, "path /repos/{owner}/{repo}/issue-types added"),
    (N, "GET /repos/{owner}/{repo}/releases/latest: response 404 added"),
    (N, "DELETE /repos/{owner}/{repo}/releases/{release_id}: response 404 added"),
    (
        N,
        "PATCH /repos/{owner}/{repo}/releases/{release_id}: request body application/json:"
        ' property "make_latest" default changed true → "true"',
    ),
    (N, "path /repos/{owner}/{repo}/stargazers/count added"),
    (B, "path /repos/{owner}/{repo}/tags/protection removed"),
    (B, "path /repos/{owner}/{repo}/tags/protection/{tag_protection_id} removed"),
    (N, 'parameter component "tag-protection-id" removed'),
    (N, 'schema "api-overview": property "commit_signing_keys" added'),
    (N, 'schema "api-overview": property "domains.storage" added'),
    (N, 'schema "app-permissions": property "code_quality" added'),
    (N, 'schema "app-permissions": property "organization_copilot_agent_settings" added'),
    (
        N,
        'schema "app-permissions": property "organization_copilot_seat_management"'
        f' enum value "read" added{WARNING}',
    ),
    (B, 'schema "app-permissions": property "team_discussions" removed'),
    (B, 'schema "rate-limit-overview": property "resources.code_scanning_upload" removed'),
    (N, 'schema "rate-limit-overview": property "resources.copilot_usage_records" added'),
    (N, 'schema "repository-hash-algorithm" added'),
    (N, 'schema "tag-protection" removed'),
]


@pytest.mark.parametrize("name", ALL)
def test_a_document_compared_with_itself_has_no_changes(name: str) -> None:
    assert compare(text(name), text(name)) == []
    # Read and written again (YAML or JSON, other quoting and layout): the same contract.
    assert compare(text(name), dump(doc(name), name)) == []


def test_comments_and_blank_lines_change_nothing() -> None:
    original = text(PETSTORE_31)
    commented = "# The pet store, as published.\n" + original.replace(
        "\n  '/pet':", "\n\n  # Pets\n  '/pet':"
    )
    assert commented != original
    assert compare(original, commented.replace("\n", "   \n")) == []


def test_github_22_to_23() -> None:
    before, after = text("github-api-22.0.0.json"), text("github-api-23.0.0.json")
    assert compare(before, after) == GITHUB_22_TO_23


def test_github_23_0_0_to_23_0_1_removes_a_request_body() -> None:
    # The patch release dropped the request body GET /contents never should have had.
    before, after = text("github-api-23.0.0.json"), text("github-api-23.0.1.json")
    assert compare(before, after) == [
        (B, "GET /repos/{owner}/{repo}/contents/{path}: request body removed")
    ]


def test_going_back_a_release_reverses_the_severities() -> None:
    before, after = text("github-api-23.0.0.json"), text("github-api-22.0.0.json")
    found = dict((what, severity) for severity, what in compare(before, after))
    assert found["path /repos/{owner}/{repo}/tags/protection added"] == N
    assert found["path /repos/{owner}/{repo}/stargazers/count removed"] == B
    assert found['schema "app-permissions": property "team_discussions" added'] == N


def _pet_status(d: Doc) -> list[str]:
    found: list[str] = schema(d, "Pet")["properties"]["status"]["enum"]
    return found


RENAMED = 'renamed from path "petId" to path "id"'


def _rename_pet_id(d: Doc) -> None:
    item = d["paths"].pop("/pet/{petId}")
    d["paths"]["/pet/{id}"] = item
    for operation in item.values():
        for parameter in operation.get("parameters", []):
            if parameter.get("name") == "petId":
                parameter["name"] = "id"


PETSTORE_31_CASES = [
    # Pet is both sent (request bodies) and returned: a change is rated for both.
    Case(
        "enum value added to a schema read both ways",
        lambda d: _pet_status(d).append("adopted"),
        [(N, f'schema "Pet": property "status" enum value "adopted" added{WARNING}')],
        fixture=PETSTORE_31,
    ),
    Case(
        "maxLength set on a schema read both ways",
        lambda d: schema(d, "Pet")["properties"]["name"].update(maxLength=10),
        [(B, 'schema "Pet": property "name" maxLength set to 10')],
        fixture=PETSTORE_31,
    ),
    Case(
        "3.1 type list gains null",
        lambda d: schema(d, "Order")["properties"]["shipDate"].update(type=["string", "null"]),
        [(B, 'schema "Order": property "shipDate" became nullable')],
        fixture=PETSTORE_31,
    ),
    Case(
        "3.1 numeric exclusiveMaximum lowered",
        lambda d: schema(d, "Order")["properties"]["quantity"].update(exclusiveMaximum=50),
        [(B, 'schema "Order": property "quantity" exclusiveMaximum decreased 100 → 50')],
        setup=lambda d: schema(d, "Order")["properties"]["quantity"].update(exclusiveMaximum=100),
        fixture=PETSTORE_31,
    ),
    Case(
        "3.1 const set",
        lambda d: schema(d, "Order")["properties"]["status"].update(const="placed"),
        [(B, 'schema "Order": property "status" const set to "placed"')],
        fixture=PETSTORE_31,
    ),
    Case(
        "request body component made optional",
        lambda d: d["components"]["requestBodies"]["Pet"].update(required=False),
        [(N, 'request body component "Pet": became optional')],
        fixture=PETSTORE_31,
    ),
    Case(
        "request body component loses a media type",
        lambda d: d["components"]["requestBodies"]["Pet"]["content"].pop("application/xml"),
        [(B, 'request body component "Pet": application/xml removed')],
        fixture=PETSTORE_31,
    ),
    Case(
        "path parameter renamed",
        _rename_pet_id,
        [
            (N, "path /pet/{id}: path parameters renamed (was /pet/{petId})"),
            *[
                (
                    N,
                    f'{method} /pet/{{id}}: parameter path "id" {RENAMED}',
                )
                for method in ("GET", "POST", "DELETE")
            ],
        ],
        fixture=PETSTORE_31,
    ),
]

WEBHOOK_CASES = [
    Case(
        "webhook removed",
        lambda d: d["webhooks"].pop("newPet"),
        [(B, 'webhook "newPet" removed')],
        fixture=WEBHOOKS_31,
    ),
    Case(
        "webhook operation removed",
        lambda d: d["webhooks"]["newPet"].pop("delete"),
        [(B, 'webhook "newPet" DELETE removed')],
        fixture=WEBHOOKS_31,
    ),
    Case(
        "webhook added",
        lambda d: d["webhooks"].update(oldPet=copy_of(d["webhooks"]["newPet"])),
        [(N, 'webhook "oldPet" added')],
        fixture=WEBHOOKS_31,
    ),
    # The API sends a webhook's payload: its receivers read it as a caller reads a response.
    Case(
        "webhook payload property removed",
        lambda d: schema(d, "Pet")["properties"].pop("tag"),
        [(B, 'schema "Pet": property "tag" removed')],
        fixture=WEBHOOKS_31,
    ),
    Case(
        "webhook payload gains a required property",
        lambda d: (
            schema(d, "Pet")["properties"].update(color={"type": "string"}),
            schema(d, "Pet")["required"].append("color"),
        ),
        [(N, 'schema "Pet": property "color" added as required')],
        fixture=WEBHOOKS_31,
    ),
    Case(
        "webhook parameter no longer guaranteed",
        lambda d: d["webhooks"]["newPet"]["delete"]["parameters"][0].update(required=False),
        [(B, 'webhook "newPet" DELETE: parameter query "id" became optional')],
        fixture=WEBHOOKS_31,
    ),
]

JSON_CASES = [
    Case(
        "JSON 3.0 path removed",
        lambda d: d["paths"].pop("/pet/findByTags"),
        [(B, "path /pet/findByTags removed")],
        fixture=PETSTORE_30,
    ),
    Case(
        "JSON 3.0 response property type changed",
        lambda d: schema(d, "ApiResponse")["properties"]["code"].update(type="string"),
        [(B, 'schema "ApiResponse": property "code" type changed integer → string')],
        fixture=PETSTORE_30,
    ),
]


def _rename_cycle(d: Doc) -> None:
    """Point the request at copies of a MultiPart ↔ BodyPart cycle, one property fewer."""
    schemas = d["components"]["schemas"]
    for name, key, target in (
        ("FormDataBodyPart", "parent", "MultiPart2"),
        ("MultiPart", "bodyParts", "BodyPart2"),
        ("BodyPart", "parent", "MultiPart2"),
    ):
        schemas[f"{name}2"] = copy_of(schemas[name])
        ref = {"$ref": f"#/components/schemas/{target}"}
        schemas[f"{name}2"]["properties"][key] = (
            {"type": "array", "items": ref} if key == "bodyParts" else ref
        )
    schemas["BodyPart2"]["properties"].pop("providers")
    file = {"$ref": "#/components/schemas/FormDataBodyPart2"}
    body(d, "/circular", "put", "multipart/form-data")["properties"]["file"] = file


UPLOAD = "PUT /circular: request body multipart/form-data: property"
BODY = "BodyPart"
CYCLE_CASES = [
    Case(
        "property removed inside a reference cycle",
        lambda d: schema(d, "ContentDisposition")["properties"].pop("size"),
        [(B, 'schema "ContentDisposition": property "size" removed')],
        fixture=CIRCULAR,
    ),
    Case(
        "a cycle swapped for a renamed copy is compared once around",
        _rename_cycle,
        [
            (N, f'{UPLOAD} "file" now refers to "FormDataBodyPart2" instead of "FormDataBodyPart"'),
            (N, f'{UPLOAD} "file.parent" now refers to "MultiPart2" instead of "MultiPart"'),
            (
                N,
                f'{UPLOAD} "file.parent.bodyParts[]" now refers to "BodyPart2" instead of "{BODY}"',
            ),
            (B, f'{UPLOAD} "file.parent.bodyParts[].providers" removed'),
            (N, 'schema "BodyPart2" added'),
            (N, 'schema "FormDataBodyPart2" added'),
            (N, 'schema "MultiPart2" added'),
        ],
        fixture=CIRCULAR,
    ),
]


@pytest.mark.parametrize(
    "case", PETSTORE_31_CASES + WEBHOOK_CASES + JSON_CASES + CYCLE_CASES, ids=lambda c: c.id
)
def test_fixture_edit(case: Case) -> None:
    assert case.run() == case.expected


def test_the_same_input_gives_the_same_output() -> None:
    before = {"b.yaml": text(PETSTORE_31), "a.json": text("github-api-22.0.0.json")}
    after = {"a.json": text("github-api-23.0.0.json"), "b.yaml": edited(PETSTORE_31, _drop_user)}
    first = compare_all(before, after)
    assert first == compare_all(dict(reversed(before.items())), dict(reversed(after.items())))
    assert [c[0] for c in first] == sorted(c[0] for c in first)


def _drop_user(d: Doc) -> None:
    d["paths"].pop("/user/logout")


def compare_all(before: dict[str, str], after: dict[str, str]) -> list[tuple[str, str, str]]:
    from bot.core.interfaces.openapi_severity import compare_openapi

    return [(c.path, c.severity, c.what) for c in compare_openapi(before, after)]
