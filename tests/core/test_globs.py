"""Gitignore-style globs over repository paths, as used by size.ignore and policy paths."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pathspec.patterns.gitignore.basic import GitIgnoreBasicPattern

from bot.core.config import L1When, SizePolicy
from bot.core.globs import GlobSet, gitignore_regex, glob_problem, segment_regex
from bot.core.triggers import OnlyPaths

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
    globs = GlobSet.from_patterns(L1When().rule(OnlyPaths).only_paths)
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
        ("   ", "a blank glob matches nothing"),
        ("#docs", "comment in gitignore syntax"),
        ("docs\\", "unfinished escape"),
        ("file[0-9.txt", "unclosed '['"),
        ("[]", "unclosed '['"),
        ("[!]", "unclosed '['"),
        ("file[z-a].txt", "bad character range z-a"),
        ("**/[z-a]", "bad character range z-a"),
        ("[a--b]", "bad character range a--"),
        ("[[:alpha:]]*", "character classes"),
        ("!", "names no path"),
    ],
)
def test_glob_problem(pattern: str, message: str) -> None:
    error = glob_problem(pattern)
    assert error is not None
    assert message in error
    if pattern.strip() and not pattern.startswith("#"):
        with pytest.raises(ValueError, match="not a valid glob"):
            GlobSet.from_patterns([pattern])


@pytest.mark.parametrize(
    "pattern", ["**/*.lock", "vendor/**", "/setup.py", "docs/", "!docs/keep.md", "a\\ b", "[!a]x"]
)
def test_valid_globs(pattern: str) -> None:
    assert glob_problem(pattern) is None


# Brackets whose regex Python reads as a nested set or a set operation (and warns about, once
# per process) are escaped item by item: they mean what git means, on any Python.
@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [
        ("[[a]", "[", True),
        ("[[a]", "a", True),
        ("[[a]", "b", False),
        ("x[a&&b]", "x&", True),
        ("x[a||b]", "x|", True),
        ("x[a~~b]", "xb", True),
        ("[!a]", "b", True),
        ("a[!b]c", "a/c", False),
        ("é/**/ñ*.md", "é/x/ñandú.md", True),
        ("日本/*.txt", "日本/a.txt", True),
    ],
)
def test_bracket_and_unicode_globs_match_as_in_git(pattern: str, path: str, expected: bool) -> None:
    assert glob_problem(pattern) is None
    assert GlobSet.from_patterns([pattern]).matches(path) is expected


def test_very_long_globs_compile_and_match_quickly() -> None:
    long_name = "a" * 10_000
    stars = "*" * 5_000 + ".py"
    deep = "**/" * 500 + "x"
    for pattern in (long_name, stars, deep):
        assert glob_problem(pattern) is None
    assert GlobSet.from_patterns([long_name]).matches(f"src/{long_name}")
    assert not GlobSet.from_patterns([stars]).matches("b" * 3_000 + ".pyc")
    assert GlobSet.from_patterns([deep]).matches("a/b/c/x")


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
def test_what_validation_accepts_compiles_and_what_it_refuses_does_not(pattern: str) -> None:
    problem = glob_problem(pattern)
    try:
        globs = GlobSet.from_patterns([pattern])
    except ValueError:
        assert problem is not None and problem.startswith("invalid glob")
        return
    assert problem is None or not problem.startswith("invalid glob")
    globs.matches("a/b/c.txt")
    globs.first_match("a")


@settings(max_examples=500)
@given(
    pattern=st.text(alphabet="ab/*?!# .", max_size=10),
    path=st.text(alphabet="ab/.", min_size=1, max_size=8),
)
def test_without_brackets_and_escapes_globs_match_as_pathspec_does(pattern: str, path: str) -> None:
    """Brackets are translated by git's rules (a negated one never matches '/'); everything else
    is gitignore as the pathspec library reads it, which stays the reference here."""
    try:
        expected, include = GitIgnoreBasicPattern.pattern_to_regex(pattern)
    except ValueError:
        with pytest.raises(ValueError):
            gitignore_regex(pattern)
        return
    ours = gitignore_regex(pattern)
    if expected is None:
        assert ours is None
        return
    assert ours is not None and ours[1] is include
    assert bool(re.search(ours[0], path)) is bool(re.search(expected, path))
