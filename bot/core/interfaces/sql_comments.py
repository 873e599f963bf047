"""Whether SQL text reads the same when block comments nest and when they do not.

PostgreSQL nests ``/* ... */`` comments: ``/* a /* b */ c */`` is one comment. MySQL and SQLite
end a comment at the first ``*/``. A migration does not say which server runs it, so in
``/* old /* note */ DROP TABLE t; */`` the DROP is a comment to one server and a statement to
another. The text is tokenized both ways in the dialect that splits it; when the readings find
different statements (or only one reading tokenizes at all), the caller gets a ``Nesting``
naming them and rates it breaking, rather than trust either reading (fail closed).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import sqlglot
from sqlglot import Token
from sqlglot.tokens import Tokenizer

from bot.core.text import one_line

_OPENER = "/*"
# Statements quoted in the sentence: enough to see what one reading hides from the other.
_SHOWN = 3
_EXCERPT = 60


@dataclass(frozen=True)
class Nesting:
    """The statements one comment reading finds and the other does not.

    ``key`` identifies the ambiguity when two sides of a file are compared: the same nested
    comment hiding the same statements on both sides is one unchanged step.
    """

    key: str
    what: str


@lru_cache(maxsize=16)
def _tokenizer(dialect: str | None, nested: bool) -> type[Tokenizer]:
    base = sqlglot.Dialect.get_or_raise(dialect).tokenizer_class
    return type(f"{base.__name__}Nesting{nested}", (base,), {"NESTED_COMMENTS": nested})


def nests_by_default(dialect: str | None) -> bool:
    return bool(sqlglot.Dialect.get_or_raise(dialect).tokenizer_class.NESTED_COMMENTS)


def tokenize(text: str, dialect: str | None, *, nested: bool) -> list[Token]:
    """``text`` tokenized by ``dialect`` with comments nesting or not; raises on failure."""
    reader = sqlglot.Dialect.get_or_raise(dialect)
    tokens: list[Token] = _tokenizer(dialect, nested)(dialect=reader).tokenize(text)
    return tokens


def nesting_difference(
    text: str,
    dialect: str | None,
    keys: list[tuple[str, str]],
    read_other: Callable[[bool], list[tuple[str, str]] | None],
) -> Nesting | None:
    """How the other comment reading of ``text`` differs from ``keys`` (text, key per
    statement, read with ``dialect``'s own nesting), or None when it cannot differ or does not.

    ``read_other(nested)`` reads the statements with the other nesting, None if it fails.
    """
    if text.count(_OPENER) < 2:
        return None  # a comment holds no ``/*`` to nest: both readings are the same
    nested = nests_by_default(dialect)
    other = read_other(not nested)
    if other is not None and [k for _, k in other] == [k for _, k in keys]:
        return None
    if other is None:
        key = "nested comments, one reading: " + " ; ".join(k for _, k in keys)
        return Nesting(key, _sentence("one of the two readings does not tokenize"))
    mine = {k for _, k in keys}
    theirs = {k for _, k in other}
    differing = [t for t, k in keys if k not in theirs] + [t for t, k in other if k not in mine]
    shown = ", ".join(f'"{one_line(t, _EXCERPT)}"' for t in differing[:_SHOWN])
    more = f" and {len(differing) - _SHOWN} more" if len(differing) > _SHOWN else ""
    key = "nested comments: " + " ; ".join(sorted(mine ^ theirs))
    return Nesting(key, _sentence(f"the readings differ on {shown}{more}"))


def _sentence(detail: str) -> str:
    return (
        "block comments read differently where they nest (PostgreSQL) and where they do not"
        f" (MySQL, SQLite), and the dialect is not known: {detail}"
    )
