"""Names of the tables, columns and other objects a parsed SQL statement refers to."""

from __future__ import annotations

from sqlglot import exp


def name_of(node: object) -> str:
    """A dotted name as written (schema.table, table, column), without quotes."""
    if isinstance(node, str):
        return node.strip()
    if not isinstance(node, exp.Expr):
        return "?"
    if isinstance(node, exp.Table):
        return ".".join(part.name for part in node.parts) or node.sql()
    if isinstance(node, exp.Schema):
        return name_of(node.this)
    if isinstance(node, exp.Identifier | exp.Column | exp.Var):
        return node.name or node.sql()
    if isinstance(node, exp.Literal):
        return node.sql()
    return node.sql()


def table_of(node: exp.Expr | None) -> str:
    """The table a statement targets, looking through column lists (``t (a, b)``)."""
    if isinstance(node, exp.Schema):
        return name_of(node.this)
    return name_of(node)


def object_name(node: exp.Expr | None) -> str:
    """The name of a created view, function, trigger, sequence, schema or type."""
    if isinstance(node, exp.UserDefinedFunction | exp.Schema):
        return name_of(node.this)
    return name_of(node)
