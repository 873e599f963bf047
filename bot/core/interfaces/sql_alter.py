"""Classify the actions of an ALTER statement: one finding per column or constraint touched."""

from __future__ import annotations

from dataclasses import dataclass

import sqlglot
from sqlglot import exp

from bot.core.interfaces.sql_names import name_of
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
    dropped,
    excerpt,
    non_breaking,
    renamed,
)
from bot.core.interfaces.sql_text import PARSER_FAILURES

# Column constraints that give a new column a value for the rows it already has.
_FILLS_ROWS = (
    exp.DefaultColumnConstraint,
    exp.GeneratedAsIdentityColumnConstraint,
    exp.ComputedColumnConstraint,
    exp.AutoIncrementColumnConstraint,
)
_SERIAL_TYPES = frozenset({"SERIAL", "BIGSERIAL", "SMALLSERIAL"})
_TYPE_STOPS = frozenset({"USING", "COLLATE"})
# How far past the column name the written type is looked for: types are short, statements not.
_TYPE_WINDOW = 200


def classify_alter(
    node: exp.Alter, dialect: str | None, text: str, ctx: MigrationContext
) -> tuple[Finding, ...]:
    """Findings for ALTER TABLE actions; other ALTERs are read for renames only."""
    kind = (node.kind or "object").lower()
    name = name_of(node.this)
    if kind != "table":
        rename = next((a for a in node.actions if isinstance(a, exp.AlterRename)), None)
        if rename is not None:
            return (renamed(kind, name, name_of(rename.this)),)
        return (breaking(f'{kind} {name}: alteration "{excerpt(text)}" not recognised'),)
    findings: list[Finding] = []
    for action in node.actions:
        findings.extend(_action(node, action, _Source(name, dialect, text), ctx))
    return tuple(findings)


@dataclass(frozen=True)
class _Source:
    """The table an action applies to and the statement text it came from."""

    table: str
    dialect: str | None
    text: str


def _action(
    node: exp.Alter, action: exp.Expr, src: _Source, ctx: MigrationContext
) -> tuple[Finding, ...]:
    table = src.table
    if isinstance(action, exp.ColumnDef):
        return (_column_added(table, action, ctx),)
    if isinstance(action, exp.AlterColumn):
        return _alter_column(action, src, ctx)
    if isinstance(action, exp.RenameColumn):
        return (column_renamed(_place(table, action.this), name_of(action.args.get("to"))),)
    if isinstance(action, exp.AlterRename):
        return (_rename(node, action, table),)
    if isinstance(action, exp.Drop):
        return _drop(action, table)
    if isinstance(action, exp.DropPrimaryKey):
        return (breaking(f"table {table}: primary key dropped"),)
    if isinstance(action, exp.Command) and str(action.this).upper() == "DROP":
        return (column_dropped(_place(table, action.expression)),)
    if isinstance(action, exp.AddConstraint):
        owner = f"table {table}"
        return tuple(constraint_added(owner, _constraint(c), ctx) for c in action.expressions)
    if isinstance(action, exp.ModifyColumn):
        return _modify_column(action, table)
    return (breaking(f'table {table}: alteration "{excerpt(action.sql())}" not recognised'),)


def _place(table: str, column: exp.Expr | None) -> Place:
    return Place(f"table {table}", f"column {name_of(column)}")


def _column_added(table: str, column: exp.ColumnDef, ctx: MigrationContext) -> Finding:
    kinds = [c.args.get("kind") for c in column.constraints]
    not_null = any(
        isinstance(k, exp.PrimaryKeyColumnConstraint)
        or (isinstance(k, exp.NotNullColumnConstraint) and not k.args.get("allow_null"))
        for k in kinds
    )
    dtype = column.args.get("kind")
    serial = dtype is not None and dtype.sql().upper() in _SERIAL_TYPES
    fills = serial or any(isinstance(k, _FILLS_ROWS) for k in kinds)
    return column_added(_place(table, column.this), not_null=not_null, has_default=fills, ctx=ctx)


