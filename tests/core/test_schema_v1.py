"""The published JSON Schema stays the v1 schema: tests/fixtures/schema/config-v1.json is a copy
of what `review-tiers schema` printed before the schema was derived from the model.

A new optional key may be added anywhere; every key v1 has must keep its type, constraints,
sentence, default and place in the order. If such a change is intended, print the schema into
the fixture again (`review-tiers schema > tests/fixtures/schema/config-v1.json`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.schema import policy_schema

FIXTURES = Path(__file__).parent.parent / "fixtures"
V1: dict[str, Any] = json.loads((FIXTURES / "schema" / "config-v1.json").read_text())
CONFIGS = sorted((FIXTURES / "configs").glob("*.yml"))


def property_orders(node: object, where: str = "") -> dict[str, list[str]]:
    """The order of the keys of every `properties`: unknown-key messages list them in it."""
    if isinstance(node, list):
        found: dict[str, list[str]] = {}
        for index, item in enumerate(node):
            found.update(property_orders(item, f"{where}[{index}]"))
        return found
    if not isinstance(node, dict):
        return {}
    found = {where: list(node["properties"])} if isinstance(node.get("properties"), dict) else {}
    for key, child in node.items():
        found.update(property_orders(child, f"{where}/{key}"))
    return found


def restricted(new: object, old: object) -> object:
    """``new`` without the keys of each ``properties`` that ``old`` does not have."""
    if isinstance(new, list) and isinstance(old, list) and len(new) == len(old):
        return [restricted(a, b) for a, b in zip(new, old, strict=True)]
    if not isinstance(new, dict):
        return new
    old_map = old if isinstance(old, dict) else {}
    out: dict[str, object] = {}
    for key, value in new.items():
        known = old_map.get(key)
        if key == "properties" and isinstance(value, dict) and isinstance(known, dict):
            out[key] = {k: restricted(v, known[k]) for k, v in value.items() if k in known}
        else:
            out[key] = restricted(value, known)
    return out


def test_the_schema_keeps_every_key_of_v1_as_it_was() -> None:
    schema = restricted(json.loads(json.dumps(policy_schema())), V1)
    assert schema == V1
    assert property_orders(schema) == property_orders(V1)


def test_the_restriction_only_drops_added_keys() -> None:
    old = {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}
    added = {"type": "object", "properties": {"a": {"type": "string"}, "b": {}}, "required": ["a"]}
    changed = {"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]}
    assert restricted(added, old) == old
    assert restricted(changed, old) != old


def verdict(schema: dict[str, Any], document: object) -> list[tuple[str, str]]:
    validator = jsonschema.Draft202012Validator(schema)
    errors = validator.iter_errors(document)
    return sorted((json.dumps(list(e.absolute_path)), str(e.validator)) for e in errors)


DOCUMENTS: list[object] = [
    {"version": 1},
    {"version": 1.0},
    {"version": 2},
    {},
    [],
    "version: 1",
    {"version": 1, "size": {"buckets": {"XS": 0, "S": 1, "M": 2, "L": 3, "XL": 4}}},
    {"version": 1, "size": {"buckets": {"XS": 0, "S": 1, "M": 2, "L": 3, "XL": 4, "XXL": 5}}},
    {"version": 1, "size": {"soft_limit": {"lines": -1, "files": 2.5}, "ignore": [""]}},
    {"version": 1, "ownership": {"codeowners": "yes"}},
    {"version": 1, "invariants": [{"id": "-x", "statement": "", "paths": []}]},
    {"version": 1, "invariants": [{"id": "a", "statement": "s", "paths": ["a"], "x": 1}]},
    {"version": 1, "interfaces": [{"id": "a", "kind": "rust", "paths": ["a"]}]},
    {"version": 1, "interfaces": [{"id": "a", "kind": "sql", "paths": ["a"], "owners": ["x"]}]},
    {"version": 1, "tiers": {"L1": {"when": {"max_size": None, "only_paths": []}}}},
    {"version": 1, "tiers": {"L1": {"when": {"max_size": "XXXL"}, "reviewers": {}}}},
    {"version": 1, "tiers": {"L2": {"when": {}, "checks": ["lint", {"name": "t"}]}}},
    {"version": 1, "tiers": {"L2": {"checks": [{"name": "t", "app": 0, "status": True}]}}},
    {"version": 1, "tiers": {"L2": {"checks": [{"name": "t", "app": "x"}, 3]}}},
    {"version": 1, "tiers": {"L3": {"when": {"min_owners": 0, "min_size": None}}}},
    {"version": 1, "tiers": {"L3": {"when": {"invariants": 1, "paths": "a"}}}},
    {"version": 1, "tiers": {"L3": {"reviewers": {"teams": ["@a/b"], "users": ["a b"]}}}},
    {"version": 1, "tiers": {"L3": {"reviewers": {"required_approvals": 1.5}}}},
    {"version": 1, "ai": {"min_tier": "L4", "require_section": "", "bots": ["x[bot]"]}},
    {"version": 1, "ai": {"require_section": None, "trailers": [], "labels": [""]}},
    {"version": 1, "overrides": {"roles": []}, "labels": {"tier_prefix": ""}},
    {"version": 1, "labels": {"size_exception": "", "recheck": 3, "other": "x"}},
]

KEYS = st.sampled_from(
    [
        "version", "size", "buckets", "XS", "XXL", "ignore", "generated", "soft_limit", "lines",
        "ownership", "codeowners", "tiers", "L1", "L2", "L3", "when", "only_paths", "max_size",
        "min_size", "min_owners", "paths", "checks", "name", "app", "workflow", "status",
        "source", "reviewers", "teams", "users", "required_approvals", "invariants",
        "interfaces", "id", "statement", "kind", "owners", "patterns", "ai", "trailers",
        "labels", "bots", "min_tier", "require_section", "instruction_files", "overrides",
        "roles", "tier_prefix", "recheck",
    ]
)  # fmt: skip
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-2, 2000)
    | st.sampled_from([1.0, 2.5, "", "L2", "XXL", "S", "sql", "a/b", "@a/b", "any", "x[bot]"])
)
TREES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(KEYS, children, max_size=4),
    max_leaves=30,
)


@pytest.mark.parametrize("document", DOCUMENTS, ids=range(len(DOCUMENTS)))
def test_the_same_documents_pass_and_fail_for_the_same_reasons(document: object) -> None:
    assert verdict(policy_schema(), document) == verdict(V1, document)


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_the_fixture_configs_get_the_v1_verdict(path: Path) -> None:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert verdict(policy_schema(), document) == verdict(V1, document)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(KEYS, TREES, max_size=6))
def test_arbitrary_documents_get_the_v1_verdict(tree: dict[str, object]) -> None:
    document = {"version": 1, **tree}
    assert verdict(policy_schema(), document) == verdict(V1, document)
