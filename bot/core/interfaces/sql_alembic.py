"""Classify Alembic operations called in ``upgrade()``, read without importing the module.

``op.*`` calls, calls on a ``with op.batch_alter_table(...) as batch_op`` alias, and
``.execute(...)`` on a connection are the steps; module functions ``upgrade()`` calls are read
in place. ``downgrade()`` is the rollback side and is not read. Calls whose SQL or effect cannot
be read are breaking.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from bot.core.interfaces import sql_alembic_ops
from bot.core.interfaces.sql_pyast import argument, call_name, full_source, python_step
from bot.core.interfaces.sql_steps import Finding, MigrationContext, Step

# Operations that read or build things and change nothing themselves.
_HELPERS = frozenset(
    {"get_bind", "get_context", "f", "inline_literal", "batch_alter_table", "implementation_for"}
    | {"invoke", "run_async", "register_operation", "create_module_class_proxy"}
)
_EXECUTES = frozenset({"execute", "exec_driver_sql"})


@dataclass(frozen=True)
class _Found:
    """One operation call; ``batch`` is the table source of its batch context, if any."""

    call: ast.Call
    name: str
    batch: ast.expr | None


def alembic_steps(
    tree: ast.Module, upgrade: ast.FunctionDef, constants: dict[str, str]
) -> list[Step]:
    """One step per operation ``upgrade()`` calls, in source order."""
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    found = _operations(upgrade, functions, {upgrade.name})
    return [_step(item, constants) for item in found]


def _step(item: _Found, constants: dict[str, str]) -> Step:
    def classify(ctx: MigrationContext) -> tuple[Finding, ...]:
        call = sql_alembic_ops.OpCall(item.call, item.name, item.batch, constants, ctx)
        return sql_alembic_ops.classify(call)

    step = python_step(item.call, classify)
    if item.batch is None:
        return step
    key = f"batch_alter_table({full_source(item.batch)}).{step.key}"
    return Step(key, step.label, step.classify)


def _operations(
    function: ast.FunctionDef, functions: dict[str, ast.FunctionDef], seen: set[str]
) -> list[_Found]:
    batches = _batch_tables(function)
    found: list[_Found] = []
    for call in _calls(function):
        func = call.func
        if isinstance(func, ast.Name) and func.id in functions and func.id not in seen:
            seen.add(func.id)
            found.extend(_operations(functions[func.id], functions, seen))
        elif isinstance(func, ast.Attribute):
            item = _operation(call, func, batches.get(id(call)))
            if item is not None:
                found.append(item)
    return found


def _operation(call: ast.Call, func: ast.Attribute, batch: ast.expr | None) -> _Found | None:
    owner = func.value
    if isinstance(owner, ast.Name) and owner.id == "op":
        return None if func.attr in _HELPERS else _Found(call, func.attr, None)
    if batch is not None:
        return _Found(call, func.attr, batch)
    if func.attr in _EXECUTES:
        return _Found(call, "execute", None)
    return None


def _calls(function: ast.FunctionDef) -> Iterator[ast.Call]:
    calls = [node for node in ast.walk(function) if isinstance(node, ast.Call)]
    yield from sorted(calls, key=lambda node: (node.lineno, node.col_offset))


def _batch_tables(function: ast.FunctionDef) -> dict[int, ast.expr]:
    """Calls on a ``with op.batch_alter_table(<table>) as <alias>`` alias → their table.

    Outer blocks are seen first (``ast.walk`` goes breadth first), so an inner block that binds
    the same alias to another table wins for the calls inside it.
    """
    tables: dict[int, ast.expr] = {}
    for node in ast.walk(function):
        if not isinstance(node, ast.With | ast.AsyncWith):
            continue
        for item in node.items:
            context, alias = item.context_expr, item.optional_vars
            if not (isinstance(context, ast.Call) and isinstance(alias, ast.Name)):
                continue
            table = argument(context, 0, "table_name")
            if call_name(context) != "batch_alter_table" or table is None:
                continue
            for statement in node.body:
                for call in ast.walk(statement):
                    if _called_on(call, alias.id):
                        tables[id(call)] = table
    return tables


def _called_on(node: ast.AST, name: str) -> bool:
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
        return False
    owner = node.func.value
    return isinstance(owner, ast.Name) and owner.id == name
