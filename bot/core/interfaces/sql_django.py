"""Classify Django migration operations, read from ``Migration.operations`` without importing.

Only the forward direction counts: ``reverse_sql`` and ``reverse_code`` are ignored. RunPython
code cannot be read, so it is breaking (fail closed) unless it is ``RunPython.noop``.
``AlterField`` restates a field without its previous definition, so it is breaking too.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass

from bot.core.interfaces.sql_pyast import (
    argument,
    call_name,
    has_keyword,
    is_constant,
    name_text,
    python_step,
    source,
    string_value,
)
from bot.core.interfaces.sql_script import embedded_steps
from bot.core.interfaces.sql_steps import (
    Finding,
    MigrationContext,
    Place,
    Step,
    breaking,
    column_added,
    column_dropped,
    column_renamed,
    constraint_added,
    dropped,
    index_created,
    non_breaking,
    renamed,
    unreadable,
)


@dataclass(frozen=True)
class _Op:
    """One operation call, with the module's string constants and the migration so far."""

    call: ast.Call
    constants: dict[str, str]
    ctx: MigrationContext

    def arg(self, index: int, name: str) -> ast.expr | None:
        return argument(self.call, index, name)

    def model(self, index: int = 0, name: str = "model_name") -> str:
        return f"model {name_text(self.arg(index, name))}"

    def field(self) -> Place:
        return Place(self.model(), f"field {name_text(self.arg(1, 'name'))}")


def django_steps(migration: ast.ClassDef, constants: dict[str, str]) -> list[Step]:
    """One step per entry of ``operations``; a list built at run time is one unreadable step."""
    operations = _operations(migration)
    if operations is None:
        return []
    if not isinstance(operations, ast.List | ast.Tuple):
        finding = unreadable(f"operations {source(operations)}")
        return [python_step(operations, lambda _ctx: (finding,))]
    return [_step(node, constants) for node in operations.elts]


def _step(node: ast.expr, constants: dict[str, str]) -> Step:
    return python_step(node, lambda ctx: classify_operation(node, constants, ctx))


def _operations(migration: ast.ClassDef) -> ast.expr | None:
    for node in migration.body:
        if isinstance(node, ast.Assign) and any(_is_operations(t) for t in node.targets):
            return node.value
        if isinstance(node, ast.AnnAssign) and _is_operations(node.target):
            return node.value
    return None


def _is_operations(target: ast.expr) -> bool:
    return isinstance(target, ast.Name) and target.id == "operations"


def classify_operation(
    node: ast.expr, constants: dict[str, str], ctx: MigrationContext
) -> tuple[Finding, ...]:
    """The findings of one Django operation."""
    if not isinstance(node, ast.Call):
        return (unreadable(f"operation {source(node)}"),)
    handler = _HANDLERS.get(call_name(node))
    if handler is None:
        return (breaking(f"operation {source(node.func)} not recognised"),)
    return handler(_Op(node, constants, ctx))


def _create_model(op: _Op) -> tuple[Finding, ...]:
    model = op.model(0, "name")
    op.ctx.create(model)
    return (non_breaking(f"{model} created"),)


def _add_field(op: _Op) -> tuple[Finding, ...]:
    place, field = op.field(), op.arg(2, "field")
    if not isinstance(field, ast.Call):
        return (unreadable(f"{place} definition"),)
    if call_name(field) == "ManyToManyField":
        return (non_breaking(f"{place} added (many-to-many: a new join table)"),)
    not_null = not is_constant(argument(field, -1, "null"), True)
    default = any(has_keyword(field, k) for k in ("default", "db_default"))
    default = default or call_name(field) == "GeneratedField"
    return (column_added(place, not_null=not_null, has_default=default, ctx=op.ctx),)


def _alter_field(op: _Op) -> tuple[Finding, ...]:
    place, field = op.field(), op.arg(2, "field")
    what = f"{place} altered to {_definition(field)}"
    if op.ctx.is_new(place.owner):
        return (non_breaking(what),)
    # The previous definition lives in an older migration: the change cannot be shown narrower.
    return (breaking(what),)


def _definition(field: ast.expr | None) -> str:
    """A field definition without the ``models.`` prefix: ``CharField(max_length=150)``."""
    text = source(field) if field is not None else "?"
    return text.removeprefix("models.")


def _rename_field(op: _Op) -> tuple[Finding, ...]:
    place = Place(op.model(), f"field {name_text(op.arg(1, 'old_name'))}")
    return (column_renamed(place, name_text(op.arg(2, "new_name"))),)


