"""Parse .proto source into a syntax tree within fixed bounds of size and nesting."""

from __future__ import annotations

import re
from typing import Protocol

from proto_schema_parser import ast
from proto_schema_parser.parser import Parser

# The parser reads about 100 KB of dense declarations a second (200 KB of a commented file):
# past this size a file is refused rather than compared, so one side stays within seconds.
MAX_SOURCE_CHARS = 512 * 1024
# The parser descends once per nested brace, bracket, parenthesis or angle bracket; real files
# nest a handful of levels, and this bound keeps far from Python's recursion limit.
MAX_NESTING = 32
_MAX_MESSAGE = 160

# Every alternative consumes text, unterminated strings and comments included, so a scan of a
# hostile file stays linear.
_TOKENS = re.compile(
    r"""//[^\n]*|/\*(?:[^*]|\*(?!/))*(?:\*/)?|"(?:[^"\\\n]|\\.)*"?|'(?:[^'\\\n]|\\.)*'?|[{}\[\]()<>]""",
    re.DOTALL,
)
_NOT_NEWLINE = re.compile(r"[^\n]")
_OPENERS = frozenset("{[(<")
_CLOSERS = frozenset("}])>")


class ProtoSyntaxError(ValueError):
    """The text is not a .proto file this comparison can read; the message says why."""


class _RaisingListener:
    """Turns the first syntax error into an exception instead of a line on stderr.

    The parser calls all four methods on every listener (the names are the runtime's), so the
    three reports that are not errors are accepted and ignored.
    """

    def syntaxError(
        self, recognizer: object, symbol: object, line: int, column: int, msg: str, e: object
    ) -> None:
        raise ProtoSyntaxError(f"does not parse (line {line}:{column}: {_shown(msg)})")

    def reportAmbiguity(self, *args: object) -> None:
        return None

    def reportAttemptingFullContext(self, *args: object) -> None:
        return None

    def reportContextSensitivity(self, *args: object) -> None:
        return None


class _Recognizer(Protocol):
    """What the raising listener needs of the generated lexer and parser."""

    def removeErrorListeners(self) -> None: ...

    def addErrorListener(self, listener: object) -> None: ...


def _listen(recognizer: _Recognizer) -> None:
    """Replace the default console listener of the lexer or parser with the raising one."""
    recognizer.removeErrorListeners()
    recognizer.addErrorListener(_RaisingListener())


_PARSER = Parser(setup_lexer=_listen, setup_parser=_listen)


def parse_proto_source(text: str) -> ast.File:
    """The syntax tree of ``text``; ``ProtoSyntaxError`` when it is too large, too deep or bad."""
    if len(text) > MAX_SOURCE_CHARS:
        limit = MAX_SOURCE_CHARS // 1024
        raise ProtoSyntaxError(f"is larger than {limit} KiB, too large to compare")
    depth = nesting_depth(text)
    if depth > MAX_NESTING:
        raise ProtoSyntaxError(f"nests {depth} levels deep, more than {MAX_NESTING}")
    try:
        return _PARSER.parse(blank_comments(text))
    except ProtoSyntaxError:
        raise
    # The parser builds its tree with int() and string slicing: a literal it cannot convert
    # (a hexadecimal field number, say) surfaces as one of these. RecursionError stays as a
    # last guard behind the nesting bound.
    except (ValueError, TypeError, AttributeError, IndexError, RecursionError) as err:
        raise ProtoSyntaxError(f"could not be read ({_shown(str(err))})") from err


def blank_comments(text: str) -> str:
    """``text`` with each comment turned into spaces, its line breaks kept.

    The parser's grammar keeps comments as declarations of their own, so it refuses one where
    protoc accepts any whitespace, as in ``[/* note */ default = X]``; comments never change a
    contract, and blanking them keeps line and column numbers in error messages.
    """
    return _TOKENS.sub(_blank_comment, text)


def _blank_comment(match: re.Match[str]) -> str:
    token = match.group()
    if token.startswith(("//", "/*")):
        return _NOT_NEWLINE.sub(" ", token)
    return token


def nesting_depth(text: str) -> int:
    """The deepest nesting of brackets of any kind outside strings and comments."""
    depth = deepest = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in _OPENERS:
            depth += 1
            deepest = max(deepest, depth)
        elif token in _CLOSERS:
            depth = max(depth - 1, 0)
    return deepest


def _shown(message: str) -> str:
    """A parser message made printable and short enough for one line of a report."""
    printable = "".join(c if c.isprintable() else repr(c)[1:-1] for c in message)
    if len(printable) <= _MAX_MESSAGE:
        return printable
    return printable[: _MAX_MESSAGE - 1] + "…"
