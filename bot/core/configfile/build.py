"""Build a config section's dataclass from schema-valid data, by the model's type hints.

A key the file leaves out keeps the default at its place: the enclosing default instance's value
(``tiers.L2.reviewers`` merges onto L2's defaults), or the class's own default for the entries
of a list. A written ``when`` is the exception: it lists every rule, so a key it leaves out is
off (false, null, an empty list) rather than its default.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from bot.core.configfile.fields import (
    Doc,
    entry_type,
    is_enum,
    is_section,
    settings_of,
    unwrap,
)
from bot.core.configfile.rules import RuleSet

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

S = TypeVar("S", bound="DataclassInstance")


def build(cls: type[S], data: Mapping[str, Any], default: S | None) -> S:
    """The section ``cls`` from validated ``data``; keys it leaves out keep ``default``'s values
    (the class defaults when None)."""
    if issubclass(cls, RuleSet):
        return _written_when(cls, data)
    values = {
        s.name: read(s.hint, s.doc, data[s.key], _attribute(default, s.name))
        for s in settings_of(cls)
        if s.key in data
    }
    if default is None:
        return cls(**values)
    return dataclasses.replace(default, **values)


def read(hint: Any, about: Doc, value: Any, default: Any) -> Any:
    """One validated value as the model holds it: tuples for lists, whole numbers as ints."""
    base, _ = unwrap(hint)
    if value is None:
        return None
    if is_section(base):
        # An optional section left at None (tiers.L3.reviewers) merges onto its class defaults.
        return build(base, value, default if isinstance(default, base) else base())
    entry = entry_type(base)
    if entry is not None:
        return tuple(_entry(entry, about, item) for item in value)
    if about.keys:
        return {key: int(value[key]) for key in about.keys}
    if is_enum(base):
        return base(value)
    # YAML reads 2.0 as a float; the schema has checked it is whole.
    return int(value) if base is int else value


def _entry(entry: Any, about: Doc, item: Any) -> Any:
    if about.codec is not None:
        return about.codec.read(item)
    if is_section(entry):
        return build(entry, item, None)
    return item


def _written_when(cls: type[S], data: Mapping[str, Any]) -> S:
    settings = {
        s.name: read(s.hint, s.doc, data[s.key], None) if s.key in data else off(s.hint)
        for s in settings_of(cls)
    }
    return cls(**settings)


def off(hint: Any) -> object:
    """The value of a rule's key that a written ``when`` leaves out."""
    base, nullable = unwrap(hint)
    if nullable:
        return None
    if base is bool:
        return False
    if entry_type(base) is not None:
        return ()
    raise TypeError(f"a rule's key needs an off value: make {hint} a bool, optional or a list")


def _attribute(instance: object, name: str) -> object:
    return getattr(instance, name) if instance is not None else None
