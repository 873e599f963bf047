"""Match repository paths against gitignore-style globs (size.ignore, policy paths, only_paths)."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from pathspec.patterns.gitignore import GitIgnorePatternError
from pathspec.patterns.gitignore.basic import GitIgnoreBasicPattern


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

        Raises ValueError for a pattern that cannot be compiled; the config validator reports
        those first through ``invalid_glob``.
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
        compiled = _compile_one(text)
        # Blank and comment patterns compile to nothing and never match.
        if compiled.regex is not None and compiled.include is not None:
            globs.append(Glob(text, compiled.regex, compiled.include))
    return GlobSet(tuple(globs))


def _compile_one(text: str) -> GitIgnoreBasicPattern:
    # Some bracket expressions only draw a FutureWarning from `re` ("possible nested set");
    # turning it into an error keeps their meaning from shifting under a future Python.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            return GitIgnoreBasicPattern(text)
        except (GitIgnorePatternError, re.error, FutureWarning) as err:
            raise ValueError(f"{text!r} is not a valid glob ({err})") from err


def invalid_glob(pattern: str) -> str | None:
    """An error sentence when the pattern is unusable as a path glob, else None."""
    if not pattern.strip():
        return "a glob must not be empty"
    if pattern.startswith("#"):
        return f"{pattern!r} starts with '#', which makes it a comment that matches nothing"
    if pattern != pattern.strip():
        return f"{pattern!r} has leading or trailing spaces"
    if pattern == "/":
        return "'/' names no file; use '**' to match every path"
    if pattern.startswith("./") or "/./" in pattern or "//" in pattern:
        return f"{pattern!r} is not a normalised path; write paths relative to the root"
    try:
        # Our own translator names the fault precisely; pathspec then has the last word.
        for segment in pattern.split("/"):
            segment_regex(segment)
    except ValueError as err:
        return f"{pattern!r} is not a valid glob: {err}"
    try:
        _compile_one(pattern)
    except ValueError as err:
        return str(err)
    return None


def segment_regex(segment: str) -> str:
    """Regex for one path segment of a wildmatch glob: ``*``, ``?``, ``[...]`` and ``\\`` escapes.

    Neither wildcard crosses a '/'. Raises ValueError on a dangling escape or an unclosed
    bracket, which git treats as matching nothing.
    """
    out: list[str] = []
    i = 0
    while i < len(segment):
        char = segment[i]
        if char == "\\":
            if i + 1 == len(segment):
                raise ValueError("pattern ends with an unfinished escape")
            out.append(re.escape(segment[i + 1]))
            i += 2
            continue
        if char == "[":
            regex, i = _bracket_regex(segment, i + 1)
            out.append(regex)
            continue
        out.append({"*": "[^/]*", "?": "[^/]"}.get(char) or re.escape(char))
        i += 1
    return "".join(out)


def _bracket_regex(segment: str, start: int) -> tuple[str, int]:
    """Translate the bracket expression opening before ``start``; return it and the next index."""
    negate = start < len(segment) and segment[start] in "!^"
    i = start + 1 if negate else start
    items: list[str] = []
    while i < len(segment) and (segment[i] != "]" or not items):
        if segment.startswith("[:", i):
            raise ValueError("character classes such as [:alpha:] are not supported")
        first, i = _bracket_char(segment, i)
        if segment.startswith("-", i) and i + 1 < len(segment) and segment[i + 1] != "]":
            last, i = _bracket_char(segment, i + 1)
            if last < first:
                raise ValueError(f"bad character range {first}-{last}")
            items.append(f"{re.escape(first)}-{re.escape(last)}")
        else:
            items.append(re.escape(first))
    if i >= len(segment):
        raise ValueError("unclosed '[' in pattern")
    # A bracket expression never matches the path separator.
    return ("[^/" if negate else "[") + "".join(items) + "]", i + 1


def _bracket_char(segment: str, i: int) -> tuple[str, int]:
    if segment[i] == "\\" and i + 1 < len(segment):
        return segment[i + 1], i + 2
    return segment[i], i + 1
