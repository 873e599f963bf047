"""Parse a CODEOWNERS file and answer who owns a path, with GitHub's matching semantics."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache

from bot.core.globs import segment_regex

# GitHub looks in this order and uses the first file it finds.
CODEOWNERS_LOCATIONS: tuple[str, ...] = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")

# GitHub does not load a CODEOWNERS file of 3 MB or more.
MAX_CODEOWNERS_BYTES = 3 * 1024 * 1024

_USER = re.compile(r"@[A-Za-z0-9][A-Za-z0-9_-]*")
_TEAM = re.compile(r"@[A-Za-z0-9][A-Za-z0-9_-]*/[A-Za-z0-9_][A-Za-z0-9_.-]*")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

# The kinds of error GitHub's CODEOWNERS errors view lists.
INVALID_OWNER = "Invalid owner"
INVALID_PATTERN = "Invalid pattern"
FILE_TOO_LARGE = "File too large"


@dataclass(frozen=True)
class Rule:
    """One effective CODEOWNERS line: 1-based line number, pattern as written, owners."""

    line: int
    pattern: str
    owners: tuple[str, ...]
    regex: re.Pattern[str]

    def matches(self, path: str) -> bool:
        return self.regex.fullmatch(path) is not None


@dataclass(frozen=True)
class CodeOwnersError:
    """A line GitHub skips, with what GitHub's CODEOWNERS errors view shows of it: the file,
    the 1-based line, the kind of error, what is wrong, and the line as written."""

    line: int
    kind: str  # INVALID_OWNER, INVALID_PATTERN or FILE_TOO_LARGE
    message: str
    source: str = ""
    path: str = "CODEOWNERS"  # the parser sees text only; codeowners_errors names the file

    def render(self) -> str:
        return f"{self.path} line {self.line}: {self.message}"


@dataclass(frozen=True)
class CodeOwners:
    """The effective rules of a CODEOWNERS file and the problems of the lines it skipped."""

    rules: tuple[Rule, ...] = ()
    errors: tuple[CodeOwnersError, ...] = ()

    def rule_for(self, path: str) -> Rule | None:
        """The rule that decides a path's owners: the last matching line wins."""
        return next((rule for rule in reversed(self.rules) if rule.matches(path)), None)

    def owners_of(self, path: str) -> tuple[str, ...]:
        """Owners of a repository-relative path; () when no line matches or the last match
        lists no owners (GitHub's way to un-own a sub-path)."""
        rule = self.rule_for(path)
        return rule.owners if rule is not None else ()


def pick_codeowners(files: Mapping[str, str | None]) -> tuple[str, str] | None:
    """The first present CODEOWNERS file in GitHub's search order, as (location, text)."""
    for location in CODEOWNERS_LOCATIONS:
        text = files.get(location)
        if text is not None:
            return location, text
    return None


def codeowners_errors(path: str | None, text: str) -> tuple[CodeOwnersError, ...]:
    """The lines GitHub skips in the CODEOWNERS file found at ``path``, each naming the file."""
    where = path or "CODEOWNERS"
    return tuple(replace(error, path=where) for error in parse_codeowners(text).errors)


# One evaluation reads the file for owners, owned areas and errors: parse it once.
@lru_cache(maxsize=4)
def parse_codeowners(text: str) -> CodeOwners:
    """Parse CODEOWNERS text; never raises. Bad lines are skipped, as GitHub skips them, and
    reported in ``errors``."""
    if len(text.encode("utf-8", "surrogatepass")) >= MAX_CODEOWNERS_BYTES:
        too_large = "the file is 3 MB or larger, so GitHub ignores it"
        return CodeOwners(errors=(CodeOwnersError(1, FILE_TOO_LARGE, too_large),))
    rules: list[Rule] = []
    errors: list[CodeOwnersError] = []
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        try:
            rules.append(_parse_line(number, line))
        except _LineError as err:
            errors.append(CodeOwnersError(number, err.kind, str(err), line))
    return CodeOwners(tuple(rules), tuple(errors))


class _LineError(ValueError):
    """Why GitHub skips a line, and the kind of error its errors view would list."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


def _parse_line(number: int, line: str) -> Rule:
    pattern, rest = _split_pattern(line)
    owners: list[str] = []
    for token in rest.split():
        if token.startswith("#"):
            break  # an inline comment runs to the end of the line
        if not (_USER.fullmatch(token) or _TEAM.fullmatch(token) or _EMAIL.fullmatch(token)):
            # No "@user" example: GitHub would link it to whoever holds that login.
            message = f"{token!r} is not an owner: write @ then a login or org/team, or an email"
            raise _LineError(INVALID_OWNER, message)
        owners.append(token)
    try:
        regex = re.compile(pattern_regex(pattern))
    except (ValueError, re.error) as err:
        raise _LineError(INVALID_PATTERN, str(err)) from err
    return Rule(number, pattern, tuple(owners), regex)


def _split_pattern(line: str) -> tuple[str, str]:
    """Split off the pattern: it ends at the first whitespace not escaped with a backslash."""
    i = 0
    while i < len(line) and not line[i].isspace():
        i += 2 if line[i] == "\\" else 1
    return line[:i], line[i:]


def pattern_regex(pattern: str) -> str:
    """Regex (for fullmatch) of a CODEOWNERS pattern; ValueError for syntax GitHub rejects.

    Gitignore rules, with GitHub's differences: no '!' negation, no '[ ]' ranges, no escaped
    leading '#', and a trailing lone '*' segment ("docs/*") matches files directly inside the
    directory only, not deeper ones.
    """
    _reject_unsupported(pattern)
    segments = pattern.split("/")
    if segments[0] == "":
        segments = segments[1:]  # a leading slash anchors the pattern at the root
    elif (len(segments) == 1 or segments[1:] == [""]) and segments[0] != "**":
        segments = ["**", *segments]  # one segment matches at any depth
    if len(segments) > 1 and segments[-1] == "":
        segments[-1] = "**"  # "dir/" owns everything below dir
    if "" in segments:
        raise ValueError(f"pattern {pattern!r} has an empty path segment")
    # "**/**" means the same as "**".
    segments = [s for i, s in enumerate(segments) if i == 0 or not s == segments[i - 1] == "**"]
    parts = [_segment_part(seg, i, len(segments)) for i, seg in enumerate(segments)]
    # After a leading "**" the next segment needs no slash: "(?:.+/)?" ends with one.
    if len(segments) > 1 and segments[0] == "**":
        parts[1] = parts[1].removeprefix("/")
    return "".join(parts)


def _segment_part(segment: str, index: int, count: int) -> str:
    first, last = index == 0, index == count - 1
    if segment == "**":
        if first:
            return ".+" if last else "(?:.+/)?"
        return "/.*" if last else "(?:/.+)?"
    slash = "" if first else "/"
    if segment == "*":
        return slash + "[^/]+"
    # A name (or name glob) in last place also matches a directory, and so its contents.
    return slash + segment_regex(segment) + ("(?:/.*)?" if last else "")


def _reject_unsupported(pattern: str) -> None:
    if pattern == "/":
        raise ValueError("pattern '/' matches no file")
    if pattern.startswith("!"):
        raise ValueError(f"pattern {pattern!r}: negation with '!' is not supported in CODEOWNERS")
    if pattern.startswith("\\#"):
        raise ValueError(
            f"pattern {pattern!r}: escaping a leading '#' is not supported in CODEOWNERS"
        )
    if re.search(r"(?<!\\)(?:\\\\)*\[", pattern):
        raise ValueError(
            f"pattern {pattern!r}: character ranges with '[ ]' are not supported in CODEOWNERS"
        )
