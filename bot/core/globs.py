"""Compile gitignore-style globs (size.ignore, policy paths, only_paths) and match paths.

One compiler serves both sides: ``check-config`` reports exactly what ``compile_glob`` refuses,
and evaluation matches with what it returns, so a glob that passed validation always compiles
later. Each path segment goes through ``segment_regex``, git's wildmatch rules, which the
CODEOWNERS and .gitattributes parsers share; only the way segments are anchored differs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache


class GlobError(ValueError):
    """A glob that cannot be compiled; the message says why, for the user."""


_STAR = "[^/]*"


@dataclass(frozen=True)
class Glob:
    """One compiled pattern: its text as written, its regex, and whether it includes or negates."""

    text: str
    regex: re.Pattern[str]
    include: bool


@dataclass(frozen=True)
class GlobSet:
    """An ordered list of gitignore patterns; as in gitignore, the last matching pattern decides.

    A pattern without a slash matches at any depth ("package-lock.json" matches
    "web/package-lock.json"); a pattern with a slash is anchored at the repository root.
    Paths are repository-relative, with forward slashes and no leading slash.
    """

    globs: tuple[Glob, ...] = ()

    @classmethod
    def from_patterns(cls, patterns: Iterable[str]) -> GlobSet:
        """Compile patterns (cached: the same lists are matched against thousands of files).

        Raises ValueError for a pattern that cannot be compiled; ``glob_problem`` reports
        those to the config validator first.
        """
        return _compile(tuple(patterns))

    @property
    def patterns(self) -> tuple[str, ...]:
        return tuple(g.text for g in self.globs)

    def matches(self, path: str) -> bool:
        for glob in reversed(self.globs):
            if glob.regex.search(path) is not None:
                return glob.include
        return False

    def first_match(self, path: str) -> str | None:
        """The first including pattern that matches a path the set matches, for reasons."""
        if not self.matches(path):
            return None
        return next(g.text for g in self.globs if g.include and g.regex.search(path))

    def __bool__(self) -> bool:
        return bool(self.globs)


@lru_cache(maxsize=256)
def _compile(patterns: tuple[str, ...]) -> GlobSet:
    globs: list[Glob] = []
    for text in patterns:
        try:
            glob = compile_glob(text)
        except GlobError as err:
            raise GlobError(f"{text!r} is not a valid glob ({err})") from err
        # Blank and comment patterns compile to nothing and never match.
        if glob is not None:
            globs.append(glob)
    return GlobSet(tuple(globs))


def glob_problem(text: str) -> str | None:
    """Why the config validator refuses ``text`` as a glob, else None: what this returns None
    for, ``GlobSet.from_patterns`` compiles."""
    if text and not text.strip():
        return "a blank glob matches nothing"
    if text.startswith("#"):
        return f"glob {text!r} is a comment in gitignore syntax; write '\\#' for a literal '#'"
    try:
        compile_glob(text)
    except GlobError as err:
        return f"invalid glob {text!r}: {err}"
    return None


def compile_glob(text: str) -> Glob | None:
    """The compiled glob; None for a blank or comment line. Raises GlobError."""
    translated = gitignore_regex(text)
    if translated is None:
        return None
    regex, include = translated
    try:
        return Glob(text, re.compile(regex), include)
    except re.error as err:  # every piece is escaped or checked; kept as a safety net
        raise GlobError(str(err)) from err


def gitignore_regex(text: str) -> tuple[str, bool] | None:
    """(regex for ``search``, whether it includes) of a gitignore line; None: blank or comment.

    Trailing spaces are dropped unless escaped; a leading '!' negates; a leading or inner
    slash anchors at the root; "dir/" covers everything below dir; "**" spans directories.
    """
    pattern = text if text.endswith("\\ ") else text.rstrip()
    if not pattern or pattern.startswith("#"):
        return None
    include = not pattern.startswith("!")
    pattern = pattern if include else pattern[1:]
    segments = pattern.split("/")
    directory = not segments[-1] and pattern != "/"
    if not segments[0]:
        del segments[0]  # a leading slash anchors the pattern at the root
    elif (len(segments) == 1 or segments[1:] == [""]) and segments[0] != "**":
        segments.insert(0, "**")  # a single name matches at any depth
    if not segments:
        raise GlobError("the pattern names no path")
    if not segments[-1]:
        segments[-1] = "**"  # "dir/" covers everything below dir
    # "**/**" means the same as "**".
    segments = [s for i, s in enumerate(segments) if i == 0 or not s == segments[i - 1] == "**"]
    return _anchored(segments, directory), include


def _anchored(segments: list[str], directory: bool) -> str:
    if segments == ["**"]:
        return "/" if directory else "."
    if segments in (["**", "*"], ["**", "*", "**"]):
        return "." if len(segments) == 2 else "/"
    parts: list[str] = []
    need_slash = False
    last = len(segments) - 1
    for index, segment in enumerate(segments):
        if segment == "**":
            parts.append("^(?:.+/)?" if index == 0 else "(?:/.+)?" if index < last else "/")
            need_slash = index > 0
            continue
        parts.append(("^" if index == 0 else "") + ("/" if need_slash else ""))
        parts.append("[^/]+" if segment == "*" else segment_regex(segment))
        if index == last:
            # "dir/*" matches the entries of dir; a name also matches a directory's contents.
            parts.append("/?$" if segment == "*" else "(?:/|$)")
        need_slash = True
    return "".join(parts)


def segment_regex(segment: str) -> str:
    """Regex for one path segment of a wildmatch glob: ``*``, ``?``, ``[...]`` and ``\\`` escapes.

    Neither wildcard crosses a '/'; a run of '*' is one wildcard (the same language, without
    the backtracking). Every literal is escaped, so the regex means the same on any Python.
    Raises GlobError (a ValueError) on a dangling escape, an unclosed bracket (git matches
    nothing then), a reversed range or a character class such as [:alpha:].
    """
    out: list[str] = []
    i = 0
    while i < len(segment):
        char = segment[i]
        if char == "\\":
            if i + 1 == len(segment):
                raise GlobError("pattern ends with an unfinished escape")
            out.append(re.escape(segment[i + 1]))
            i += 2
            continue
        if char == "[":
            regex, i = _bracket_regex(segment, i + 1)
            out.append(regex)
            continue
        if not (char == "*" and out and out[-1] == _STAR):
            out.append({"*": _STAR, "?": "[^/]"}.get(char) or re.escape(char))
        i += 1
    return "".join(out)


def _bracket_regex(segment: str, start: int) -> tuple[str, int]:
    """Translate the bracket expression opening before ``start``; return it and the next index."""
    negate = start < len(segment) and segment[start] in "!^"
    i = start + 1 if negate else start
    items: list[str] = []
    faults: list[str] = []
    while i < len(segment) and (segment[i] != "]" or not items):
        if segment.startswith("[:", i):
            faults.append("character classes such as [:alpha:] are not supported")
        first, i = _bracket_char(segment, i)
        if segment.startswith("-", i) and i + 1 < len(segment) and segment[i + 1] != "]":
            last, i = _bracket_char(segment, i + 1)
            if last < first:
                faults.append(f"bad character range {first}-{last}")
            items.append(f"{re.escape(first)}-{re.escape(last)}")
        else:
            items.append(re.escape(first))
    # An unclosed bracket is the fault to name first: what looked like a range may be text.
    if i >= len(segment):
        raise GlobError("unclosed '[' in pattern")
    if faults:
        raise GlobError(faults[0])
    # A bracket expression never matches the path separator.
    return ("[^/" if negate else "[") + "".join(items) + "]", i + 1


def _bracket_char(segment: str, i: int) -> tuple[str, int]:
    if segment[i] == "\\" and i + 1 < len(segment):
        return segment[i + 1], i + 2
    return segment[i], i + 1
