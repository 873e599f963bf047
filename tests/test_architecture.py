"""The layering holds: bot/core is pure, each package imports only the packages below it,
evaluation touches no infrastructure, intake never reaches GitHub, and PyGithub / pyjwt live
only in bot/gh. The table is the module map of docs/architecture.md."""

from __future__ import annotations

import ast
import re
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


# Which of the App's packages each package may import (besides itself). The top-level
# modules cli, service and __main__ are composition roots and may import anything.
LAYERS: dict[str, set[str]] = {
    "core": set(),
    "ops": set(),
    "local": {"core"},
    "evaluation": {"core", "ops"},
    "state": {"core", "ops", "evaluation"},
    "intake": {"core", "ops", "state"},
    "gh": {"core", "ops", "state", "evaluation"},
    "worker": {"core", "ops", "state", "evaluation", "gh"},
}
ROOTS = {"cli", "service", "__main__", "__init__"}
# Libraries that talk to the outside world or hold infrastructure, by package that must not.
FORBIDDEN: dict[str, set[str]] = {
    "evaluation": {"redis", "rq", "flask", "waitress", "github", "jwt", "requests", "urllib3"},
    "intake": {"github", "jwt", "requests", "urllib3", "rq"},
    "local": {"redis", "rq", "flask", "waitress", "github", "jwt", "requests", "urllib3"},
}


def _package(path: Path) -> str:
    parts = path.relative_to(BOT).parts
    return parts[0] if len(parts) > 1 else parts[0].removesuffix(".py")


def _bot_imports(path: Path) -> set[str]:
    """Every bot module the file imports, at module level or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.startswith("bot."):
                found.add(node.module)
                found |= {f"{node.module}.{alias.name}" for alias in node.names}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("bot.")}
    return {name for name in found if _module_file(name) is not None}


def _module_file(name: str) -> Path | None:
    base = BOT.parent.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


ALL_FILES = sorted(BOT.rglob("*.py"))


@pytest.mark.parametrize("path", ALL_FILES, ids=lambda p: str(p.relative_to(BOT)))
def test_packages_import_only_the_layers_below(path: Path) -> None:
    package = _package(path)
    if package in ROOTS:
        return
    assert package in LAYERS, f"{package} is missing from the layer table"
    for name in _bot_imports(path):
        target = name.split(".")[1]
        assert target == package or target in LAYERS[package], f"{path}: {name}"


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_packages_keep_away_from_infrastructure(package: str) -> None:
    files = sorted((BOT / package).rglob("*.py"))
    assert files
    for path in files:
        assert not imported_roots(path) & FORBIDDEN[package], path


def _closure(start: list[Path]) -> set[Path]:
    seen: set[Path] = set()
    todo = list(start)
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        for name in _bot_imports(path):
            target = _module_file(name)
            if target is not None:
                todo.append(target)
    return seen


def test_intake_never_reaches_github() -> None:
    """Nothing the web process imports from its own package on can call GitHub."""
    reached = _closure(sorted((BOT / "intake").rglob("*.py")))
    assert not [p for p in reached if (BOT / "gh") in p.parents or (BOT / "worker") in p.parents]
    for path in reached:
        assert not imported_roots(path) & {"github", "jwt", "requests", "urllib3"}, path


def test_evaluation_reaches_no_infrastructure() -> None:
    reached = _closure(sorted((BOT / "evaluation").rglob("*.py")))
    for path in reached:
        assert not imported_roots(path) & FORBIDDEN["evaluation"], path


ARCHITECTURE = BOT.parent / "docs" / "architecture.md"


def test_the_architecture_page_names_every_package_and_only_real_files() -> None:
    text = ARCHITECTURE.read_text()
    for package in LAYERS:
        assert f"`bot/{package}`" in text, package
    named = set(re.findall(r"\b((?:bot|tests|docs)/[\w/.-]+\.(?:py|md))", text))
    assert named
    missing = [
        path for path in sorted(named) if "<" not in path and not (BOT.parent / path).exists()
    ]
    assert not missing
