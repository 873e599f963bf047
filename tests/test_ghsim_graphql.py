"""The simulator's POST /graphql: GitHub's schema checks every query, graphql-core runs it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.ghsim import GitHubSimulator
from tests.ghsim.clients import checked_simulator, raw
from tests.ghsim.state import tip_sha

OWNER, NAME = "acme", "shop"
FILES = (
    "query($owner: String!, $name: String!) { repository(owner: $owner, name: $name) {"
    ' ref(qualifiedName: "refs/heads/main") { target { oid ... on Commit {'
    ' a: file(path: "README.md") { object { ... on Blob { text isBinary isTruncated byteSize } } }'
    ' b: file(path: "missing.txt") { name }'
    ' c: file(path: "docs") { type } } } } } }'
)


@pytest.fixture
def sim() -> Iterator[GitHubSimulator]:
    with checked_simulator() as sim:
        sim.add_repo(OWNER, NAME)
        sim.set_file(OWNER, NAME, "main", "README.md", "héllo\n")
        sim.set_file(OWNER, NAME, "main", "docs/guide.md", "guide\n")
        yield sim


def post(sim: GitHubSimulator, query: str, **variables: Any) -> requests.Response:
    return raw(sim, "POST", "/graphql", json={"query": query, "variables": variables})


def test_a_query_is_answered_from_the_repository(sim: GitHubSimulator) -> None:
    reply = post(sim, FILES, owner=OWNER, name=NAME)
    assert reply.status_code == 200
    commit = reply.json()["data"]["repository"]["ref"]["target"]
    assert commit["oid"] == tip_sha(sim.store.repo(OWNER, NAME), "main")
    blob = {"text": "héllo\n", "isBinary": False, "isTruncated": False, "byteSize": 7}
    assert commit["a"] == {"object": blob}
    assert commit["b"] is None and commit["c"] == {"type": "tree"}
    assert "errors" not in reply.json()


def test_a_query_the_schema_refuses_gets_errors_and_no_data(sim: GitHubSimulator) -> None:
    misspelt = FILES.replace("isTruncated", "truncated")
    reply = post(sim, misspelt, owner=OWNER, name=NAME)
    assert reply.status_code == 200  # as GitHub: the refusal is in the body
    body = reply.json()
    assert "data" not in body
    assert "Cannot query field 'truncated' on type 'Blob'" in body["errors"][0]["message"]
    # Recorded like a REST request off the description: a test sending it would fail.
    assert [problems for _, _, problems in sim.invalid_requests] == [[body["errors"][0]["message"]]]
    sim.invalid_requests.clear()


def test_an_undeclared_variable_and_a_syntax_error_are_refused(sim: GitHubSimulator) -> None:
    undeclared = post(sim, '{ repository(owner: $owner, name: "shop") { name } }')
    assert "data" not in undeclared.json() and undeclared.json()["errors"]
    broken = post(sim, "{ repository(owner: ")
    assert broken.status_code == 200 and "Syntax Error" in broken.json()["errors"][0]["message"]
    assert len(sim.invalid_requests) == 2
    sim.invalid_requests.clear()


def test_a_missing_repository_is_null_with_a_not_found_error(sim: GitHubSimulator) -> None:
    body = post(sim, FILES, owner=OWNER, name="nope").json()
    assert body["data"] == {"repository": None}
    assert [e["type"] for e in body["errors"]] == ["NOT_FOUND"]
    assert body["errors"][0]["path"] == ["repository"]


def test_another_installations_private_repository_is_not_found(sim: GitHubSimulator) -> None:
    sim.add_installation(2)
    sim.add_repo(OWNER, "secret")  # joins the newest installation
    body = post(sim, FILES, owner=OWNER, name="secret").json()
    assert body["data"] == {"repository": None} and body["errors"][0]["type"] == "NOT_FOUND"


def test_a_query_without_a_token_is_refused(sim: GitHubSimulator) -> None:
    reply = requests.post(f"{sim.url}/graphql", json={"query": FILES}, timeout=5)
    assert reply.status_code == 401
