"""Find generated and vendored files: .gitattributes linguist attributes, generated-code headers."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.globs import segment_regex

GENERATED = "linguist-generated"
VENDORED = "linguist-vendored"
_TRACKED = (GENERATED, VENDORED)

# Go's convention (`^// Code generated .* DO NOT EDIT\.$`), with any common comment leader.
_CODE_GENERATED = re.compile(
    r"^\s*(?://+|/\*+|\*|#+|--|;+|%+|<!--)\s*Code generated .* DO NOT EDIT\.\s*(?:\*/|-->)?\s*$"
)
# Facebook's marker, also written by Cargo, Poetry and others; a longer word does not count.
_AT_GENERATED = re.compile(r"@generated(?![A-Za-z0-9_-])")
MARKER_LINES = 5


@dataclass(frozen=True)
class AttributeLine:
    """One effective line: its pattern and what it says about the tracked attributes.

    A value is True (set), False (unset) or None (``!attr``: back to unspecified).
    """

    pattern: str
    regex: re.Pattern[str]
    values: tuple[tuple[str, bool | None], ...]


@dataclass(frozen=True)
class Attributes:
    """The linguist attributes of a root .gitattributes file; later lines override earlier ones."""

    lines: tuple[AttributeLine, ...] = ()

    def value(self, path: str, attribute: str) -> bool | None:
        """The attribute's state for a path: the last matching line that mentions it decides."""
        for line in reversed(self.lines):
            for name, state in line.values:
                if name == attribute and line.regex.fullmatch(path) is not None:
                    return state
        return None

    def is_generated(self, path: str) -> bool:
        return self.value(path, GENERATED) is True

    def is_vendored(self, path: str) -> bool:
        return self.value(path, VENDORED) is True


def parse_gitattributes(text: str) -> Attributes:
    """Parse .gitattributes text; never raises. Lines git would reject are skipped, as git does."""
    lines: list[AttributeLine] = []
    for raw in text.split("\n"):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        parsed = _parse_line(stripped)
        if parsed is not None:
            lines.append(parsed)
    return Attributes(tuple(lines))


def _parse_line(line: str) -> AttributeLine | None:
    pattern, rest = _split_pattern(line)
    # Negative patterns are forbidden in gitattributes; "[attr]" lines define macros.
    if not pattern or pattern.startswith(("!", "[attr]")):
        return None
    values = tuple(v for v in map(_attribute_value, rest.split()) if v is not None)
    if not values:
        return None
    try:
        regex = re.compile(_pattern_regex(pattern))
    except (ValueError, re.error):
        return None  # git's wildmatch treats a malformed pattern as matching nothing
    return AttributeLine(pattern, regex, values)


def _split_pattern(line: str) -> tuple[str, str]:
    """The pattern (C-quoted when it starts with '"') and the attribute list after it."""
    if not line.startswith('"'):
        head, *rest = re.split(r"[ \t\r]", line, maxsplit=1)
        return head, rest[0] if rest else ""
    match = re.match(r'"((?:[^"\\]|\\.)*)"', line)
    if match is None:
        return "", ""
    return _unquote(match.group(1)), line[match.end() :]


def _unquote(quoted: str) -> str:
    """Undo git's C-style quoting (\\t, \\n, \\", \\\\ and octal bytes of UTF-8 text)."""
    simple = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13}
    out = bytearray()
    i = 0
    while i < len(quoted):
        char = quoted[i]
        if char == "\\" and re.match(r"[0-3][0-7]{2}", quoted[i + 1 : i + 4]):
            out.append(int(quoted[i + 1 : i + 4], 8))
            i += 4
        elif char == "\\" and i + 1 < len(quoted):
            nxt = quoted[i + 1]
            out.extend(bytes([simple[nxt]]) if nxt in simple else nxt.encode("utf-8", "replace"))
            i += 2
        else:
            out.extend(char.encode("utf-8", "replace"))
            i += 1
    return out.decode("utf-8", "replace")


def _attribute_value(token: str) -> tuple[str, bool | None] | None:
    """(name, state) for a tracked attribute, following Linguist: any value but "false" sets it."""
    if token[:1] in "-!":
        name = token[1:]
        return (name, False if token[0] == "-" else None) if name in _TRACKED else None
    name, has_value, value = token.partition("=")
    if name not in _TRACKED:
        return None
    return name, not (has_value and value == "false")


def _pattern_regex(pattern: str) -> str:
    """Regex (for fullmatch) of a gitattributes pattern.

    Unlike gitignore, a match never extends to a directory's contents: a pattern without a
    slash matches the basename at any depth, "dir/" matches no file, and "dir/**" is the way
    to cover a tree. A pattern with a slash is anchored at the root.
    """
    if pattern.endswith("/"):
        raise ValueError("a directory pattern matches no file")
    if "/" not in pattern:
        return "(?:.*/)?" + segment_regex(pattern)
    segments = pattern.removeprefix("/").split("/")
    if "" in segments:
        raise ValueError("empty path segment")
    parts: list[str] = []
    for index, segment in enumerate(segments):
        if segment != "**":
            parts.append(segment_regex(segment) + ("/" if index < len(segments) - 1 else ""))
        else:
            parts.append("(?:.*/)?" if index < len(segments) - 1 else ".*")
    return "".join(parts)


def is_generated_content(first_lines: Sequence[str]) -> bool:
    """True when the first lines of a file carry a generated-code marker: Go's
    "Code generated ... DO NOT EDIT." header (after any comment leader) or "@generated"."""
    for line in first_lines[:MARKER_LINES]:
        text = line.rstrip("\r\n")
        if _CODE_GENERATED.match(text) or _AT_GENERATED.search(text):
            return True
    return False
