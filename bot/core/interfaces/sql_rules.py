"""Classify one parsed SQL statement: what only adds to the schema is non-breaking, the rest not.

Breaking: drops, renames, type changes, ``NOT NULL`` without a default, added constraints, and
statements that lose or rewrite data (``DELETE``, ``TRUNCATE``, ``UPDATE``, ``MERGE``, an
``INSERT`` that replaces or updates rows on conflict). Statements that run code the comparator
cannot judge are breaking too: ``DO`` blocks, ``CALL``, ``EXECUTE``, and a ``SELECT`` or
``INSERT`` that calls a function it does not know (``SELECT set_config(...)``, ``SELECT
my_migrate()``), or hides a data change in a ``WITH`` clause. Anything not recognised is
breaking, so an unknown statement never passes unseen (fail closed).

Non-breaking: ``CREATE`` (tables, indexes, also ``CONCURRENTLY``, views, functions, types),
nullable or defaulted columns, ``COMMENT ON``, ``GRANT``, a ``SELECT`` that only reads, and a
plain ``INSERT``. An ``INSERT`` of seed rows (``VALUES`` of literals and built-in functions, or
rows copied by such a query, with at most ``ON CONFLICT DO NOTHING``) only adds rows: every
row a consumer could read before is still there, unchanged, as a new nullable column leaves
them. Transaction control and settings (``BEGIN``, ``SET``, ``ANALYZE``) change nothing.
"""

from __future__ import annotations

from sqlglot import exp

from bot.core.interfaces import sql_alter
from bot.core.interfaces.sql_command import classify_command
from bot.core.interfaces.sql_names import name_of, object_name, table_of
from bot.core.interfaces.sql_steps import (
    Finding,
    MigrationContext,
    breaking,
    data_change,
    data_loss,
    dropped,
    excerpt,
    index_created,
    non_breaking,
    runs_code,
    table_created,
)
from bot.core.interfaces.sql_text import Parsed

# Statements with no effect on the schema or its data: transactions, settings, maintenance.
_IGNORED = (exp.Transaction, exp.Commit, exp.Rollback, exp.Set, exp.Use, exp.Pragma, exp.Analyze)
# Statements that lose or rewrite rows consumers read.
_DATA_VERBS: dict[type[exp.Expr], str] = {
    exp.Update: "updated",
    exp.Delete: "deleted",
    exp.Merge: "merged",
}
_WRITES = (exp.Insert, exp.Update, exp.Delete, exp.Merge, exp.TruncateTable)


def classify_statement(parsed: Parsed, text: str, ctx: MigrationContext) -> tuple[Finding, ...]:
    """The findings of one statement; ``text`` is its source, for excerpts and type names."""
    node = parsed.expression
    if isinstance(node, _IGNORED):
        return ()
    if isinstance(node, exp.Command):
        return classify_command(str(node.this).upper(), text)
    if isinstance(node, exp.Alter):
        return sql_alter.classify_alter(node, parsed.dialect, text, ctx)
    if isinstance(node, exp.Create):
        return (_create(node, parsed.dialect, ctx),)
    if isinstance(node, exp.Drop):
        return _drop(node, parsed.dialect)
    return _other(node, text)


def _create(node: exp.Create, dialect: str | None, ctx: MigrationContext) -> Finding:
    kind = (node.kind or "object").lower()
    target = node.this
    if kind == "table":
        return table_created(table_of(target), ctx)
    if kind == "index" and isinstance(target, exp.Index):
        table = name_of(target.args.get("table"))
        unique = bool(node.args.get("unique"))
        return index_created(f"table {table}", _index(target, dialect), unique=unique, ctx=ctx)
    replaced = " or replaced" if node.args.get("replace") else ""
    return non_breaking(f"{kind} {object_name(target)} created{replaced}")


def _index(index: exp.Index, dialect: str | None) -> str:
    """An index's name, or its columns when it has none (``CREATE INDEX ON t (a)``)."""
    if index.this is not None:
        return name_of(index.this)
    params = index.args.get("params")
    columns = params.args.get("columns") if params is not None else None
    return "on (" + ", ".join(c.sql(dialect=dialect) for c in columns or []) + ")"


def _drop(node: exp.Drop, dialect: str | None) -> tuple[Finding, ...]:
    kind = (node.kind or "object").lower()
    arguments = node.expressions
    signature = ""
    if kind in {"function", "procedure"} and arguments:
        signature = "(" + ", ".join(a.sql(dialect=dialect).lower() for a in arguments) + ")"
    targets = node.args.get("tables") or []
    return tuple(dropped(kind, name_of(target) + signature) for target in targets) or (
        dropped(kind, "(unnamed)"),
    )


def _other(node: exp.Expr, text: str) -> tuple[Finding, ...]:
    for statement, verb in _DATA_VERBS.items():
        if isinstance(node, statement):
            return (data_loss(table_of(node.this), verb),)
    if isinstance(node, exp.TruncateTable):
        return tuple(data_loss(name_of(t), "deleted by TRUNCATE") for t in node.expressions)
    if isinstance(node, exp.Insert):
        return (_insert(node, text),)
    if isinstance(node, exp.Comment):
        target = str(node.args.get("kind") or "object").lower()
        return (non_breaking(f"{target} {name_of(node.this)}: comment set"),)
    if isinstance(node, exp.Grant):
        return (non_breaking(f"privileges granted on {name_of(node.args.get('securable'))}"),)
    if isinstance(node, exp.Revoke):
        return (breaking(f"privileges revoked on {name_of(node.args.get('securable'))}"),)
    if isinstance(node, exp.Query):
        if node.find(exp.Into) is not None:
            return (breaking(f'query "{excerpt(text)}" writes into a table: not recognised'),)
        if _runs_code(node):
            return (runs_code(f'query "{excerpt(text)}"'),)
        return (non_breaking(f'query "{excerpt(text)}" run (no schema change)'),)
    return (breaking(f'statement "{excerpt(text)}" not recognised'),)


def _insert(node: exp.Insert, text: str) -> Finding:
    """A plain INSERT adds rows; one that replaces or updates rows, or runs code, is breaking."""
    table = table_of(node.this)
    conflict = node.args.get("conflict")
    action = str(conflict.args.get("action") or "").upper() if conflict is not None else ""
    if node.args.get("alternative") or (conflict is not None and "NOTHING" not in action):
        return data_loss(table, "replaced or updated on conflict")
    if _runs_code(node):
        return runs_code(f'table {table}: insert "{excerpt(text)}"')
    return data_change(table, "inserted")


def _runs_code(node: exp.Expr) -> bool:
    """Whether a statement calls a function the parser does not know or hides a write inside
    (``WITH gone AS (DELETE ...) SELECT ...``)."""
    if node.find(exp.Anonymous) is not None:
        return True
    return any(n is not node for n in node.find_all(*_WRITES))
