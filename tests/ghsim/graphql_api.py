"""POST /graphql: each query is checked against GitHub's published GraphQL schema, then run with
graphql-core over the simulator's repositories, their branches and files.

Like GitHub, every answer to an authenticated query is a 200: a query the schema refuses gets
``errors`` and no ``data``; a repository the token cannot see is ``null`` with a NOT_FOUND
error. GitHub counts queries against a budget of their own; the REST budget is not spent.
"""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path
from typing import Any

from graphql import GraphQLError, GraphQLSchema, build_schema, execute, parse, validate

from tests.ghsim.calls import Call, Reply
from tests.ghsim.state import NotFoundError, Repo, tip_sha

PATH = "/graphql"
SCHEMA_PATH = Path(__file__).resolve().parent.parent / "fixtures/graphql/github-schema.graphql.gz"
# Blob texts above this many bytes come back cut short, with ``isTruncated``.
TEXT_LIMIT = 512 * 1024
Node = dict[str, Any]

_SCHEMA: GraphQLSchema | None = None


def schema() -> GraphQLSchema:
    """GitHub's schema, built once per process.

    The published SDL repeats two field definitions and keeps deprecated fields that implement
    interfaces whose fields are not deprecated, which graphql-core's SDL checks refuse; neither
    bears on checking or running a query, so those checks are skipped.
    """
    global _SCHEMA
    if _SCHEMA is None:
        sdl = gzip.decompress(SCHEMA_PATH.read_bytes()).decode()
        built = build_schema(sdl, assume_valid_sdl=True)
        built._validation_errors = []  # marks the schema as checked for validate and execute
        _SCHEMA = built
    return _SCHEMA


def run(call: Call) -> Reply:
    """Answer one query, as the installation ``call.token`` belongs to."""
    body = call.body if isinstance(call.body, dict) else {}
    query, variables = body.get("query"), body.get("variables") or {}
    if not isinstance(query, str) or not isinstance(variables, dict):
        return Reply(200, {"errors": [{"message": "A query attribute must be specified"}]})
    try:
        document = parse(query)
    except GraphQLError as err:
        return Reply(200, {"errors": [err.formatted]})
    problems = validate(schema(), document)
    if problems:
        return Reply(200, {"errors": [p.formatted for p in problems]})
    result = execute(schema(), document, root_value=root(call), variable_values=variables)
    reply: dict[str, Any] = {"data": result.data}
    if result.errors:
        reply["errors"] = [github_error(e) for e in result.errors]
    return Reply(200, reply)


def github_error(error: GraphQLError) -> dict[str, Any]:
    formatted = dict(error.formatted)
    if isinstance(error.original_error, NotFoundError):
        formatted["type"] = "NOT_FOUND"  # GitHub's key, beside the spec's fields
    return formatted


def root(call: Call) -> Node:
    def repository(_info: Any, owner: str, name: str, **_: Any) -> Node:
        try:
            found = call.store.repo(owner, name)
        except NotFoundError:
            found = None
        installation = call.store.repo_installation.get((owner, name))
        token = call.token
        if found is None or (found.private and token and installation != token.installation_id):
            missing = f"Could not resolve to a Repository with the name '{owner}/{name}'."
            raise NotFoundError(missing)
        return repository_node(call, found)

    return {"repository": repository}


def repository_node(call: Call, repo: Repo) -> Node:
    def ref(_info: Any, qualifiedName: str) -> Node | None:
        branch = qualifiedName.removeprefix("refs/heads/")
        if branch not in repo.files:
            return None
        name = {"name": branch, "prefix": "refs/heads/"}
        return {"__typename": "Ref", **name, "target": commit_node(repo, branch)}

    def git_object(_info: Any, oid: str | None = None, expression: str | None = None) -> Any:
        try:
            branch = call.store.resolve_ref(repo, oid or expression or "")
        except NotFoundError:
            return None
        return commit_node(repo, branch)

    return {
        "__typename": "Repository",
        "name": repo.name,
        "nameWithOwner": repo.full_name,
        "isPrivate": repo.private,
        "ref": ref,
        "object": git_object,
    }


def commit_node(repo: Repo, branch: str) -> Node:
    files = repo.files.get(branch, {})
    sha = branch if branch not in repo.files else tip_sha(repo, branch)

    def file(_info: Any, path: str) -> Node | None:
        path = path.strip("/")
        name = path.rsplit("/", 1)[-1]
        if path in files:
            entry = {"name": name, "path": path, "type": "blob"}
            return {"__typename": "TreeEntry", **entry, "object": blob(files[path])}
        if any(other.startswith(f"{path}/") for other in files):
            tree = {"__typename": "Tree", "oid": object_id(b"tree " + path.encode())}
            entry = {"name": name, "path": path, "type": "tree"}
            return {"__typename": "TreeEntry", **entry, "object": tree}
        return None

    return {"__typename": "Commit", "oid": sha, "file": file}


def blob(text: str) -> Node:
    data = text.encode()
    node: Node = {"__typename": "Blob", "oid": object_id(b"blob %d\0" % len(data) + data)}
    node["byteSize"] = len(data)
    if b"\0" in data:
        return {**node, "isBinary": True, "isTruncated": False, "text": None}
    cut = data[:TEXT_LIMIT].decode(errors="ignore")
    return {**node, "isBinary": False, "isTruncated": len(data) > TEXT_LIMIT, "text": cut}


def object_id(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()
