"""Reading a webhook payload: typed access to its fields, every defect a PayloadError."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

_T = TypeVar("_T")


class PayloadError(ValueError):
    """A delivery whose JSON lacks a field the router needs, or holds the wrong type."""


def summarize(payload: Any) -> dict[str, Any]:
    """Loggable ids of a delivery (action, installation, repository); never raises."""
    summary: dict[str, Any] = {}
    for name, path, kind in _SUMMARY_FIELDS:
        try:
            summary[name] = optional_at(payload, path, kind)
        except PayloadError:
            summary[name] = None
    return summary


def number_at(node: Any, path: str, where: str = "") -> int:
    number = field_at(node, path, int, where)
    if number < 1:
        raise PayloadError(f"payload field {_join(where, path)} must be positive, got {number}")
    return number


def field_at(node: Any, path: str, kind: type[_T], where: str = "") -> _T:
    value = optional_at(node, path, kind, where)
    if value is None:
        raise PayloadError(f"payload has no {_join(where, path)}")
    return value


def object_at(node: Any, path: str) -> Mapping[str, Any]:
    """The JSON object at a dotted path (``field_at`` takes only concrete types to check)."""
    value = field_at(node, path, object)
    if not isinstance(value, Mapping):
        raise PayloadError(f"payload field {path} is {_json_type(value)}, not object")
    return value


def optional_at(node: Any, path: str, kind: type[_T], where: str = "") -> _T | None:
    """The value at a dotted path, None when absent or null, PayloadError on a wrong type."""
    walked = where
    for key in path.split("."):
        if node is None:
            return None
        if not isinstance(node, Mapping):
            raise PayloadError(f"payload field {walked} is {_json_type(node)}, not object")
        node = node.get(key)
        walked = _join(walked, key)
    if node is None:
        return None
    # bool is an int subclass, but true is never a valid id or number.
    if not isinstance(node, kind) or (kind is int and isinstance(node, bool)):
        expected = _JSON_TYPES.get(kind, kind.__name__)
        raise PayloadError(f"payload field {walked} is {_json_type(node)}, not {expected}")
    return node


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    return next((name for kind, name in _JSON_TYPES.items() if isinstance(value, kind)), "value")


def _join(where: str, path: str) -> str:
    return f"{where}.{path}" if where else path


_JSON_TYPES: dict[type, str] = {
    str: "string",
    int: "integer",
    float: "number",
    list: "array",
    Mapping: "object",
}


_SUMMARY_FIELDS: tuple[tuple[str, str, type], ...] = (
    ("action", "action", str),
    ("installation_id", "installation.id", int),
    ("repository", "repository.full_name", str),
)
