"""The rules for single Alembic operations: ``op.drop_column(...)``, ``batch_op.alter_column(...)``.

A batch operation names no table (its ``batch_alter_table`` context does), so its arguments sit
one position earlier than the plain operation's; ``OpCall.arg`` accounts for that.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.core.interfaces.sql_pyast import (
    argument,
    call_name,
    has_keyword,
    is_constant,
    name_text,
    source,
    string_value,
)
from bot.core.interfaces.sql_script import embedded_steps
from bot.core.interfaces.sql_steps import (
    Finding,
    MigrationContext,
    Place,
    breaking,
    column_added,
    column_default_dropped,
    column_default_set,
    column_dropped,
    column_made_nullable,
    column_renamed,
    column_set_not_null,
    column_type_changed,
    constraint_added,
    data_change,
    dropped,
    index_created,
    non_breaking,
    renamed,
    table_created,
    unreadable,
)

_TYPE_MODULES = re.compile(r"\b(?:sa|sqlalchemy|types|dialects|postgresql|mysql|sqlite|mssql)\.")
# Column arguments that give a new column a value for the rows it already has.
_FILLS_ROWS = frozenset({"Computed", "Identity"})
_CONSTRAINTS = {
    "create_foreign_key": "foreign key",
    "create_unique_constraint": "unique constraint",
    "create_check_constraint": "check constraint",
    "create_primary_key": "primary key",
    "create_exclude_constraint": "exclude constraint",
}


@dataclass(frozen=True)
class OpCall:
    """One operation call with what is needed to read it."""

    call: ast.Call
    name: str
    batch: ast.expr | None
    constants: dict[str, str]
    ctx: MigrationContext

    def arg(self, index: int, keyword: str) -> ast.expr | None:
        """An argument by its position in the plain (non-batch) form, or by keyword."""
        shifted = index - 1 if self.batch is not None and index > 0 else index
        return argument(self.call, shifted, keyword)

    def table(self, index: int, keyword: str) -> str:
        if self.batch is not None:
            return name_text(self.batch)
        return name_text(argument(self.call, index, keyword))

    def place(self, index: int, keyword: str) -> Place:
        column = name_text(self.arg(index, keyword))
        return Place(f"table {self.table(0, 'table_name')}", f"column {column}")


def classify(op: OpCall) -> tuple[Finding, ...]:
    """The findings of one operation; an operation not known here is breaking."""
    if op.name in _CONSTRAINTS:
        name = name_text(op.arg(0, "constraint_name"))
        table = op.table(1, "source_table" if op.name == "create_foreign_key" else "table_name")
        return (constraint_added(f"table {table}", f"{_CONSTRAINTS[op.name]} {name}", op.ctx),)
    handler = _HANDLERS.get(op.name)
    if handler is None:
        return (breaking(f"operation {source(op.call.func)} not recognised"),)
    return handler(op)


def _add_column(op: OpCall) -> tuple[Finding, ...]:
    column = op.arg(1, "column")
    table = f"table {op.table(0, 'table_name')}"
    if not isinstance(column, ast.Call) or not column.args:
        return (unreadable(f"{table}: column {source(column) if column else '?'}"),)
    place = Place(table, f"column {name_text(column.args[0])}")
    nullable = argument(column, -1, "nullable")
    primary = is_constant(argument(column, -1, "primary_key"), True)
    not_null = is_constant(nullable, False) or (primary and nullable is None)
    default = argument(column, -1, "server_default")
    fills = (default is not None and not is_constant(default, None)) or any(
        isinstance(a, ast.Call) and call_name(a) in _FILLS_ROWS for a in column.args
    )
    return (column_added(place, not_null=not_null, has_default=fills, ctx=op.ctx),)


def _alter_column(op: OpCall) -> tuple[Finding, ...]:
    place, call = op.place(1, "column_name"), op.call
    findings: list[Finding] = []
    new_type = argument(call, -1, "type_")
    if new_type is not None and not is_constant(new_type, None):
        findings.append(column_type_changed(place, _TYPE_MODULES.sub("", source(new_type))))
    findings.extend(_nullability(op, place))
    default = argument(call, -1, "server_default")
    if is_constant(default, None):
        findings.append(column_default_dropped(place))
    elif default is not None and not is_constant(default, False):
        findings.append(column_default_set(place))
    new_name = argument(call, -1, "new_column_name")
    if new_name is not None:
        findings.append(column_renamed(place, name_text(new_name)))
    if has_keyword(call, "comment"):
        findings.append(non_breaking(f"{place} comment set"))
    if not findings:
        findings.append(non_breaking(f"{place} altered (type, nullability, name unchanged)"))
    return tuple(findings)


def _nullability(op: OpCall, place: Place) -> tuple[Finding, ...]:
    nullable = argument(op.call, -1, "nullable")
    existing = argument(op.call, -1, "existing_nullable")
    if is_constant(nullable, False) and not is_constant(existing, False):
        return (column_set_not_null(place, op.ctx),)
    if is_constant(nullable, True) and not is_constant(existing, True):
        return (column_made_nullable(place),)
    return ()


def _create_index(op: OpCall) -> tuple[Finding, ...]:
    name = name_text(op.arg(0, "index_name"))
    table = f"table {op.table(1, 'table_name')}"
    unique = is_constant(argument(op.call, -1, "unique"), True)
    return (index_created(table, name, unique=unique, ctx=op.ctx),)


def _drop_index(op: OpCall) -> tuple[Finding, ...]:
    table = op.table(1, "table_name")
    owner = f"table {table}: index" if table != "?" else "index"
    return (dropped(owner, name_text(op.arg(0, "index_name"))),)


def _drop_constraint(op: OpCall) -> tuple[Finding, ...]:
    kind = name_text(argument(op.call, -1, "type_")) if has_keyword(op.call, "type_") else ""
    label = f"{kind} constraint".strip() if kind != "primary" else "primary key"
    table = op.table(1, "table_name")
    return (dropped(f"table {table}: {label}", name_text(op.arg(0, "constraint_name"))),)


def _execute(op: OpCall) -> tuple[Finding, ...]:
    statement = op.call.args[0] if op.call.args else None
    statement = statement or argument(op.call, -1, "sqltext") or argument(op.call, -1, "statement")
    text = string_value(statement, op.constants)
    if text is None:
        return (unreadable(f"SQL {source(statement) if statement else '?'}"),)
    return tuple(f for step in embedded_steps(text) for f in step.classify(op.ctx))


def _bulk_insert(op: OpCall) -> tuple[Finding, ...]:
    table = op.call.args[0] if op.call.args else None
    if isinstance(table, ast.Call) and table.args:
        table = table.args[0]  # sa.table("name", ...)
    return (data_change(name_text(table), "inserted"),)


_HANDLERS: dict[str, Callable[[OpCall], tuple[Finding, ...]]] = {
    "add_column": _add_column,
    "drop_column": lambda op: (column_dropped(op.place(1, "column_name")),),
    "alter_column": _alter_column,
    "create_table": lambda op: (table_created(name_text(op.arg(0, "table_name")), op.ctx),),
    "drop_table": lambda op: (dropped("table", name_text(op.arg(0, "table_name"))),),
    "rename_table": lambda op: (
        renamed(
            "table", name_text(op.arg(0, "old_table_name")), name_text(op.arg(1, "new_table_name"))
        ),
    ),
    "create_index": _create_index,
    "drop_index": _drop_index,
    "drop_constraint": _drop_constraint,
    "execute": _execute,
    "bulk_insert": _bulk_insert,
    "create_table_comment": lambda op: (
        non_breaking(f"table {op.table(0, 'table_name')}: comment set"),
    ),
    "drop_table_comment": lambda op: (
        non_breaking(f"table {op.table(0, 'table_name')}: comment dropped"),
    ),
}
