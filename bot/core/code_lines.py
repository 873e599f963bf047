"""The code of changed lines: each line without its comments and docstrings, read by Pygments.

A pattern of an invariant with ``match: code`` runs on this text, so ``# float is fine here``
does not touch a money rule. The whole file is lexed, not the hunk, so a block comment or a
docstring opened above the hunk is still seen as one. Ordinary string literals stay: a string
is data the program uses (an SQL query, a column name), while a comment or a docstring is not.
Comment tokens that the program does read (C preprocessor directives) stay as well.

MySQL runs what an executable comment (``/*! ... */``, ``/*!50000 ... */``) holds, so in SQL
files its contents are code, although Pygments lexes them as a comment.

When the text of the file cannot be read this way (no lexer for its name, contents missing or
over ``MAX_LEX_BYTES``, contents that do not match the diff, or more than ``MAX_LEX_TOKENS``
tokens to read), the caller gets a sentence saying why instead, and matches whole lines.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType

from pygments.lexer import Lexer
from pygments.lexers import get_lexer_for_filename
from pygments.token import Comment, String, Text, _TokenType, is_token_subtype
from pygments.util import ClassNotFound

# Pygments lexes about 0.1 to 0.25 MiB a second on one core: bigger files are matched on whole
# lines, so that no file holds a worker for more than a few seconds.
MAX_LEX_BYTES = 256 * 1024
# Pygments' lexers are regular expressions tried in turn at each position, so their time grows
# with the tokens they produce: 256 KiB of ordinary Python is about 70,000 tokens, while 256 KiB
# of one-character tokens ("! ! ! ...") is 260,000 and takes over ten seconds. Lexing stops
# after this many tokens (a deterministic bound, a few seconds at most), and the file is then
# matched on whole lines.
MAX_LEX_TOKENS = 100_000
# Comment tokens the language acts on: a C preprocessor directive is code.
_KEPT_COMMENTS = (Comment.Preproc, Comment.PreprocFile)
# Lexers of SQL dialects, by alias: in their files ``/*!`` opens code that MySQL runs.
_SQL_LEXERS = frozenset({"sql", "mysql", "tsql", "t-sql", "postgresql", "postgres", "plpgsql"})


class LexBudgetExceeded(Exception):
    """The lexer produced more tokens than it may: its time is no longer bounded enough."""


@dataclass(frozen=True)
class CodeLines:
    """The code-only text of the requested lines, keyed by line number, or why it is unknown."""

    code: Mapping[int, str]
    problem: str | None = None


def code_lines(
    path: str, text: str | None, lines: Sequence[tuple[int, str]], max_tokens: int | None = None
) -> CodeLines:
    """The code of ``lines`` (1-based number, text in the diff) of ``text``, ``path``'s contents,
    lexing at most ``max_tokens`` tokens (``MAX_LEX_TOKENS`` unless given)."""
    if not lines:
        return CodeLines({})
    problem = _unreadable(text, lines)
    if problem is not None or text is None:
        return CodeLines({}, problem)
    budget = MAX_LEX_TOKENS if max_tokens is None else max_tokens
    return _lexed(path, text, frozenset(number for number, _ in lines), budget)


@lru_cache(maxsize=32)
def _lexed(path: str, text: str, wanted: frozenset[int], budget: int) -> CodeLines:
    """Cached: invariants sharing a file lex it once per side."""
    lexer = _lexer(path)
    if lexer is None:
        return CodeLines({}, "no lexer knows its file name")
    tokens = _bounded(lexer.get_tokens(text), budget)
    if _SQL_LEXERS & set(lexer.aliases):
        tokens = executable_comments(tokens)
    try:
        return CodeLines(MappingProxyType(_split(tokens, wanted)))
    except LexBudgetExceeded:
        return CodeLines({}, f"lexing it took too long (over {budget:,} tokens)")


def _bounded(
    tokens: Iterable[tuple[_TokenType, str]], budget: int
) -> Iterator[tuple[_TokenType, str]]:
    for count, token in enumerate(tokens):
        if count >= budget:
            raise LexBudgetExceeded
        yield token


def executable_comments(
    tokens: Iterable[tuple[_TokenType, str]],
) -> Iterator[tuple[_TokenType, str]]:
    """SQL tokens with what ``/*! ... */`` holds turned from comment into code.

    Pygments' SQL lexers give ``/*``, the body (in pieces around any ``*`` or ``/``) and ``*/``
    as comment tokens; a body that opens with ``!`` is MySQL's executable comment. Its markers
    stay comments; all up to the ``*/`` that closes it is code.
    """
    depth = 0  # > 0 inside an executable comment: the comment nesting Pygments counts
    opened = False  # the previous token opened a comment
    for kind, value in tokens:
        multiline = is_token_subtype(kind, Comment.Multiline)
        if depth:
            depth += (value == "/*") - (value == "*/") if multiline else 0
            yield (kind if depth == 0 else Text), value
        elif opened and multiline and value.startswith("!"):
            depth = 1
            yield Text, value
        else:
            yield kind, value
        opened = multiline and value == "/*" and not depth


def _unreadable(text: str | None, lines: Sequence[tuple[int, str]]) -> str | None:
    if text is None:
        return "its contents were not available"
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_LEX_BYTES:
        return f"it is {size} bytes, over the {MAX_LEX_BYTES // 1024} KiB that are lexed"
    if "\r" in text.replace("\r\n", ""):
        # The lexer reads a lone carriage return as a line end: its lines would not be git's.
        return "it has carriage returns that do not end a line"
    file_lines = text.split("\n")
    for number, line in lines:
        if number > len(file_lines) or file_lines[number - 1].removesuffix("\r") != line:
            return "its contents do not match the diff"
    return None


def _lexer(path: str) -> Lexer | None:
    name = path.rsplit("/", 1)[-1]
    try:
        # Keep every newline where it is, so token lines are file lines.
        return get_lexer_for_filename(name, stripnl=False, stripall=False, ensurenl=True)
    except ClassNotFound:
        return None


def is_code(kind: _TokenType) -> bool:
    """Whether a token is code: anything but a comment or a docstring."""
    if is_token_subtype(kind, String.Doc):
        return False
    if not is_token_subtype(kind, Comment):
        return True
    return any(is_token_subtype(kind, kept) for kept in _KEPT_COMMENTS)


def _split(tokens: Iterable[tuple[_TokenType, str]], wanted: frozenset[int]) -> dict[int, str]:
    """Each wanted line's code; a removed token leaves a space so words do not join."""
    code: dict[int, list[str]] = {n: [] for n in wanted}
    number = 1
    last = max(wanted)
    for kind, value in tokens:
        keep = is_code(kind)
        pieces = value.split("\n")
        for index, piece in enumerate(pieces):
            if index:
                number += 1
            if number in code and piece:
                code[number].append(piece if keep else " ")
        if number > last:
            break
    return {n: "".join(parts) for n, parts in code.items()}
