"""Schema violations as plain sentences, each with the key path it is about."""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from jsonschema import ValidationError

from bot.core.yamlpos import KeyPath, describe


def explain(error: ValidationError, hints: Mapping[str, str]) -> Iterator[tuple[KeyPath, str]]:
    """(key path, sentence) for one violation; ``hints`` completes "'x' is not ..." for each
    pattern."""
    path: KeyPath = tuple(error.absolute_path)
    # The stubs allow for errors built by hand without these; the validator always sets them.
    kind, expected, instance, schema = _parts(error)
    if kind == "additionalProperties":
        known = list(schema.get("properties", {}))
        for key in sorted(set(instance) - set(known)):
            yield (*path, key), _unknown_key(key, known)
    elif kind == "required":
        for key in [k for k in expected if k not in instance]:
            yield (*path, key), _MISSING.get(key, "required key is missing")
    elif kind == "oneOf":
        yield from _one_of(error, path, hints)
    elif kind == "pattern":
        yield path, f"{instance!r} is not {hints.get(expected, expected)}"
    else:
        sentence = _MESSAGES.get(kind)
        yield path, sentence(expected, instance) if sentence else str(error.message)


def _parts(error: ValidationError) -> tuple[str, Any, Any, Any]:
    return str(error.validator), error.validator_value, error.instance, error.schema


def _one_of(
    error: ValidationError, path: KeyPath, hints: Mapping[str, str]
) -> Iterator[tuple[KeyPath, str]]:
    """Explain the branch the value was meant for (by its type), or which keys it must choose."""
    _, branches, instance, _ = _parts(error)
    keys = [b["required"][0] for b in branches if list(b) == ["required"]]
    if len(keys) == len(branches):
        present = [k for k in keys if isinstance(instance, dict) and k in instance]
        if not present:
            yield path, f"names no source: add one of {', '.join(keys)}"
        else:
            yield path, f"names more than one source ({' and '.join(present)}): keep exactly one"
        return
    fitting = [i for i, b in enumerate(branches) if _fits(b.get("type"), instance)]
    if not fitting:
        yield path, _type([b["type"] for b in branches if "type" in b], instance)
        return
    for sub in error.context:
        if sub.relative_schema_path[0] == fitting[0]:
            yield from explain(sub, hints)


def _fits(kind: str | list[str] | None, instance: object) -> bool:
    names = [] if kind is None else [kind] if isinstance(kind, str) else kind
    checks = {"string": str, "object": dict, "array": list}
    return any(isinstance(instance, checks.get(n, ())) for n in names)


def _unknown_key(key: str, known: list[str]) -> str:
    close = difflib.get_close_matches(key, known, n=1)
    hint = f"did you mean '{close[0]}'?" if close else f"expected one of: {', '.join(known)}"
    return f"unknown key '{key}'; {hint}"


def _type(expected: Any, instance: object) -> str:
    names = [expected] if isinstance(expected, str) else list(expected)
    return f"must be {' or '.join(_TYPE_NAMES[n] for n in names)}, not {describe(instance)}"


def _enum(allowed: list[object], instance: object) -> str:
    choices = ", ".join("null" if a is None else str(a) for a in allowed)
    return f"must be one of {choices}; not {describe(instance)}"


_TYPE_NAMES = {"object": "a mapping", "array": "a list", "string": "text", "null": "null"}
_TYPE_NAMES.update(integer="a whole number", boolean="true or false")
_MISSING = {"version": "required: must be 1 (add `version: 1` at the top of the file)"}
_MESSAGES: dict[str, Callable[[Any, Any], str]] = {
    "type": _type,
    "enum": _enum,
    "const": lambda value, instance: f"must be {json.dumps(value)}, not {describe(instance)}",
    "minimum": lambda value, instance: f"must be at least {value}, not {instance}",
    "minLength": lambda _value, _instance: "must not be empty",
    "minItems": lambda _value, _instance: "must list at least one entry",
}
