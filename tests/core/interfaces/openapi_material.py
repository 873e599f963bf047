"""Fixture documents for the OpenAPI comparator tests, and ways to edit and compare them."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.core.interfaces.openapi_severity import compare_openapi

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "contracts" / "openapi"
GITHUB = "github-api-23.0.1.json"
PETSTORE_31 = "petstore-3.1.yaml"
WEBHOOKS_31 = "webhooks-3.1.yaml"
PETSTORE_30 = "petstore-3.0.json"
CIRCULAR = "schema-circular-3.0.json"

Doc = dict[str, Any]
Edit = Callable[[Doc], object]
Found = list[tuple[str, str]]


def text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


@cache
def _parsed(name: str) -> str:
    # Cached as text so that every caller edits its own copy.
    return json.dumps(
        yaml.safe_load(text(name)) if name.endswith(".yaml") else json.loads(text(name))
    )


def doc(name: str) -> Doc:
    loaded: Doc = json.loads(_parsed(name))
    return loaded


def dump(document: Doc, name: str) -> str:
    """The document written in its fixture's format."""
    if name.endswith(".yaml"):
        return yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
    return json.dumps(document, indent=1, ensure_ascii=False)


def compare(before: str, after: str, path: str = "openapi/api.json") -> Found:
    return [(c.severity, c.what) for c in compare_openapi({path: before}, {path: after})]


def edited(name: str, *edits: Edit) -> str:
    document = doc(name)
    for edit in edits:
        edit(document)
    return dump(document, name)


@dataclass(frozen=True)
class Case:
    """An edit of a fixture (``setup`` applies to both sides first) and the changes it makes."""

    id: str
    change: Edit
    expected: Found
    setup: Edit | None = None
    fixture: str = GITHUB

    def run(self) -> Found:
        setups = (self.setup,) if self.setup else ()
        before = edited(self.fixture, *setups)
        after = edited(self.fixture, *setups, self.change)
        return compare(before, after, path=f"openapi/{self.fixture}")


def op(document: Doc, path: str, method: str) -> Doc:
    found: Doc = document["paths"][path][method]
    return found


def body(document: Doc, path: str, method: str, media: str = "application/json") -> Doc:
    found: Doc = op(document, path, method)["requestBody"]["content"][media]["schema"]
    return found


def schema(document: Doc, name: str) -> Doc:
    found: Doc = document["components"]["schemas"][name]
    return found


def param(document: Doc, path: str, method: str, name: str) -> Doc:
    for candidate in op(document, path, method)["parameters"]:
        if candidate.get("name") == name:
            found: Doc = candidate
            return found
    raise KeyError(name)


def component_param(document: Doc, name: str) -> Doc:
    found: Doc = document["components"]["parameters"][name]
    return found


def add_param(path: str, method: str, **fields: object) -> Edit:
    def edit(document: Doc) -> None:
        op(document, path, method).setdefault("parameters", []).append(dict(fields))

    return edit


def copy_of(value: object) -> Any:
    return copy.deepcopy(value)


B, N = "breaking", "non-breaking"
