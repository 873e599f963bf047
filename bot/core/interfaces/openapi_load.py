"""Read one side of an OpenAPI file into a stripped tree, within size and time bounds.

YAML goes through the shared contract parser (its alias-expansion limit, its error wording).
JSON, the format large generated descriptions ship in, is read by the standard library first:
the pure-Python YAML reader takes seconds per megabyte, ``json`` a fraction of a second. Both
paths strip descriptions, summaries, examples and ``x-`` keys the same way, so a file compares
the same whichever reader took it. The touch detector and the comparator both read through
``read_document``, so one evaluation reads each text once (``parse_session``).
"""

from __future__ import annotations

import json
from typing import Literal

from bot.core.interfaces.openapi_document import UnusableDocumentError, parse_contract

# The contract parser's own stripping: reusing it keeps JSON and YAML read alike.
from bot.core.interfaces.openapi_document import strip_map as _strip_cosmetic
from bot.core.interfaces.parse_session import cached
from bot.core.severity import ContractParseError

Tree = dict[object, object]
DocumentKind = Literal["openapi", "schema", "opaque"]

# Past these sizes a side is refused rather than read: JSON parses at tens of MB per second,
# the YAML reader at well under one, and a comparison must finish in bounded time.
MAX_JSON_CHARS = 32_000_000
MAX_YAML_CHARS = 1_000_000
# Keywords that make a top-level mapping a schema fragment rather than a whole document.
_SCHEMA_KEYS = frozenset(
    {"type", "properties", "allOf", "oneOf", "anyOf", "items", "enum", "$ref", "required"}
)


def load_side(path: str, side: str, text: str) -> Tree:
    """The file's tree, or ``ContractParseError`` naming the side that cannot be read."""
    try:
        return read_document(text)
    except UnusableDocumentError as err:
        raise ContractParseError(path, side, str(err)) from err


def read_document(text: str | None) -> Tree:
    """The stripped tree of one side (empty for an absent one), JSON first, within the size
    bounds; ``UnusableDocumentError`` says why a side cannot be read. Callers share the tree
    within an evaluation and must not change it."""
    if text is None:
        return {}
    return cached("openapi", text, _load)


def document_kind(tree: Tree) -> DocumentKind:
    """``openapi`` for an OpenAPI 3 document (or an empty file), ``schema`` for a schema file."""
    version = tree.get("openapi")
    if not tree or (isinstance(version, str) and version.startswith("3.")):
        return "openapi"
    if "swagger" not in tree and ("paths" in tree or "components" in tree or "webhooks" in tree):
        # A fragment of a split description, without the version line: read it all the same.
        return "openapi"
    if "openapi" not in tree and "swagger" not in tree and _SCHEMA_KEYS & tree.keys():
        return "schema"
    return "opaque"


def _load(text: str) -> Tree:
    if _looks_like_json(text):
        if len(text) > MAX_JSON_CHARS:
            raise UnusableDocumentError(f"is larger than {MAX_JSON_CHARS // 1_000_000} MB")
        tree = _load_json(text)
        if tree is not None:
            return tree
    if len(text) > MAX_YAML_CHARS:
        raise UnusableDocumentError(
            f"is YAML larger than {MAX_YAML_CHARS // 1_000_000} MB, too slow to read (JSON is not)"
        )
    return parse_contract(text)


def _looks_like_json(text: str) -> bool:
    return text.lstrip("\ufeff \t\r\n").startswith("{")


def _load_json(text: str) -> Tree | None:
    """The stripped mapping, or None when the text is not strict JSON (YAML then decides)."""
    try:
        document = json.loads(text.lstrip("\ufeff"), parse_constant=_refuse_constant)
    except RecursionError as err:
        raise UnusableDocumentError("nests too deeply to read") from err
    except ValueError:
        return None
    if not isinstance(document, dict):
        return None
    try:
        return _strip_cosmetic(document, names=False)
    except RecursionError as err:
        raise UnusableDocumentError("nests too deeply to read") from err


def _refuse_constant(name: str) -> object:
    # NaN and Infinity are not JSON; the YAML reader gives them its own meaning.
    raise ValueError(name)
