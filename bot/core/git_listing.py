"""Read git's machine-readable listings of a change: ``--raw -z`` and ``--numstat -z``.

Both come as bytes, paths unquoted and NUL-terminated, so names with spaces, newlines or
non-UTF-8 bytes arrive intact; they are decoded as UTF-8 with replacement, like the patch text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.core.diff import DiffError

# What the mode field says for a submodule (a gitlink).
GITLINK = b"160000"


@dataclass(frozen=True)
class Listed:
    """One entry of ``git diff --raw -z``: git's status letter and both paths as bytes."""

    status: str  # A, D, M, R, T (C, U and X are not expected from the options evaluate uses)
    path: bytes
    previous: bytes | None = None  # the old path of a rename
    # Object ids of the old and new side (all zeros for a side that does not exist).
    old_id: bytes = b""
    new_id: bytes = b""

    @property
    def name(self) -> str:
        return decode_path(self.path)

    @property
    def previous_name(self) -> str | None:
        return decode_path(self.previous) if self.previous is not None else None


@dataclass(frozen=True)
class Counts:
    """One entry of ``git diff --numstat -z``; no counts for a binary file."""

    path: bytes
    previous: bytes | None
    additions: int | None
    deletions: int | None


# The empty blob, in SHA-1 and SHA-256 repositories.
EMPTY_BLOBS = (
    b"e69de29bb2d1d6434b8b29ae775ad8c2e48c5391",
    b"473a0f4c3be8a93681a267e3b1e9a7dcda1185436fe141f7749120a303721813",
)


def decode_path(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")


def _tokens(out: bytes) -> list[bytes]:
    tokens = out.split(b"\x00")
    if tokens and tokens[-1] == b"":
        tokens.pop()
    return tokens


def parse_raw(out: bytes) -> tuple[Listed, ...]:
    """Entries of ``git diff --raw -z``: ``:mode mode sha sha STATUS\\0path\\0[path\\0]``."""
    tokens, found, i = _tokens(out), [], 0
    try:
        while i < len(tokens):
            fields = tokens[i].split(b" ")
            if not tokens[i].startswith(b":") or len(fields) != 5 or not fields[4]:
                raise DiffError(f"unexpected git diff --raw entry: {tokens[i][:80]!r}")
            letter = fields[4][:1].decode("ascii", errors="replace")
            if letter in ("R", "C"):
                found.append(Listed(letter, tokens[i + 2], tokens[i + 1], fields[2], fields[3]))
                i += 3
            else:
                found.append(Listed(letter, tokens[i + 1], None, fields[2], fields[3]))
                i += 2
    except IndexError as err:
        raise DiffError("git diff --raw output ends in the middle of an entry") from err
    return tuple(found)


def parse_numstat(out: bytes) -> tuple[Counts, ...]:
    """Entries of ``git diff --numstat -z``: ``add\\tdel\\tpath\\0``, or for a rename
    ``add\\tdel\\t\\0old\\0new\\0``; ``-`` counts mark a binary file."""
    tokens, found, i = _tokens(out), [], 0
    try:
        while i < len(tokens):
            parts = tokens[i].split(b"\t", 2)
            if len(parts) != 3:
                raise DiffError(f"unexpected git diff --numstat entry: {tokens[i][:80]!r}")
            previous, path = (tokens[i + 1], tokens[i + 2]) if parts[2] == b"" else (None, parts[2])
            i += 3 if parts[2] == b"" else 1
            found.append(Counts(path, previous, _count(parts[0]), _count(parts[1])))
    except IndexError as err:
        raise DiffError("git diff --numstat output ends in the middle of an entry") from err
    return tuple(found)


def _count(field: bytes) -> int | None:
    if field == b"-":
        return None
    if not field.isdigit():
        raise DiffError(f"unexpected line count in git diff --numstat: {field[:20]!r}")
    return int(field)


_NEEDS_QUOTES = re.compile(rb'[\x00-\x1f"\\\x7f]')
_ESCAPES = {7: b"\\a", 8: b"\\b", 9: b"\\t", 10: b"\\n", 11: b"\\v", 12: b"\\f", 13: b"\\r"}


def quote_path(name: bytes) -> bytes:
    """A path as git writes it in a patch header with ``core.quotePath=false``: as is, or in
    double quotes with C escapes when it holds a control character, a quote or a backslash."""
    if _NEEDS_QUOTES.search(name) is None:
        return name
    out = bytearray(b'"')
    for b in name:
        if b in _ESCAPES:
            out += _ESCAPES[b]
        elif b in (0x22, 0x5C):
            out += b"\\" + bytes([b])
        elif b < 0x20 or b == 0x7F:
            out += b"\\%03o" % b
        else:
            out.append(b)
    return bytes(out + b'"')


def header_line(entry: Listed) -> bytes:
    """The ``diff --git`` line git writes for an entry, to check the patch follows the listing."""
    old = entry.previous if entry.previous is not None else entry.path
    return b"diff --git " + quote_path(b"a/" + old) + b" " + quote_path(b"b/" + entry.path)
