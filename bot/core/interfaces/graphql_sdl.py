"""Parse the SDL files of one side of a GraphQL interface, within bounds on size and nesting."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from graphql import GraphQLError, Source, parse
from graphql.language import DocumentNode, Lexer, Token, TokenKind

from bot.core.severity import ContractParseError

# GitHub's public schema, one of the largest published, is 1.2 MB and 61,000 tokens. These
# caps leave room for three times that on one side while keeping the parse of both sides to
# a few seconds of pure Python.
MAX_SIDE_CHARS = 4_000_000
MAX_SIDE_TOKENS = 200_000
MAX_SIDE_COMMENTS = 200_000
# Brackets nest a few levels in real schemas ([[Int!]!], input object defaults). Deeper
# nesting is refused here, before building and comparing walk it recursively.
MAX_NESTING = 64
_OPENING = frozenset({TokenKind.BRACKET_L, TokenKind.BRACE_L, TokenKind.PAREN_L})
_CLOSING = frozenset({TokenKind.BRACKET_R, TokenKind.BRACE_R, TokenKind.PAREN_R})


@dataclass(frozen=True)
class SdlFile:
    """One parsed SDL file of a side, under its path."""

    path: str
    document: DocumentNode


@dataclass
class _Budget:
    """What is left of a side's allowance as its files are parsed one after another."""

    tokens: int
    comments: int


def parse_side(files: Mapping[str, str], side: str) -> tuple[SdlFile, ...]:
    """Parse each file of a side, in path order; a file with no definitions parses as empty."""
    total = sum(len(text) for text in files.values())
    if total > MAX_SIDE_CHARS:
        first = min(files)
        why = f"holds {total:,} characters of SDL, more than the {MAX_SIDE_CHARS:,} read"
        raise ContractParseError(first, side, why)
    budget = _Budget(MAX_SIDE_TOKENS, MAX_SIDE_COMMENTS)
    return tuple(
        SdlFile(path, _parse_file(path, files[path], side, budget)) for path in sorted(files)
    )


def _parse_file(path: str, text: str, side: str, budget: _Budget) -> DocumentNode:
    if budget.tokens <= 0 or budget.comments <= 0:
        why = f"is past the {MAX_SIDE_TOKENS:,} tokens read from one side's SDL files"
        raise ContractParseError(path, side, why)
    source = Source(text, path)
    try:
        if _is_blank(source):
            return DocumentNode(definitions=())
        document = parse(
            source,
            max_lexical_tokens=budget.tokens,
            max_comments=budget.comments,
        )
    except GraphQLError as err:
        raise ContractParseError(
            path, side, f"does not parse as GraphQL SDL: {_where(err)}"
        ) from err
    _spend(path, side, document, budget)
    return document


def _is_blank(source: Source) -> bool:
    """No definitions at all: only whitespace and comments, which the grammar rejects."""
    return Lexer(source).lookahead().kind == TokenKind.EOF


def _spend(path: str, side: str, document: DocumentNode, budget: _Budget) -> None:
    """Charge the file's tokens to the side's budget and refuse brackets nested too deep."""
    token: Token | None = document.loc.start_token if document.loc else None
    depth = 0
    while token is not None:
        if token.kind == TokenKind.COMMENT:
            budget.comments -= 1
        else:
            budget.tokens -= 1
        if token.kind in _OPENING:
            depth += 1
            if depth > MAX_NESTING:
                why = f"nests brackets more than {MAX_NESTING} deep (line {token.line})"
                raise ContractParseError(path, side, why)
        elif token.kind in _CLOSING:
            depth -= 1
        token = token.next


def _where(err: GraphQLError) -> str:
    message = err.message.removeprefix("Syntax Error: ")
    if err.locations:
        first = err.locations[0]
        return f"{message} (line {first.line}, column {first.column})"
    return message