def _alter_column(
    action: exp.AlterColumn, src: _Source, ctx: MigrationContext
) -> tuple[Finding, ...]:
    place, args = _place(src.table, action.this), action.args
    findings: list[Finding] = []
    if args.get("dtype") is not None:
        findings.append(column_type_changed(place, _type_text(action, src)))
    elif args.get("collate"):
        findings.append(breaking(f"{place} collation changed"))
    if args.get("allow_null") is False:
        findings.append(column_set_not_null(place, ctx))
    elif args.get("allow_null") is True:
        findings.append(column_made_nullable(place))
    elif args.get("drop"):
        findings.append(column_default_dropped(place))
    if args.get("default") is not None:
        findings.append(column_default_set(place))
    if args.get("rename_to") is not None:
        findings.append(column_renamed(place, name_of(args["rename_to"])))
    if args.get("comment") is not None:
        findings.append(non_breaking(f"{place} comment set"))
    if not findings:
        findings.append(breaking(f'{place}: alteration "{excerpt(action.sql())}" not recognised'))
    return tuple(findings)


def _type_text(action: exp.AlterColumn, src: _Source) -> str:
    """The new type as written in the statement, else as the parser renders it."""
    rendered = str(action.args["dtype"].sql(dialect=src.dialect)).lower()
    end = action.this.meta.get("end") if isinstance(action.this, exp.Expr) else None
    if not isinstance(end, int):
        return rendered
    rest = src.text[end + 1 : end + 1 + _TYPE_WINDOW]
    try:
        tokens = sqlglot.Dialect.get_or_raise(src.dialect).tokenize(rest)
    except PARSER_FAILURES:
        return rendered
    while tokens and tokens[0].text.upper() in {"SET", "DATA", "TYPE"}:
        tokens.pop(0)
    depth, kept = 0, []
    for token in tokens:
        depth += {"(": 1, ")": -1}.get(token.text, 0)
        if depth == 0 and (token.text == "," or token.text.upper() in _TYPE_STOPS):
            break
        kept.append(token)
    return rest[kept[0].start : kept[-1].end + 1] if kept else rendered


def _rename(node: exp.Alter, action: exp.AlterRename, table: str) -> Finding:
    # ``ALTER TABLE t RENAME a TO b`` (no COLUMN keyword) reads as a rename with a TO option.
    for option in node.args.get("options") or []:
        if isinstance(option, exp.ToTableProperty):
            return column_renamed(_place(table, action.this), name_of(option.this))
    return renamed("table", table, name_of(action.this))


def _drop(action: exp.Drop, table: str) -> tuple[Finding, ...]:
    kind = (action.kind or "column").lower()
    targets = action.args.get("tables") or []
    if kind == "column":
        return tuple(column_dropped(_place(table, t)) for t in targets)
    return tuple(dropped(f"table {table}: {kind}", name_of(t)) for t in targets)


def _constraint(node: exp.Expr) -> str:
    if isinstance(node, exp.Constraint):
        return f"constraint {name_of(node.this)}"
    if isinstance(node, exp.PrimaryKey):
        return "primary key"
    if isinstance(node, exp.ForeignKey):
        return "foreign key"
    return f'constraint "{excerpt(node.sql())}"'


def _modify_column(action: exp.ModifyColumn, table: str) -> tuple[Finding, ...]:
    """MySQL MODIFY/CHANGE COLUMN restates the whole definition: a type change at least."""
    definition = action.this
    findings: list[Finding] = []
    source = action.args.get("rename_from")
    if source is not None:
        findings.append(column_renamed(_place(table, source), definition.name))
    dtype = definition.args.get("kind")
    type_text = dtype.sql(dialect="mysql").lower() if dtype is not None else "?"
    findings.append(column_type_changed(_place(table, definition.this), type_text))
    return tuple(findings)
