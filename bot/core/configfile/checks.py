"""The rules of the config file JSON Schema cannot express, found by the model's ``doc`` metadata.

A field marked ``check=`` has each of its texts checked (every entry, for a list): a glob by the
compiler evaluation matches with, a regex by RE2, a label by GitHub's length limit. A field
marked ``unique`` may not repeat a value within its list. Each rule tolerates values of the
wrong type: the schema reports those.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from bot.core.configfile.fields import Check, Doc, entry_type, unwrap, walk_settings
from bot.core.globs import glob_problem
from bot.core.patterns import pattern_problem
from bot.core.yamlpos import KeyPath, format_path, walk

LABEL_MAX_CHARS = 50  # GitHub rejects longer label names.
Finding = tuple[KeyPath, str]


def label_problem(name: str) -> str | None:
    if len(name) <= LABEL_MAX_CHARS:
        return None
    return f"label '{name}' has {len(name)} characters; GitHub allows at most {LABEL_MAX_CHARS}"


_TEXT_RULES: dict[Check, Callable[[str, Doc], str | None]] = {
    # The compiler evaluation matches with: what passes here always compiles there.
    Check.GLOB: lambda text, _: glob_problem(text),
    # Patterns run on a linear-time engine: what it cannot compile is an error here.
    Check.REGEX: lambda text, _: pattern_problem(text),
    # A prefix must still fit with the longest text the App appends to it.
    Check.LABEL: lambda text, about: label_problem(text + about.label_suffix),
}


def field_findings(model: type, data: object) -> Iterator[Finding]:
    """Every finding of the ``check`` and ``unique`` rules of ``model``'s fields in ``data``."""
    for pattern, setting in walk_settings(model):
        about = setting.doc
        listed = entry_type(unwrap(setting.hint)[0]) is str
        texts = (*pattern, "*") if listed else pattern
        if about.check is not None:
            rule = _TEXT_RULES[about.check]
            for path, value in walk(data, texts):
                message = rule(value, about) if isinstance(value, str) else None
                if message:
                    yield path, message
        if about.unique:
            yield from _duplicates(data, pattern)


def _duplicates(data: object, pattern: KeyPath) -> Iterator[Finding]:
    seen: dict[tuple[KeyPath, str], KeyPath] = {}
    for path, value in walk(data, pattern):
        if not isinstance(value, str):
            continue
        # Entries of the same list share the path up to their index.
        where = (path[:-2], value)
        if where in seen:
            yield (
                path,
                f"duplicate {path[-1]} '{value}' (already used by {format_path(seen[where])})",
            )
        else:
            seen[where] = path
