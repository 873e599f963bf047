"""Parse an OpenAPI document into a plain tree with its cosmetic keys stripped."""

from __future__ import annotations

import yaml

# Keys that document the contract without changing it.
_COSMETIC = frozenset({"description", "summary", "example", "examples"})
# Maps whose keys are names chosen by the author (a property may well be called "description").
_NAME_MAPS = frozenset(
    {
        "paths",
        "webhooks",
        "schemas",
        "properties",
        "patternProperties",
        "definitions",
        "$defs",
        "responses",
        "parameters",
        "requestBodies",
        "headers",
        "securitySchemes",
        "securityDefinitions",
        "links",
        "callbacks",
        "pathItems",
        "content",
        "encoding",
        "variables",
        "mapping",
        "scopes",
    }
)
# NaN never equals itself, so it is swapped for a marker that does.
_NAN = ("NaN",)
# Aliases can expand a tiny file into billions of nodes; refuse past this many per character.
_EXPANSION_PER_CHAR = 10
_EXPANSION_FLOOR = 100_000


class UnusableDocumentError(Exception):
    """The text is not a YAML or JSON mapping this comparison can use."""


def parse_contract(text: str | None) -> dict[object, object]:
    """The document as a mapping without descriptions, summaries, examples or ``x-`` keys."""
    if text is None:
        return {}
    try:
        document = yaml.safe_load(text)
        _check_size(document, _EXPANSION_FLOOR + _EXPANSION_PER_CHAR * len(text))
        if document is None:
            return {}
        if not isinstance(document, dict):
            raise UnusableDocumentError("is not a YAML or JSON mapping")
        return strip_map(document, names=False)
    except yaml.YAMLError as err:
        raise UnusableDocumentError(f"is not valid YAML or JSON ({_yaml_problem(err)})") from err
    except (ValueError, OverflowError, RecursionError) as err:
        # Impossible dates raise ValueError; absurd nesting exhausts the stack.
        raise UnusableDocumentError(f"is not usable YAML ({type(err).__name__})") from err


def _yaml_problem(err: yaml.YAMLError) -> str:
    """The parser's own words and line, when it gave them."""
    problem = getattr(err, "problem", None) or type(err).__name__
    mark = getattr(err, "problem_mark", None)
    return f"line {mark.line + 1}: {problem}" if mark is not None else str(problem)


def _check_size(document: object, limit: int) -> None:
    if _count(document, {}, set()) > limit:
        raise UnusableDocumentError("expands to too many nodes through aliases")


def _count(node: object, seen: dict[int, int], active: set[int]) -> int:
    """Nodes after alias expansion, counting each shared node once per use, without expanding."""
    if not isinstance(node, dict | list):
        return 1
    key = id(node)
    if key in active:
        raise UnusableDocumentError("refers to itself through an alias")
    if key not in seen:
        active.add(key)
        children = node.values() if isinstance(node, dict) else node
        seen[key] = 1 + sum(_count(child, seen, active) for child in children)
        active.discard(key)
    return seen[key]


def strip_map(node: dict[object, object], names: bool) -> dict[object, object]:
    """Drop cosmetic keys, except where keys are author-chosen names (``names``)."""
    return {
        key: _strip(value, not names and key in _NAME_MAPS)
        for key, value in node.items()
        if names or not _is_cosmetic(key)
    }


def _strip(node: object, names: bool) -> object:
    if isinstance(node, dict):
        return strip_map(node, names)
    if isinstance(node, list):
        return [_strip(item, names=False) for item in node]
    if isinstance(node, float) and node != node:
        return _NAN
    return node


def _is_cosmetic(key: object) -> bool:
    return isinstance(key, str) and (key in _COSMETIC or key.startswith("x-"))
