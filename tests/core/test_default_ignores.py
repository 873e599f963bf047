"""The built-in size.ignore list leaves machine-written files out, wherever they sit."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.config import DEFAULT_SIZE_IGNORE, SizePolicy
from bot.core.globs import GlobSet
from bot.core.schema import policy_schema

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")

# One realistic path per default pattern, from the ecosystems that write such files.
REALISTIC = {
    "**/*.lock": "frontend/yarn.lock",
    "package-lock.json": "web/package-lock.json",
    "npm-shrinkwrap.json": "npm-shrinkwrap.json",
    "pnpm-lock.yaml": "apps/site/pnpm-lock.yaml",
    "go.sum": "tools/go.sum",
    "packages.lock.json": "src/Acme.Api/packages.lock.json",
    "vendor/**": "vendor/github.com/pkg/errors/errors.go",
    "*.min.js": "static/js/jquery-3.7.1.min.js",
    "*.min.css": "assets/css/bootstrap.min.css",
    "**/__snapshots__/**": "tests/__snapshots__/test_render/test_page.ambr",
    "*.snap": "crates/linter/src/snapshots/linter__rules__F401_F401_0.py.snap",
    "*.po": "locale/de/LC_MESSAGES/django.po",
    "*.mo": "locale/de/LC_MESSAGES/django.mo",
}
COUNTED = [
    "src/app.py",
    "docs/locking.md",
    "pnpm-lock.yaml.md",
    "src/minify.js",
    "src/snapshots.py",
    "web/src/__snapshots__.ts",
]


def test_every_default_has_a_realistic_example() -> None:
    assert set(REALISTIC) == set(SizePolicy().ignore) == set(DEFAULT_SIZE_IGNORE)


@pytest.mark.parametrize(("pattern", "path"), sorted(REALISTIC.items()))
def test_default_matches_a_realistic_path(pattern: str, path: str) -> None:
    assert GlobSet.from_patterns(DEFAULT_SIZE_IGNORE).first_match(path) == pattern


def test_snapshot_directories_match_at_any_depth() -> None:
    globs = GlobSet.from_patterns(DEFAULT_SIZE_IGNORE)

    assert globs.matches("__snapshots__/App.test.js.snap")
    assert globs.matches("packages/ui/src/components/__tests__/__snapshots__/Button.test.tsx.snap")


@pytest.mark.parametrize("path", COUNTED)
def test_hand_written_files_still_count(path: str) -> None:
    assert not GlobSet.from_patterns(DEFAULT_SIZE_IGNORE).matches(path)


def test_defaults_are_published_in_the_schema_and_the_readme() -> None:
    size = policy_schema()["properties"]["size"]["properties"]  # type: ignore[index]
    assert size["ignore"]["default"] == list(DEFAULT_SIZE_IGNORE)
    assert all(f"`{pattern}`" in README for pattern in DEFAULT_SIZE_IGNORE)