def _add_index(op: _Op) -> tuple[Finding, ...]:
    index = op.arg(1, "index")
    name = name_text(argument(index, -1, "name")) if isinstance(index, ast.Call) else "?"
    return (index_created(op.model(), name, unique=False, ctx=op.ctx),)


def _add_constraint(op: _Op) -> tuple[Finding, ...]:
    constraint = op.arg(1, "constraint")
    name = name_text(argument(constraint, -1, "name")) if isinstance(constraint, ast.Call) else "?"
    return (constraint_added(op.model(), f"constraint {name}", op.ctx),)


def _unique_together(op: _Op) -> tuple[Finding, ...]:
    value = op.arg(1, "unique_together")
    name = f"unique_together {source(value) if value else '?'}"
    return (constraint_added(op.model(0, "name"), name, op.ctx),)


def _order_with_respect_to(op: _Op) -> tuple[Finding, ...]:
    model = op.model(0, "name")
    what = f"{model}: order_with_respect_to changed (the _order column is added or dropped)"
    return (non_breaking(what) if op.ctx.is_new(model) else breaking(what),)


def _run_sql(op: _Op) -> tuple[Finding, ...]:
    sql = op.arg(0, "sql")
    if _is_noop(sql):
        return ()
    parts = sql.elts if isinstance(sql, ast.List | ast.Tuple) else [sql]
    findings: list[Finding] = []
    for part in parts:
        if isinstance(part, ast.Tuple) and part.elts:
            part = part.elts[0]  # (sql, params)
        text = string_value(part, op.constants)
        if text is None:
            findings.append(unreadable(f"RunSQL {source(part) if part else '?'}"))
            continue
        for step in embedded_steps(text):
            findings.extend(step.classify(op.ctx))
    return tuple(findings)


def _run_python(op: _Op) -> tuple[Finding, ...]:
    code = op.arg(0, "code")
    if _is_noop(code):
        return ()
    # Python code can do anything to the schema or the data: it cannot be shown harmless.
    return (unreadable(f"RunPython {source(code) if code else '?'}"),)


def _separate(op: _Op) -> tuple[Finding, ...]:
    operations = op.arg(1, "database_operations")
    if operations is None:
        return ()
    if not isinstance(operations, ast.List | ast.Tuple):
        return (unreadable(f"database_operations {source(operations)}"),)
    return tuple(f for n in operations.elts for f in classify_operation(n, op.constants, op.ctx))


def _is_noop(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "noop"


def _model_change(what: str) -> Callable[[_Op], tuple[Finding, ...]]:
    return lambda op: (non_breaking(f"{op.model(0, 'name')}: {what}"),)


_HANDLERS: dict[str, Callable[[_Op], tuple[Finding, ...]]] = {
    "CreateModel": _create_model,
    "DeleteModel": lambda op: (dropped("model", name_text(op.arg(0, "name"))),),
    "RenameModel": lambda op: (
        renamed("model", name_text(op.arg(0, "old_name")), name_text(op.arg(1, "new_name"))),
    ),
    "AlterModelTable": lambda op: (
        breaking(f"{op.model(0, 'name')}: table renamed to {name_text(op.arg(1, 'table'))}"),
    ),
    "AddField": _add_field,
    "RemoveField": lambda op: (column_dropped(op.field()),),
    "AlterField": _alter_field,
    "RenameField": _rename_field,
    "AddIndex": _add_index,
    "RemoveIndex": lambda op: (dropped(f"{op.model()}: index", name_text(op.arg(1, "name"))),),
    "RenameIndex": lambda op: (
        renamed(
            f"{op.model()}: index",
            name_text(op.arg(2, "old_name")),
            name_text(op.arg(1, "new_name")),
        ),
    ),
    "AddConstraint": _add_constraint,
    "RemoveConstraint": lambda op: (
        dropped(f"{op.model()}: constraint", name_text(op.arg(1, "name"))),
    ),
    "AlterUniqueTogether": _unique_together,
    "AlterIndexTogether": _model_change("index_together changed (indexes only)"),
    "AlterModelOptions": _model_change("options changed (no schema change)"),
    "AlterModelManagers": _model_change("managers changed (no schema change)"),
    "AlterModelTableComment": _model_change("table comment changed"),
    "AlterOrderWithRespectTo": _order_with_respect_to,
    "RunSQL": _run_sql,
    "RunPython": _run_python,
    "SeparateDatabaseAndState": _separate,
}
