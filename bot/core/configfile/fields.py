"""The description each model field carries, and the walk over the model that reads it.

A field of a config dataclass is declared with ``field(default=..., metadata=doc(...))``:
``doc`` holds the sentence editors show and the constraints the file must meet. The JSON Schema,
the builder and the semantic checks all read the model through ``settings_of``.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from enum import Enum, StrEnum
from functools import cache
from typing import Any, TypedDict, Unpack

from bot.core.configfile.rules import RuleSet

_DOC = "review-tiers"
_INTERNAL = "review-tiers-internal"
KeyPath = tuple[str | int, ...]


class Check(StrEnum):
    """A rule beyond JSON Schema for a text value (or each text entry of a list)."""

    GLOB = "glob"  # compiles as evaluation compiles it
    REGEX = "regex"  # runs on RE2
    LABEL = "label"  # fits GitHub's label length, with ``label_suffix`` appended


@dataclass(frozen=True)
class TextPattern:
    """A regex text must match, and the phrase completing "'x' is not ..." when it does not."""

    regex: str
    hint: str


@dataclass(frozen=True)
class Codec:
    """List entries with a shape of their own: their JSON Schema and how one is read."""

    schema: Mapping[str, object]
    read: Callable[[Any], object]


class Options(TypedDict, total=False):
    key: str
    required: bool
    const: int
    choices: tuple[str, ...]
    pattern: TextPattern
    nonempty: bool
    minimum: int
    min_items: int
    keys: tuple[str, ...]
    key_description: str
    entry: str
    codec: Codec
    check: Check
    label_suffix: str
    unique: bool


@dataclass(frozen=True)
class Doc:
    """What the config file says about one field.

    ``key``: its name in the file, when not the attribute's. ``required``: the file must write
    it although the model has a default. ``const``: its one allowed value. ``choices``: the
    allowed texts (null too when the type is optional). ``pattern``, ``nonempty``: rules for a
    text, or for each text entry of a list (entries are never empty). ``minimum``: for a
    number, or each value of a mapping. ``keys``: a mapping with exactly these keys, each
    described by ``key_description`` ("{key}" stands for the key). ``entry``: the description
    of each entry of a list of sections. ``codec``: list entries read by their own code.
    ``check`` and ``label_suffix``: a rule beyond JSON Schema. ``unique``: no two entries of
    the enclosing list may share the value.
    """

    description: str
    key: str | None = None
    required: bool = False
    const: int | None = None
    choices: tuple[str, ...] = ()
    pattern: TextPattern | None = None
    nonempty: bool = False
    minimum: int | None = None
    min_items: int = 0
    keys: tuple[str, ...] = ()
    key_description: str = ""
    entry: str = ""
    codec: Codec | None = None
    check: Check | None = None
    label_suffix: str = ""
    unique: bool = False


def doc(description: str, **options: Unpack[Options]) -> Mapping[str, Doc]:
    """Field metadata: ``field(default=..., metadata=doc("One sentence.", minimum=0))``."""
    return {_DOC: Doc(description, **options)}


def internal(why: str) -> Mapping[str, str]:
    """Metadata of a field that is not a key of the file: the policy sets it itself (where a
    rule came from, say), so the schema, the parser and the checks never see it."""
    return {_INTERNAL: why}


@dataclass(frozen=True)
class Setting:
    """One key of a section: the field's name and type, its key in the file, its ``Doc``."""

    name: str
    key: str
    hint: Any
    doc: Doc


def settings_of(cls: type) -> tuple[Setting, ...]:
    """The keys of a section class in file order; a RuleSet's come from its rules in turn."""
    return _settings(cls)


@cache
def _settings(cls: type) -> tuple[Setting, ...]:
    if issubclass(cls, RuleSet):
        return tuple(s for rule in cls.registry() for s in settings_of(rule))
    if not dataclasses.is_dataclass(cls):
        raise TypeError(f"{cls.__name__} is not a config section")
    hints = typing.get_type_hints(cls)
    found: list[Setting] = []
    for f in dataclasses.fields(cls):
        if _INTERNAL in f.metadata:
            continue
        about = f.metadata.get(_DOC)
        if not isinstance(about, Doc):
            raise TypeError(f"{cls.__name__}.{f.name} has no doc(...) metadata")
        found.append(Setting(f.name, about.key or f.name, hints[f.name], about))
    return tuple(found)


def is_section(hint: object) -> bool:
    """A class whose keys are fields: a config dataclass, or a RuleSet."""
    return isinstance(hint, type) and (dataclasses.is_dataclass(hint) or issubclass(hint, RuleSet))


def unwrap(hint: Any) -> tuple[Any, bool]:
    """``X | None`` → (X, True); anything else → (hint, False)."""
    if isinstance(hint, types.UnionType):
        rest = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(rest) == 1:
            return rest[0], True
    return hint, False


def entry_type(hint: Any) -> Any:
    """The entry type of ``tuple[X, ...]``, else None."""
    args = typing.get_args(hint)
    if typing.get_origin(hint) is tuple and len(args) == 2 and args[1] is Ellipsis:
        return args[0]
    return None


def is_enum(hint: object) -> bool:
    return isinstance(hint, type) and issubclass(hint, Enum)


def walk_settings(cls: type, prefix: KeyPath = ()) -> Iterator[tuple[KeyPath, Setting]]:
    """Every setting below a section with its key path; "*" stands for each list index."""
    for setting in settings_of(cls):
        path = (*prefix, setting.key)
        yield path, setting
        base, _ = unwrap(setting.hint)
        entry = entry_type(base)
        if is_section(base):
            yield from walk_settings(base, path)
        elif is_section(entry) and setting.doc.codec is None:
            yield from walk_settings(entry, (*path, "*"))
