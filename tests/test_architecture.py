"""The layering holds: bot/core is pure, and PyGithub / pyjwt live only in bot/gh."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parent.parent / "bot"
IO_MODULES = {
    "flask",
    "github",
    "jwt",
    "requests",
    "redis",
    "rq",
    "waitress",
    "urllib3",
    "socket",
    "subprocess",
    "http",
    "prometheus_client",
}


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


CORE_FILES = sorted((BOT / "core").rglob("*.py"))


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: str(p.relative_to(BOT)))
def test_core_is_pure(path: Path) -> None:
    assert not imported_roots(path) & IO_MODULES


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: str(p.relative_to(BOT)))
def test_core_imports_only_core(path: Path) -> None:
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("bot."):
            assert node.module.startswith("bot.core"), node.module


def test_github_libraries_only_in_the_adapter() -> None:
    for path in BOT.rglob("*.py"):
        if (BOT / "gh") in path.parents:
            continue
        assert not imported_roots(path) & {"github", "jwt"}, path


def test_core_has_modules_to_check() -> None:
    assert len(CORE_FILES) > 10
