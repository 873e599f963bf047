"""Split SQL migration text into statements and parse each with the first dialect that reads it.

Only the forward side of a file counts: in files with ``-- +migrate Up/Down``, ``-- +goose
Up/Down`` or ``-- migrate:up/down`` sections the down sections are dropped. Statements are found
by tokenizing (so semicolons inside strings, ``$$`` bodies and comments do not split) and keyed
by their tokens, so comments and layout never make a statement look new. Parsing tries a generic
reading first, then PostgreSQL, MySQL and SQLite (``PARSE_DIALECTS``, tried by the caller).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlglot
from sqlglot import Token, TokenType, exp
from sqlglot.errors import SqlglotError

from bot.core.interfaces.sql_comments import Nesting, nesting_difference, nests_by_default, tokenize

PARSE_DIALECTS: tuple[str | None, ...] = (None, "postgres", "mysql", "sqlite")
# PostgreSQL first: it reads dollar-quoted bodies; MySQL next for backslash escapes in strings.
SPLIT_DIALECTS: tuple[str | None, ...] = ("postgres", "mysql", "sqlite", None)
# Token types whose text is data, so their case is kept in a statement's key.
_CASED = frozenset(t for t in TokenType if t.name.endswith("STRING") or t.name == "IDENTIFIER")
_SECTION = re.compile(
    r"^[ \t]*--[ \t]*(?:\+(?:migrate|goose)[ \t]+(?P<a>up|down)|migrate:(?P<b>up|down))\b.*$",
    re.IGNORECASE | re.MULTILINE,
)
_BLOCK_OPENERS = frozenset({"BEGIN", "CASE"})
# ``END IF``, ``END LOOP`` and the like close blocks that are not counted.
_LOOP_ENDS = frozenset({"IF", "LOOP", "WHILE", "REPEAT", "FOR"})
# What a third-party parser may raise on hostile input besides its own errors: deep nesting
# exhausts the stack, and odd token sequences have surfaced as plain Python errors.
PARSER_FAILURES = (SqlglotError, RecursionError, ValueError, IndexError, KeyError, TypeError)


class SqlTextError(ValueError):
    """The text cannot be split into SQL statements in any dialect."""


@dataclass(frozen=True)
class Statement:
    """One statement: its text and its normalised key."""

    text: str
    key: str


@dataclass(frozen=True)
class Parsed:
    """A statement read by one dialect; ``command`` when only a raw-command reading worked."""

    expression: exp.Expr
    dialect: str | None

    @property
    def command(self) -> bool:
        return isinstance(self.expression, exp.Command)


def forward_sections(text: str) -> str:
    """The text without its down sections, for files that mark up and down sections.

    A down marker counts only after an up marker: in a file that never opens an up section
    (a plain or Flyway migration), a stray ``-- +goose Down`` line is a comment and hides
    nothing after it.
    """
    kept: list[str] = []
    position, keep, opened = 0, True, False
    for marker in _SECTION.finditer(text):
        up = (marker.group("a") or marker.group("b")).lower() == "up"
        if not up and not opened:
            continue
        if keep:
            kept.append(text[position : marker.start()])
        keep, opened = up, opened or up
        position = marker.end()
    if keep:
        kept.append(text[position:])
    return "\n".join(kept)


def unwrap_executable_comments(text: str) -> str:
    """MySQL runs what ``/*! ... */`` (or ``/*!50000 ... */``) holds: it is code, not a comment,
    so its markers are taken away and its contents read like any other statement."""
    out: list[str] = []
    position = 0
    while (start := text.find("/*!", position)) >= 0:
        end = text.find("*/", start + 3)
        body_start = start + 3
        while body_start < len(text) and text[body_start].isdigit():
            body_start += 1
        out.append(text[position:start])
        out.append(" " + text[body_start : end if end >= 0 else len(text)] + " ")
        position = len(text) if end < 0 else end + 2
    out.append(text[position:])
    return "".join(out)


@dataclass(frozen=True)
class Script:
    """The statements of a text, and how they differ if block comments nest otherwise."""

    statements: list[Statement]
    nesting: Nesting | None = None


def split_statements(text: str) -> list[Statement]:
    """The statements of ``text``, split by the first dialect that tokenizes all of it."""
    return read_script(text).statements


def read_script(text: str) -> Script:
    """The statements of ``text`` and, when comments nest in it, whether the reading of the
    other family of servers (nesting or not) finds other statements."""
    text = unwrap_executable_comments(text)
    for dialect in SPLIT_DIALECTS:
        statements = _split(text, dialect, nested=nests_by_default(dialect))
        if statements is None:
            continue

        def other(nested: bool, dialect: str | None = dialect) -> list[tuple[str, str]] | None:
            found = _split(text, dialect, nested=nested)
            return None if found is None else [(s.text, s.key) for s in found]

        pairs = [(s.text, s.key) for s in statements]
        return Script(statements, nesting_difference(text, dialect, pairs, other))
    raise SqlTextError("does not tokenize as SQL")


def _split(text: str, dialect: str | None, *, nested: bool) -> list[Statement] | None:
    try:
        tokens = tokenize(text, dialect, nested=nested)
    except PARSER_FAILURES:
        return None
    return [_statement(text, chunk) for chunk in _chunks(tokens)]


def _chunks(tokens: list[Token]) -> list[list[Token]]:
    """Tokens between semicolons, keeping ``BEGIN ... END`` bodies of CREATE statements whole.

    SQLite and MySQL triggers, and T-SQL ones, hold semicolons in an unquoted ``BEGIN ... END``
    body; only a statement that starts with CREATE can have one (a leading BEGIN is a
    transaction).
    """
    chunks: list[list[Token]] = [[]]
    depth = 0
    for index, token in enumerate(tokens):
        chunk = chunks[-1]
        if token.token_type == TokenType.SEMICOLON and depth == 0:
            chunks.append([])
            continue
        chunk.append(token)
        if chunk[0].text.upper() == "CREATE":
            depth = max(0, depth + _block_step(token, tokens[index + 1 : index + 2]))
    return [chunk for chunk in chunks if chunk]


def _block_step(token: Token, following: list[Token]) -> int:
    if token.token_type in _CASED:
        return 0  # a quoted identifier or a string, not a keyword
    word = token.text.upper()
    if word in _BLOCK_OPENERS:
        return 1
    if word == "END" and not (following and following[0].text.upper() in _LOOP_ENDS):
        return -1
    return 0


def _statement(text: str, tokens: list[Token]) -> Statement:
    key = " ".join(t.text if t.token_type in _CASED else t.text.upper() for t in tokens)
    return Statement(text[tokens[0].start : tokens[-1].end + 1], key)


def parse_one(text: str, dialect: str | None) -> Parsed | None:
    """``text`` read as exactly one statement of ``dialect``, or None."""
    reader = sqlglot.Dialect.get_or_raise(dialect)
    try:
        tokens = reader.tokenize(text)
        if any(t.token_type == TokenType.SEMICOLON for t in tokens):
            return None  # this dialect splits the text (a ``$$`` body it does not quote)
        expressions = [e for e in reader.parser().parse(tokens, text) if e]
    except PARSER_FAILURES:
        return None
    if len(expressions) != 1:
        return None
    return Parsed(expressions[0], dialect)
