"""The JSON Schema (draft 2020-12) of a config section, derived from its dataclass.

Types come from the type hints, sentences and constraints from each field's ``doc``, and
defaults from a default instance, so ``Policy()`` and the published defaults cannot differ.
Sections are closed (``additionalProperties: false``); a key is required when its field has
no default or says ``required``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from enum import Enum
from typing import Any

from bot.core.configfile.fields import (
    Doc,
    entry_type,
    is_enum,
    is_section,
    settings_of,
    unwrap,
)
from bot.core.configfile.rules import RuleSet

Schema = dict[str, object]
_NO_DEFAULT: Any = dataclasses.MISSING
_JSON_TYPES: dict[type, str] = {bool: "boolean", int: "integer", str: "string"}


def section_schema(cls: type, description: str, default: object = None) -> Schema:
    """A section's object schema; ``default`` is the instance its defaults come from (None: the
    class's own defaults, as for the entries of a list)."""
    properties: Schema = {}
    required: list[str] = []
    for setting in settings_of(cls):
        value = _default_of(cls, setting.name, default)
        properties[setting.key] = value_schema(setting.hint, setting.doc, value)
        if setting.doc.required or value is _NO_DEFAULT:
            required.append(setting.key)
    schema: Schema = {"type": "object", "description": description, "properties": properties}
    return {**schema, "additionalProperties": False, **({"required": required} if required else {})}


def _default_of(cls: type, name: str, instance: object) -> object:
    if isinstance(instance, RuleSet):
        return next(getattr(r, name) for r in instance.rules if hasattr(r, name))
    if instance is not None:
        return getattr(instance, name)
    for f in dataclasses.fields(cls):
        if f.name == name and f.default is not dataclasses.MISSING:
            return f.default
        if f.name == name and f.default_factory is not dataclasses.MISSING:
            return f.default_factory()
    return _NO_DEFAULT


def value_schema(hint: Any, about: Doc, default: object) -> Schema:
    """The schema of one key: its type (or choices), its constraints, its description and,
    unless it is a section, required, or null, its default."""
    base, nullable = unwrap(hint)
    if is_section(base):
        # An optional section (tiers.L3.reviewers) shows the defaults it is merged onto.
        instance = default if isinstance(default, base) else base()
        return section_schema(base, about.description, instance)
    schema = _typed(base, nullable, about, default)
    schema["description"] = about.description
    if default is not None and default is not _NO_DEFAULT and about.const is None:
        schema["default"] = _json(default)
    return schema


def _typed(base: Any, nullable: bool, about: Doc, default: object) -> Schema:
    if about.const is not None:
        return {"const": about.const}
    entry = entry_type(base)
    if entry is not None:
        return _array(entry, about)
    if about.keys:
        return _mapping(about, default if isinstance(default, Mapping) else {})
    choices: list[object] = [m.value for m in base] if is_enum(base) else list(about.choices)
    if choices:
        return {"enum": [*choices, None] if nullable else choices}
    name = _JSON_TYPES[base]
    schema: Schema = {"type": [name, "null"] if nullable else name}
    return {**schema, **_text_rules(about), **_number_rules(about)}


def _array(entry: Any, about: Doc) -> Schema:
    if about.codec is not None:
        items: Schema = dict(about.codec.schema)
    elif is_section(entry):
        items = section_schema(entry, about.entry)
    elif about.choices:
        items = {"enum": list(about.choices)}
    else:
        items = {"type": _JSON_TYPES[entry], "minLength": 1, **_text_rules(about)}
    schema: Schema = {"type": "array", "items": items}
    return {**schema, **({"minItems": about.min_items} if about.min_items else {})}


def _mapping(about: Doc, default: Mapping[str, object]) -> Schema:
    """A mapping with fixed keys, all required; each value a whole number."""
    properties: Schema = {}
    for key in about.keys:
        value: Schema = {"type": "integer", **_number_rules(about)}
        value["description"] = about.key_description.format(key=key)
        properties[key] = {**value, **({"default": default[key]} if key in default else {})}
    return {
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
        "required": list(about.keys),
    }


def _text_rules(about: Doc) -> Schema:
    rules: Schema = {"minLength": 1} if about.nonempty else {}
    return {**rules, **({"pattern": about.pattern.regex} if about.pattern else {})}


def _number_rules(about: Doc) -> Schema:
    return {"minimum": about.minimum} if about.minimum is not None else {}


def _json(value: object) -> object:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_json(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _json(v) for k, v in value.items()}
    return value
