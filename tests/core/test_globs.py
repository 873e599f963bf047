"""Gitignore-style globs over repository paths, as used by size.ignore and policy paths."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.config import L1When, SizePolicy
from bot.core.globs import GlobSet, invalid_glob, segment_regex

MATCHES = [
    # The default size.ignore.
    ("**/*.lock", "poetry.lock", True),
    ("**/*.lock", "web/yarn.lock", True),
    ("**/*.lock", "web/lock.py", False),
    ("package-lock.json", "package-lock.json", True),
    ("package-lock.json", "web/app/package-lock.json", True),
    ("package-lock.json", "package-lock.json5", False),
    ("vendor/**", "vendor/github.com/x/y.go", True),
    ("vendor/**", "src/vendor/y.go", False),
    # Invariant and interface paths.
    ("billing/**", "billing/ledger.py", True),
    ("billing/**", "src/billing/ledger.py", False),
    ("src/acme/api/**/*.py", "src/acme/api/users.py", True),
    ("src/acme/api/**/*.py", "src/acme/api/v2/users.py", True),
    ("src/acme/api/**/*.py", "src/acme/api/v2/users.pyi", False),
    ("openapi/*.yaml", "openapi/petstore.yaml", True),
    ("openapi/*.yaml", "openapi/v2/petstore.yaml", False),
    ("openapi/*.yaml", "docs/openapi/petstore.yaml", False),
    # Tier only_paths.
    ("docs/**", "docs/guide/intro.rst", True),
    ("**/*.md", "README.md", True),
    ("**/*.md", "src/pkg/NOTES.md", True),
    ("**/*.md", "src/pkg/notes.MD", False),
    # Gitignore basics.
    ("*.py", "a/b/c.py", True),
    ("/setup.py", "setup.py", True),
    ("/setup.py", "pkg/setup.py", False),
    ("docs/", "docs/a.md", True),
    ("docs/", "src/docs/a.md", True),
    ("build", "build/out/a.o", True),
    ("a/**/b", "a/b", True),
    ("a/**/b", "a/x/y/b", True),
    ("file?.txt", "file1.txt", True),
    ("file[0-9].txt", "file7.txt", True),
    ("file[0-9].txt", "filex.txt", False),
]


@pytest.mark.parametrize(("pattern", "path", "expected"), MATCHES)
def test_matches(pattern: str, path: str, expected: bool) -> None:
    assert GlobSet.from_patterns([pattern]).matches(path) is expected


def test_first_match_names_the_pattern() -> None:
    globs = GlobSet.from_patterns(L1When().only_paths)
    assert globs.first_match("docs/README.md") == "docs/**"
    assert globs.first_match("src/README.md") == "**/*.md"
    assert globs.first_match("src/main.py") is None


def test_default_size_ignore() -> None:
    globs = GlobSet.from_patterns(SizePolicy().ignore)
    assert globs.first_match("web/package-lock.json") == "package-lock.json"
    assert globs.first_match("Cargo.lock") == "**/*.lock"
    assert not globs.matches("src/lockfile.py")


def test_last_match_decides_as_in_gitignore() -> None:
    globs = GlobSet.from_patterns(["vendor/**", "!vendor/ours/**"])
    assert globs.matches("vendor/theirs/a.go")
    assert not globs.matches("vendor/ours/a.go")
    assert globs.first_match("vendor/ours/a.go") is None
    assert globs.first_match("vendor/theirs/a.go") == "vendor/**"


def test_empty_and_comment_only_sets_are_false() -> None:
    assert not GlobSet.from_patterns([])
    assert not GlobSet.from_patterns(["", "# note"])
    assert not GlobSet.from_patterns([]).matches("a.py")
    assert GlobSet.from_patterns(["*.py"])


def test_compiled_sets_are_cached() -> None:
    first = GlobSet.from_patterns(["docs/**", "**/*.md"])
    assert GlobSet.from_patterns(iter(["docs/**", "**/*.md"])) is first
    assert first.patterns == ("docs/**", "**/*.md")


def test_uncompilable_pattern_raises_value_error() -> None:
    with pytest.raises(ValueError, match="not a valid glob"):
        GlobSet.from_patterns(["docs\\"])


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("", "must not be empty"),
        ("   ", "must not be empty"),
        ("#docs", "comment"),
        (" docs/**", "spaces"),
        ("/", "names no file"),
        ("./docs/**", "relative to the root"),
        ("docs//a", "relative to the root"),
        ("docs\\", "unfinished escape"),
        ("file[0-9.txt", "unclosed '['"),
        ("file[z-a].txt", "bad character range"),
        ("[[:alpha:]]*", "character classes"),
    ],
)
def test_invalid_glob(pattern: str, message: str) -> None:
    error = invalid_glob(pattern)
    assert error is not None
    assert message in error


@pytest.mark.parametrize(
    "pattern", ["**/*.lock", "vendor/**", "/setup.py", "docs/", "!docs/keep.md", "a\\ b", "[!a]x"]
)
def test_valid_globs(pattern: str) -> None:
    assert invalid_glob(pattern) is None


@pytest.mark.parametrize(
    ("segment", "name", "expected"),
    [
        ("*.py", "a.py", True),
        ("?.py", "ab.py", False),
        ("[abc].py", "b.py", True),
        ("[!abc].py", "d.py", True),
        ("[^abc].py", "a.py", False),
        ("[]a].py", "].py", True),
        ("[a-c-].py", "-.py", True),
        ("\\*.py", "*.py", True),
        ("\\*.py", "a.py", False),
        ("[\\]].py", "].py", True),
    ],
)
def test_segment_regex(segment: str, name: str, expected: bool) -> None:
    assert (re.fullmatch(segment_regex(segment), name) is not None) is expected


def test_negated_bracket_never_matches_a_slash() -> None:
    assert re.fullmatch(segment_regex("a[!b]c"), "a/c") is None


@given(pattern=st.one_of(st.text(), st.text(alphabet="ab/*?[]!#\\ -^:.", max_size=12)))
def test_invalid_glob_never_raises_and_valid_globs_compile(pattern: str) -> None:
    if invalid_glob(pattern) is None:
        globs = GlobSet.from_patterns([pattern])
        globs.matches("a/b/c.txt")
        globs.first_match("a")
