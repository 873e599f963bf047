"""Classify statements the SQL parser kept only as raw commands, by their leading words.

``CREATE FUNCTION ... RETURNS trigger``, ``ALTER TYPE ... ADD VALUE``, ``ALTER FUNCTION ...
RENAME TO`` and the like: the object kind and name are read from the words; a drop or a rename
is breaking, a creation is not. ``DO``, ``CALL`` and ``EXECUTE`` run code the comparator cannot
judge, and anything else is breaking because it was not recognised.
"""

from __future__ import annotations

from bot.core.interfaces.sql_steps import (
    Finding,
    breaking,
    dropped,
    excerpt,
    non_breaking,
    renamed,
    runs_code,
)

# Transaction control, settings and maintenance: no effect on the schema or its data.
IGNORED = frozenset(
    {"BEGIN", "COMMIT", "END", "START", "SET", "RESET", "ANALYZE", "VACUUM", "CHECKPOINT"}
    | {"LOCK", "PRAGMA", "USE", "SHOW", "EXPLAIN", "DISCARD", "NOTIFY", "LISTEN", "REFRESH"}
)
# Modifiers between the verb and the object kind, or between the kind and the name.
_MODIFIERS = frozenset(
    {"OR", "REPLACE", "TEMP", "TEMPORARY", "UNIQUE", "IF", "NOT", "EXISTS", "MATERIALIZED"}
    | {"TRUSTED", "PROCEDURAL", "GLOBAL", "LOCAL", "UNLOGGED", "RECURSIVE", "CONCURRENTLY"}
)
_PARTS = frozenset({"VALUE", "COLUMN", "ATTRIBUTE", "CONSTRAINT"})
# Statements whose effect is code run on the server: a block, a procedure, a prepared statement.
_RUNS_CODE = frozenset({"DO", "CALL", "EXECUTE", "EXEC", "PERFORM", "SOURCE"})


def classify_command(keyword: str, text: str) -> tuple[Finding, ...]:
    """The findings of a raw command whose first word is ``keyword``."""
    words = text.split()
    upper = [w.upper() for w in words]
    if keyword in IGNORED:
        return ()
    if keyword in _RUNS_CODE:
        return (runs_code(f'"{excerpt(text)}"'),)
    target = _object(words)
    if target is None:
        return (breaking(f'statement "{excerpt(text)}" not recognised'),)
    kind, name, rest = target
    if keyword == "CREATE":
        replaced = " or replaced" if "REPLACE" in upper[:3] else ""
        return (non_breaking(f"{kind} {name} created{replaced}"),)
    if keyword == "DROP":
        return (dropped(kind, name),)
    if keyword == "RENAME":
        return (renamed(kind, name, rest[-1] if rest else "?"),)
    if keyword == "ALTER":
        return (_alter(kind, name, rest, text),)
    return (breaking(f'statement "{excerpt(text)}" not recognised'),)


def _object(words: list[str]) -> tuple[str, str, list[str]] | None:
    """The object kind, its name and the words after it: ``CREATE OR REPLACE FUNCTION f(...)``."""
    rest = words[1:]
    while rest and rest[0].upper() in _MODIFIERS:
        rest = rest[1:]
    if len(rest) < 2:
        return None
    kind, rest = rest[0].lower(), rest[1:]
    while len(rest) > 1 and rest[0].upper() in _MODIFIERS:
        rest = rest[1:]
    name = rest[0].split("(")[0]
    return (kind, name, rest[1:]) if name else None


def _alter(kind: str, name: str, rest: list[str], text: str) -> Finding:
    upper = [w.upper() for w in rest]
    if upper[:2] == ["ADD", "VALUE"]:
        values = [w for w in rest if w.startswith("'")]
        return non_breaking(f"{kind} {name}: value {values[0] if values else '?'} added")
    if "RENAME" in upper:
        after = rest[upper.index("RENAME") + 1 :]
        if len(after) >= 4 and after[0].upper() in _PARTS and after[2].upper() == "TO":
            return renamed(f"{kind} {name}: {after[0].lower()}", after[1], after[3])
        return renamed(kind, name, after[-1] if after else "?")
    if "DROP" in upper:
        return breaking(f'{kind} {name}: "{excerpt(" ".join(rest))}" drops part of it')
    return breaking(f'{kind} {name}: alteration "{excerpt(text)}" not recognised')
