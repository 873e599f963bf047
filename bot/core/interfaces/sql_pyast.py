"""Read the plain-data parts of a Python migration: call arguments, names and SQL strings."""

from __future__ import annotations

import ast
from collections.abc import Callable

from bot.core.interfaces.sql_steps import Finding, MigrationContext, Step, excerpt, unreadable

# Wrappers whose single argument is the SQL text: sqlalchemy.text, textwrap.dedent.
_SQL_WRAPPERS = frozenset({"text", "dedent"})


def call_name(call: ast.Call) -> str:
    """The called name without its module: ``AddField`` for ``migrations.AddField(...)``."""
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def argument(call: ast.Call, index: int, name: str) -> ast.expr | None:
    """The argument given by keyword ``name`` or at position ``index`` (None: not given)."""
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    if 0 <= index < len(call.args) and not isinstance(call.args[index], ast.Starred):
        return call.args[index]
    return None


def has_keyword(call: ast.Call, name: str) -> bool:
    return any(keyword.arg == name for keyword in call.keywords)


def is_constant(node: ast.expr | None, value: object) -> bool:
    """Whether ``node`` is the literal ``value`` (True, False or None, compared by identity)."""
    return isinstance(node, ast.Constant) and node.value is value


def source(node: ast.AST) -> str:
    """The node as source text on one line, cut to a readable length."""
    try:
        return excerpt(ast.unparse(node))
    except (RecursionError, ValueError):
        return "…"


def full_source(node: ast.AST) -> str:
    """The node as normalised source text, for comparing two sides (comments are not kept)."""
    return ast.unparse(node)


def name_text(node: ast.expr | None) -> str:
    """A name given as a string literal, or the expression that computes it."""
    if node is None:
        return "?"
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return source(node)


def module_constants(tree: ast.Module) -> dict[str, str]:
    """Module-level names bound to a string literal (SQL kept in a constant)."""
    constants: dict[str, str] = {}
    for node in tree.body:
        target: ast.expr | None = None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
        elif isinstance(node, ast.AnnAssign):
            target = node.target
        value = getattr(node, "value", None)
        if isinstance(target, ast.Name) and isinstance(value, ast.expr):
            text = string_value(value, constants)
            if text is not None:
                constants[target.id] = text
    return constants


def string_value(node: ast.expr | None, constants: dict[str, str]) -> str | None:
    """The text of a literal string, a string constant, ``text("...")`` or ``"a" + "b"``."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        return constants.get(node.id)
    if isinstance(node, ast.Call) and call_name(node) in _SQL_WRAPPERS and len(node.args) == 1:
        return string_value(node.args[0], constants)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left = string_value(node.left, constants)
        right = string_value(node.right, constants)
        return None if left is None or right is None else left + right
    return None


def python_step(node: ast.AST, classify: Callable[[MigrationContext], tuple[Finding, ...]]) -> Step:
    """A step for one operation node, keyed by its normalised source."""

    def guarded(ctx: MigrationContext) -> tuple[Finding, ...]:
        try:
            return classify(ctx)
        except RecursionError:
            return (unreadable(f"operation {source(node)}"),)

    return Step(full_source(node), source(node), guarded)
