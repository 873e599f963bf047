"""Read a Python migration as steps: a Django ``Migration`` class or an Alembic ``upgrade()``.

The module is parsed with ``ast`` and never imported or run. A module that is neither (and is
not empty, like a package's ``__init__.py``) raises ``PythonMigrationError``: its effect on the
schema cannot be read.
"""

from __future__ import annotations

import ast

from bot.core.interfaces.python_api import UnparsableSourceError, parse_python
from bot.core.interfaces.sql_alembic import alembic_steps
from bot.core.interfaces.sql_django import django_steps
from bot.core.interfaces.sql_pyast import module_constants
from bot.core.interfaces.sql_steps import Step

# Statements that define nothing a migration tool would run.
_INERT = (ast.Import, ast.ImportFrom, ast.Pass, ast.Expr)


class PythonMigrationError(Exception):
    """The text is not a Python migration this module can read."""


def python_steps(text: str) -> list[Step]:
    """The forward steps of a Django or Alembic migration module."""
    try:
        tree = parse_python(text)
    except UnparsableSourceError as err:
        raise PythonMigrationError(f"does not parse as Python ({err})") from err
    try:
        return _steps(tree)
    except (ValueError, RecursionError, MemoryError) as err:
        # Absurd nesting can exhaust the stack while the operations are read.
        raise PythonMigrationError(f"does not parse as Python ({type(err).__name__})") from err


def _steps(tree: ast.Module) -> list[Step]:
    constants = module_constants(tree)
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == "Migration":
            return django_steps(node, constants)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "upgrade":
            return alembic_steps(tree, node, constants)
    if all(isinstance(node, _INERT) for node in tree.body):
        return []
    raise PythonMigrationError("is neither a Django migration nor an Alembic revision")
