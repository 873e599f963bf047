"""CODEOWNERS parsing and ownership, checked against GitHub's own documented examples."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.codeowners import (
    CODEOWNERS_LOCATIONS,
    FILE_TOO_LARGE,
    INVALID_OWNER,
    INVALID_PATTERN,
    MAX_CODEOWNERS_BYTES,
    codeowners_errors,
    parse_codeowners,
    pick_codeowners,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "codeowners"
DOC_EXAMPLE = (FIXTURES / "github-docs-example").read_text()
GLOBAL = ("@global-owner1", "@global-owner2")


def rule_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def test_doc_example_parses_cleanly() -> None:
    owners = parse_codeowners(DOC_EXAMPLE)
    assert owners.errors == ()
    assert len(owners.rules) == 14
    js = owners.rules[1]
    assert (js.pattern, js.owners) == ("*.js", ("@js-owner",))  # the inline comment is dropped


# Owners under the whole documented file: the last matching line wins.
DOC_FILE_OWNERS = [
    ("README.md", GLOBAL),
    ("src/deeply/nested/Makefile", GLOBAL),
    ("index.js", ("@js-owner",)),
    ("web/static/app.js", ("@js-owner",)),
    ("main.go", ("docs@example.com",)),
    ("notes.txt", ("@octo-org/octocats",)),
    ("src/notes.txt", ("@octo-org/octocats",)),
    # "/build/logs/" is overridden by the later "**/logs".
    ("build/logs/today.log", ("@octocat",)),
    ("docs/getting-started.md", ("@doctocat",)),
    ("docs/build-app/troubleshooting.md", ("@doctocat",)),
    ("docs/index.js", ("@doctocat",)),
    ("src/docs/guide.md", GLOBAL),
    ("web/apps/main.js", ("@octocat",)),
    ("scripts/deploy.sh", ("@doctocat", "@octocat")),
    ("scripts/logs/run.txt", ("@octocat",)),
    ("deeply/nested/logs/x.go", ("@octocat",)),
    ("src/logs.txt", ("@octo-org/octocats",)),
    ("apps/web/index.html", ("@octocat",)),
    ("apps/github/index.html", ("@doctocat",)),
    ("apps/github", ("@doctocat",)),
    ("apps/githubber/x", ("@octocat",)),
    # Paths are case-sensitive on GitHub.
    ("Docs/readme.md", GLOBAL),
    ("APPS/x", GLOBAL),
]


@pytest.mark.parametrize(("path", "expected"), DOC_FILE_OWNERS)
def test_doc_example_file_owners(path: str, expected: tuple[str, ...]) -> None:
    assert parse_codeowners(DOC_EXAMPLE).owners_of(path) == expected


# Each documented pattern on its own: the paths it matches and the ones it does not,
# including the documentation's own explanations.
DOC_PATTERN_MATCHES: dict[str, dict[str, bool]] = {
    "*": {"README.md": True, "a/b/c.py": True, ".github/CODEOWNERS": True},
    "*.js": {"x.js": True, "a/b/x.js": True, "x.jsx": False, "x.json": False},
    "*.go": {"main.go": True, "cmd/app/main.go": True, "go.mod": False},
    "*.txt": {"a.txt": True, "docs/a.txt": True, "a.txt.bak": False},
    "/build/logs/": {
        "build/logs/a.log": True,
        "build/logs/2024/a.log": True,
        "build/logs": False,
        "src/build/logs/a.log": False,
    },
    "docs/*": {
        "docs/getting-started.md": True,
        "docs/build-app/troubleshooting.md": False,
        "src/docs/getting-started.md": False,
        "docs": False,
    },
    "apps/": {"apps/a.py": True, "src/apps/a/b.py": True, "apps": False, "myapps/a.py": False},
    "/docs/": {"docs/a.md": True, "docs/a/b.md": True, "src/docs/a.md": False},
    "/scripts/": {"scripts/run.sh": True, "scripts/ci/run.sh": True, "tools/scripts/x": False},
    "**/logs": {
        "logs/a": True,
        "build/logs/a": True,
        "scripts/logs/a": True,
        "deeply/nested/logs/a": True,
        "logs": True,
        "catalogs/a": False,
    },
    "/apps/": {"apps/a": True, "apps/github/a": True, "src/apps/a": False},
    "/apps/github": {
        "apps/github": True,
        "apps/github/a.py": True,
        "apps/githubber": False,
        "src/apps/github/a.py": False,
    },
}


def test_every_documented_pattern_is_tabled() -> None:
    patterns = {line.split()[0] for line in rule_lines(DOC_EXAMPLE)}
    assert patterns == set(DOC_PATTERN_MATCHES)


@pytest.mark.parametrize(
    ("pattern", "path", "expected"),
    [(pat, path, hit) for pat, paths in DOC_PATTERN_MATCHES.items() for path, hit in paths.items()],
)
def test_doc_pattern_alone(pattern: str, path: str, expected: bool) -> None:
    rules = parse_codeowners(f"{pattern} @someone")
    assert (rules.rule_for(path) is not None) is expected


def test_line_without_owners_unowns_a_subdirectory() -> None:
    # The documented file up to the first "/apps/github" line, which lists no owners.
    lines = DOC_EXAMPLE.splitlines()
    prefix = "\n".join(lines[: lines.index("/apps/github") + 1])
    owners = parse_codeowners(prefix)
    assert owners.owners_of("apps/github/main.go") == ()
    assert owners.owners_of("apps/github") == ()
    assert owners.owners_of("apps/web/main.go") == ("@octocat",)
    rule = owners.rule_for("apps/github/main.go")
    assert rule is not None
    assert (rule.pattern, rule.line) == ("/apps/github", lines.index("/apps/github") + 1)


def test_branch_protection_example_last_line_wins() -> None:
    text = (FIXTURES / "github-docs-branch-protection-example").read_text()
    owners = parse_codeowners(text)
    assert owners.errors == ()
    assert owners.owners_of("apps/site/index.html") == ("@example-org/content-team",)
    assert owners.owners_of("src/main.py") == ()


# Gitignore rules as GitHub applies them to CODEOWNERS.
PATTERN_SEMANTICS = [
    ("foo", "foo", True),
    ("foo", "a/foo", True),
    ("foo", "a/foo/b", True),
    ("foo", "foo.txt", False),
    ("/foo", "foo/b", True),
    ("/foo", "a/foo", False),
    ("foo/", "foo", False),
    ("foo/bar", "foo/bar/baz", True),
    ("foo/bar", "x/foo/bar", False),
    ("/*", "README.md", True),
    ("/*", "src/main.py", False),
    ("*/", "src/main.py", True),
    ("*/", "README.md", False),
    ("f*", "foo/bar/baz", True),
    ("f*", "bar/foo", True),
    ("f*", "xfoo", False),
    ("/f*/", "foo/bar", True),
    ("/f*/", "foo", False),
    ("foo/*.txt", "foo/a.txt", True),
    ("foo/*.txt", "foo/a/b.txt", False),
    ("foo/*/baz", "foo/bar/baz", True),
    ("foo/*/baz", "foo/baz", False),
    ("f?o", "foo", True),
    ("f?o", "fooo", False),
    ("f\\*o", "f*o", True),
    ("f\\*o", "foo", False),
    ("**", "a/b/c", True),
    ("**/foo/bar", "foo/bar", True),
    ("**/foo/bar", "x/y/foo/bar/z", True),
    ("foo/**", "foo/a/b", True),
    ("foo/**", "foo", False),
    ("foo/**/bar", "foo/bar", True),
    ("foo/**/bar", "foo/a/b/bar/c", True),
    ("foo/**/bar", "x/foo/bar", False),
    ("path\\ with\\ spaces/", "path with spaces/a.md", True),
    ("docs/x\\ @team", "docs/x @team", True),
    ("src/a#b.py", "src/a#b.py", True),
]


@pytest.mark.parametrize(("pattern", "path", "expected"), PATTERN_SEMANTICS)
def test_pattern_semantics(pattern: str, path: str, expected: bool) -> None:
    owners = parse_codeowners(f"{pattern} @owner")
    assert owners.errors == ()
    assert (owners.owners_of(path) == ("@owner",)) is expected


@pytest.mark.parametrize(
    ("line", "kind", "message"),
    [
        ("!docs/ @team", INVALID_PATTERN, "negation"),
        ("docs/[ab].md @team", INVALID_PATTERN, "character ranges"),
        ("\\#notes.md @team", INVALID_PATTERN, "escaping a leading '#'"),
        ("docs/ octocat", INVALID_OWNER, "'octocat' is not an owner"),
        ("docs/ @team,", INVALID_OWNER, "is not an owner"),
        ("docs/x\\", INVALID_PATTERN, "unfinished escape"),
        ("docs//x @team", INVALID_PATTERN, "empty path segment"),
        ("/ @team", INVALID_PATTERN, "matches no file"),
    ],
)
def test_lines_github_rejects_are_skipped_with_an_error(line: str, kind: str, message: str) -> None:
    owners = parse_codeowners(f"* @default\n\n{line}\n")
    assert len(owners.errors) == 1
    (error,) = owners.errors
    assert (error.line, error.kind, error.source) == (3, kind, line)
    assert message in error.message
    assert error.render().startswith("CODEOWNERS line 3: ")
    assert owners.owners_of("docs/a.md") == ("@default",)


def test_errors_name_the_file_they_were_found_in() -> None:
    text = "* @default\n!docs/ @team\nsrc/ octocat\n"
    errors = codeowners_errors(".github/CODEOWNERS", text)
    assert [(e.path, e.line, e.kind) for e in errors] == [
        (".github/CODEOWNERS", 2, INVALID_PATTERN),
        (".github/CODEOWNERS", 3, INVALID_OWNER),
    ]
    assert errors[1].render() == (
        ".github/CODEOWNERS line 3: 'octocat' is not an owner: write @ then a login or "
        "org/team, or an email"
    )
    assert codeowners_errors(None, "!x @a")[0].path == "CODEOWNERS"
    assert codeowners_errors("docs/CODEOWNERS", "* @a\n") == ()


def test_whitespace_tabs_crlf_and_comments() -> None:
    text = (
        "# comment\r\n\r\n  *.py\t@a  @org/team-b\tdev@example.com  # trailing\r\n   # indented\r\n"
    )
    owners = parse_codeowners(text)
    assert owners.errors == ()
    assert owners.owners_of("x/y.py") == ("@a", "@org/team-b", "dev@example.com")


def test_owners_are_kept_as_written() -> None:
    owners = parse_codeowners("*.md @Octo-Org/Docs-Team @MonaLisa")
    assert owners.owners_of("README.md") == ("@Octo-Org/Docs-Team", "@MonaLisa")


def test_file_of_three_megabytes_is_ignored() -> None:
    text = "* @owner\n" + "#" * MAX_CODEOWNERS_BYTES
    owners = parse_codeowners(text)
    assert owners.rules == ()
    assert owners.owners_of("a.py") == ()
    assert "3 MB" in owners.errors[0].message
    assert (owners.errors[0].line, owners.errors[0].kind) == (1, FILE_TOO_LARGE)


def test_empty_file_owns_nothing() -> None:
    assert parse_codeowners("").owners_of("a.py") == ()


@pytest.mark.parametrize(
    ("present", "expected"),
    [
        (
            {".github/CODEOWNERS": "a", "CODEOWNERS": "b", "docs/CODEOWNERS": "c"},
            ".github/CODEOWNERS",
        ),
        ({".github/CODEOWNERS": None, "CODEOWNERS": "b", "docs/CODEOWNERS": "c"}, "CODEOWNERS"),
        ({"docs/CODEOWNERS": "c", "CODEOWNERS": "b"}, "CODEOWNERS"),
        ({"docs/CODEOWNERS": ""}, "docs/CODEOWNERS"),
    ],
)
def test_pick_codeowners_follows_github_search_order(
    present: dict[str, str | None], expected: str
) -> None:
    picked = pick_codeowners(present)
    assert picked is not None
    assert picked == (expected, present[expected])


def test_pick_codeowners_none_found() -> None:
    assert pick_codeowners({}) is None
    assert pick_codeowners(dict.fromkeys(CODEOWNERS_LOCATIONS)) is None
    assert pick_codeowners({"src/CODEOWNERS": "* @x"}) is None


PATTERNISH = st.text(alphabet="ab/*?[]!#\\ @.-_\t", max_size=20)
LINES = st.lists(
    st.tuples(PATTERNISH, st.lists(st.sampled_from(["@u", "@o/t", "e@x.io", "#c", "x"]))),
    max_size=8,
).map(lambda rows: "\n".join(" ".join([p, *o]) for p, o in rows))


@given(text=st.one_of(st.text(), LINES), path=st.one_of(st.text(), PATTERNISH))
def test_never_raises(text: str, path: str) -> None:
    owners = parse_codeowners(text)
    found = owners.owners_of(path)
    assert found == () or any(found == rule.owners for rule in owners.rules)
    assert all(error.render().startswith("CODEOWNERS line ") for error in owners.errors)
    assert all(error.line >= 1 and error.message for error in owners.errors)
