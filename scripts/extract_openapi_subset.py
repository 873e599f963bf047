"""Cut GitHub's REST description down to the operations the app uses, as a self-contained document.

Source: the npm package ``@octokit/openapi`` version 23.0.2 (``info.version`` 23.0.2), file
``generated/api.github.com.json``. Regenerate with::

    cd "$(mktemp -d)" && npm pack @octokit/openapi@23.0.2 && tar xzf octokit-openapi-23.0.2.tgz
    python scripts/extract_openapi_subset.py package/generated/api.github.com.json

The output (``tests/fixtures/openapi/github-subset.json``) keeps each listed operation and every
component it reaches through ``$ref``; examples are dropped because validation never reads them.
Four normalisations make the schemas accept what GitHub really sends (see ``normalise``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

DEFAULT_OUTPUT = (
    Path(__file__).resolve().parent.parent / "tests/fixtures/openapi/github-subset.json"
)

ENDPOINTS: tuple[tuple[str, str], ...] = (
    ("get", "/app"),
    ("post", "/app/installations/{installation_id}/access_tokens"),
    ("get", "/repos/{owner}/{repo}"),
    ("get", "/repos/{owner}/{repo}/pulls/{pull_number}"),
    ("get", "/repos/{owner}/{repo}/pulls/{pull_number}/files"),
    ("get", "/repos/{owner}/{repo}/pulls/{pull_number}/commits"),
    ("get", "/repos/{owner}/{repo}/pulls/{pull_number}/reviews"),
    ("get", "/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers"),
    ("post", "/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers"),
    ("get", "/repos/{owner}/{repo}/contents/{path}"),
    ("get", "/repos/{owner}/{repo}/issues/{issue_number}/labels"),
    ("post", "/repos/{owner}/{repo}/issues/{issue_number}/labels"),
    ("delete", "/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}"),
    ("get", "/repos/{owner}/{repo}/issues/{issue_number}/events"),
    ("get", "/repos/{owner}/{repo}/issues/{issue_number}/comments"),
    ("post", "/repos/{owner}/{repo}/issues/{issue_number}/comments"),
    ("patch", "/repos/{owner}/{repo}/issues/comments/{comment_id}"),
    ("delete", "/repos/{owner}/{repo}/issues/comments/{comment_id}"),
    ("get", "/repos/{owner}/{repo}/commits/{ref}/check-runs"),
    ("post", "/repos/{owner}/{repo}/check-runs"),
    ("patch", "/repos/{owner}/{repo}/check-runs/{check_run_id}"),
    ("get", "/repos/{owner}/{repo}/commits/{ref}/status"),
    ("get", "/repos/{owner}/{repo}/actions/runs"),
    ("get", "/repos/{owner}/{repo}/commits/{commit_sha}/pulls"),
    # A merge group's commits, whose pull requests the group's check reads.
    ("get", "/repos/{owner}/{repo}/compare/{basehead}"),
    ("get", "/repos/{owner}/{repo}/collaborators/{username}/permission"),
    ("get", "/orgs/{org}/teams/{team_slug}/members"),
    # The recovery loop: the App's delivery log, redelivery, and the open pull requests of
    # every repository of every installation.
    ("get", "/app/hook/deliveries"),
    ("post", "/app/hook/deliveries/{delivery_id}/attempts"),
    ("get", "/app/installations"),
    ("get", "/installation/repositories"),
    ("get", "/repos/{owner}/{repo}/pulls"),
    # Spec repositories: the default branch, the commit a ref names, and which installation of
    # the App (if any) covers a repository that an installation could not read.
    ("get", "/repos/{owner}/{repo}/commits/{ref}"),
    # The commit a base branch points at, for reading the base's files at it.
    ("get", "/repos/{owner}/{repo}/git/ref/{ref}"),
    ("get", "/repos/{owner}/{repo}/installation"),
)

# Keys that only serve documentation renderers; dropping them keeps the fixture small.
DROPPED_KEYS = frozenset({"examples", "example", "x-github", "externalDocs"})
REF_PREFIX = "#/components/"


def strip(node: Any, *, names: bool = False) -> Any:
    """Return a copy of ``node`` without documentation-only keys, recursively.

    ``names`` marks a mapping whose keys are property names, never dropped: a schema may well
    describe a field called ``example``.
    """
    if isinstance(node, dict):
        return {
            k: strip(v, names=k == "properties" and not names)
            for k, v in node.items()
            if names or k not in DROPPED_KEYS
        }
    if isinstance(node, list):
        return [strip(v) for v in node]
    return node


def find_refs(node: Any) -> set[str]:
    """Collect every ``$ref`` string inside ``node``."""
    found: set[str] = set()
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str):
                found.add(ref)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


def resolve_component(doc: dict[str, Any], ref: str) -> tuple[str, str, Any]:
    """Split a local component reference into (section, name, stripped target)."""
    if not ref.startswith(REF_PREFIX):
        raise ValueError(f"unsupported $ref {ref!r}: only local components are expected")
    section, name = ref[len(REF_PREFIX) :].split("/", 1)
    return section, name, strip(doc["components"][section][name])


# Places where the description is stricter than GitHub's own replies: a label's description is
# null when unset, as the ``label`` schema says, but ``pull-request-simple`` forgot ``nullable``.
NULLABLE_PATCHES = (
    "/components/schemas/pull-request-simple/properties/labels/items/properties/description",
)

# The contents reply discriminates on ``type``, but a directory comes back as a JSON array,
# which has no ``type`` to look at: validators then refuse every directory listing. ``oneOf``
# alone tells the four shapes apart.
DISCRIMINATOR_DROPS = (
    "/paths/~1repos~1{owner}~1{repo}~1contents~1{path}/get/responses/200/content"
    "/application~1json/schema",
)


# The installation listing inlines its account as ``allOf`` a user and an enterprise, where the
# ``installation`` component says ``anyOf``: no account is both, so GitHub's replies fail it.
ANY_OF_PATCHES = (
    "/paths/~1app~1installations/get/responses/200/content/application~1json/schema/items"
    "/properties/account",
)


def resolve_pointer(subset: dict[str, Any], pointer: str) -> Any:
    node: Any = subset
    for token in pointer.strip("/").split("/"):
        node = node[token.replace("~1", "/").replace("~0", "~")]
    return node


def allow_null_in_enums(node: Any) -> None:
    """OpenAPI 3.0.3: ``nullable`` admits null only if ``enum`` lists it; add it where missing."""
    if isinstance(node, dict):
        if node.get("nullable") and "enum" in node and None not in node["enum"]:
            node["enum"] = [*node["enum"], None]
        for value in node.values():
            allow_null_in_enums(value)
    elif isinstance(node, list):
        for value in node:
            allow_null_in_enums(value)


def normalise(subset: dict[str, Any]) -> dict[str, Any]:
    """Apply the documented fixes to ``subset`` in place and return it."""
    allow_null_in_enums(subset)
    for pointer in NULLABLE_PATCHES:
        resolve_pointer(subset, pointer)["nullable"] = True
    for pointer in DISCRIMINATOR_DROPS:
        resolve_pointer(subset, pointer).pop("discriminator", None)
    for pointer in ANY_OF_PATCHES:
        node = resolve_pointer(subset, pointer)
        node["anyOf"] = node.pop("allOf")
    return subset


def build_subset(doc: dict[str, Any], endpoints: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    """Return a document with only ``endpoints`` and the components they reach."""
    paths: dict[str, dict[str, Any]] = {}
    for method, path in endpoints:
        item = doc["paths"][path]
        target = paths.setdefault(path, {})
        if "parameters" in item:
            target["parameters"] = strip(item["parameters"])
        target[method] = strip(item[method])
    components: dict[str, dict[str, Any]] = {}
    pending = find_refs(paths)
    seen: set[str] = set()
    while pending:
        ref = pending.pop()
        seen.add(ref)
        section, name, target = resolve_component(doc, ref)
        components.setdefault(section, {})[name] = target
        pending |= find_refs(target) - seen
    return {
        "openapi": doc["openapi"],
        "info": {**doc["info"], "x-subset-of": "generated/api.github.com.json"},
        "servers": doc.get("servers", []),
        "paths": paths,
        "components": {s: dict(sorted(c.items())) for s, c in sorted(components.items())},
    }


def main(argv: list[str] | None = None) -> int:
    """Read the full description and write the subset fixture."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="path to generated/api.github.com.json")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    doc = json.loads(args.source.read_text(encoding="utf-8"))
    subset = normalise(build_subset(doc, ENDPOINTS))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(subset, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    print(f"wrote {args.output} ({args.output.stat().st_size} bytes, {len(ENDPOINTS)} operations)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
