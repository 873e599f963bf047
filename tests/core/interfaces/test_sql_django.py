"""Django migrations: operations read from ``Migration.operations``, forwards only."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.interfaces.sql import compare_sql
from bot.core.severity import ContractParseError, InterfaceChange

FIXTURES = Path(__file__).parents[2] / "fixtures" / "contracts" / "sql" / "django"
B, N = "breaking", "non-breaking"
PATH = "shop/migrations/0002_orders.py"
TEMPLATE = """from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]

    operations = [
{operations}
    ]
"""


def _migration(*operations: str) -> str:
    return TEMPLATE.format(operations="\n".join(f"        {op}," for op in operations))


def _added(*operations: str) -> list[tuple[str, str]]:
    return [(c.severity, c.what) for c in compare_sql({}, {PATH: _migration(*operations)})]


def _fixture(app: str, name: str) -> list[tuple[str, str]]:
    text = (FIXTURES / app / f"{name}.py.txt").read_text(encoding="utf-8")
    path = f"{app}/migrations/{name}.py"
    changes = compare_sql({}, {path: text})
    assert {c.path for c in changes} == {path}
    return [(c.severity, c.what) for c in changes]


def test_real_initial_migrations_only_create() -> None:
    assert _fixture("auth", "0001_initial") == [
        (N, "model Permission created"),
        (N, "model Group created"),
        (N, "model User created"),
    ]
    assert _fixture("sessions", "0001_initial") == [(N, "model Session created")]


def test_real_unique_together_on_a_model_created_alongside_is_not_breaking() -> None:
    assert _fixture("contenttypes", "0001_initial") == [
        (N, "model ContentType created"),
        (
            N,
            "model contenttype: unique_together {('app_label', 'model')}"
            " added to a table created in this migration",
        ),
    ]


def test_real_field_removal_after_a_noop_run_python() -> None:
    assert _fixture("contenttypes", "0002_remove_content_type_name") == [
        (N, "model contenttype: options changed (no schema change)"),
        (B, "model contenttype: field name altered to CharField(max_length=100, null=True)"),
        (B, "model contenttype: field name dropped"),
    ]


def test_real_alter_field_is_breaking_as_its_previous_definition_is_unknown() -> None:
    assert _fixture("auth", "0002_alter_permission_name_max_length") == [
        (
            B,
            "model permission: field name altered to"
            " CharField(max_length=255, verbose_name='name')",
        )
    ]
    assert _fixture("auth", "0005_alter_user_last_login_null")[0][0] == B
    assert _fixture("admin", "0003_logentry_add_action_flag_choices")[0][0] == B


def test_real_run_python_fails_closed() -> None:
    assert _fixture("auth", "0011_update_proxy_permissions") == [
        (B, "RunPython update_proxy_model_permissions could not be parsed")
    ]


FIELD = "migrations.AddField(model_name='order', name='amount', field=models.{})"
OPERATIONS = [
    # AddField: NOT NULL without a default is breaking; nullable or defaulted is not
    (
        FIELD.format("IntegerField()"),
        [(B, "model order: field amount added as NOT NULL without a default")],
    ),
    (
        FIELD.format("IntegerField(null=False)"),
        [(B, "model order: field amount added as NOT NULL without a default")],
    ),
    (FIELD.format("IntegerField(null=True)"), [(N, "model order: field amount added (nullable)")]),
    (
        FIELD.format("IntegerField(default=0)"),
        [(N, "model order: field amount added with a default")],
    ),
    (
        FIELD.format("IntegerField(db_default=0)"),
        [(N, "model order: field amount added with a default")],
    ),
    (
        FIELD.format("ManyToManyField(to='shop.tag')"),
        [(N, "model order: field amount added (many-to-many: a new join table)")],
    ),
    # RemoveField / RenameField / AlterField
    (
        "migrations.RemoveField(model_name='order', name='amount')",
        [(B, "model order: field amount dropped")],
    ),
    (
        "migrations.RenameField(model_name='order', old_name='amount', new_name='total')",
        [(B, "model order: field amount renamed to total")],
    ),
    (
        "migrations.AlterField('order', 'amount',"
        " models.DecimalField(max_digits=12, decimal_places=2))",
        [(B, "model order: field amount altered to DecimalField(max_digits=12, decimal_places=2)")],
    ),
    # Models
    ("migrations.CreateModel(name='Refund', fields=[])", [(N, "model Refund created")]),
    ("migrations.DeleteModel(name='Refund')", [(B, "model Refund dropped")]),
    (
        "migrations.RenameModel(old_name='Refund', new_name='Credit')",
        [(B, "model Refund renamed to Credit")],
    ),
    (
        "migrations.AlterModelTable(name='order', table='shop_orders')",
        [(B, "model order: table renamed to shop_orders")],
    ),
    (
        "migrations.AlterModelOptions(name='order', options={'ordering': ['-id']})",
        [(N, "model order: options changed (no schema change)")],
    ),
    # Indexes and constraints
    (
        "migrations.AddIndex(model_name='order',"
        " index=models.Index(fields=['amount'], name='amt'))",
        [(N, "model order: index amt created")],
    ),
    (
        "migrations.RemoveIndex(model_name='order', name='amt')",
        [(B, "model order: index amt dropped")],
    ),
    (
        "migrations.AddConstraint(model_name='order', constraint=models.UniqueConstraint("
        "fields=['code'], name='uniq_code'))",
        [
            (
                B,
                "model order: constraint uniq_code added"
                " (existing rows and writers must satisfy it)",
            )
        ],
    ),
    (
        "migrations.RemoveConstraint(model_name='order', name='uniq_code')",
        [(B, "model order: constraint uniq_code dropped")],
    ),
    # RunSQL: the forward SQL is parsed; reverse_sql is the rollback side
    (
        "migrations.RunSQL('ALTER TABLE shop_order DROP COLUMN amount', "
        "reverse_sql='ALTER TABLE shop_order ADD COLUMN amount int')",
        [(B, "table shop_order: column amount dropped")],
    ),
    (
        "migrations.RunSQL(sql=['CREATE INDEX o_amt ON shop_order (amount)', "
        "('UPDATE shop_order SET amount = %s', [0])], reverse_sql='DROP INDEX o_amt')",
        [
            (N, "table shop_order: index o_amt created"),
            (B, "table shop_order: rows updated (data loss)"),
        ],
    ),
    ("migrations.RunSQL(migrations.RunSQL.noop)", []),
    ("migrations.RunSQL(build_sql())", [(B, "RunSQL build_sql() could not be parsed")]),
    # RunPython: code cannot be read, so it fails closed unless it does nothing
    ("migrations.RunPython(forwards, backwards)", [(B, "RunPython forwards could not be parsed")]),
    ("migrations.RunPython(migrations.RunPython.noop, backwards)", []),
    # SeparateDatabaseAndState: only the database operations reach the schema
    (
        "migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel('Old')], "
        "database_operations=[])",
        [],
    ),
    (
        "migrations.SeparateDatabaseAndState(database_operations=["
        "migrations.RunSQL('DROP TABLE shop_old')])",
        [(B, "table shop_old dropped")],
    ),
    # Unknown operations fail closed
    (
        "thirdparty.AddDatabaseTrigger(name='t')",
        [(B, "operation thirdparty.AddDatabaseTrigger not recognised")],
    ),
]


@pytest.mark.parametrize(("operation", "expected"), OPERATIONS, ids=[o[0][:70] for o in OPERATIONS])
def test_operation(operation: str, expected: list[tuple[str, str]]) -> None:
    assert _added(operation) == expected


def test_narrowing_a_model_created_in_the_same_migration_is_not_breaking() -> None:
    changes = _added(
        "migrations.CreateModel(name='Refund',"
        " fields=[('id', models.AutoField(primary_key=True))])",
        "migrations.AddField(model_name='refund', name='amount', field=models.IntegerField())",
        "migrations.AlterUniqueTogether(name='refund', unique_together={('amount',)})",
    )
    assert changes == [
        (N, "model Refund created"),
        (N, "model refund: field amount added as NOT NULL to a table created in this migration"),
        (
            N,
            "model refund: unique_together {('amount',)}"
            " added to a table created in this migration",
        ),
    ]


def test_an_operation_appended_to_an_existing_migration_is_the_only_change() -> None:
    before = _migration("migrations.CreateModel(name='Refund', fields=[])")
    after = _migration(
        "migrations.CreateModel(name='Refund', fields=[])",
        "migrations.RemoveField(model_name='order', name='note')",
    )
    assert compare_sql({PATH: before}, {PATH: after}) == (
        InterfaceChange(PATH, B, "model order: field note dropped"),
    )


def test_comments_and_layout_yield_nothing() -> None:
    before = _migration("migrations.RemoveField(model_name='order', name='note')")
    after = before.replace(
        "migrations.RemoveField(model_name='order', name='note'),",
        "# The note moved to the order lines.\n        migrations.RemoveField(\n"
        '            model_name="order",\n            name="note",\n        ),',
    )
    assert after != before
    assert compare_sql({PATH: before}, {PATH: after}) == ()


def test_operations_built_at_run_time_fail_closed() -> None:
    text = TEMPLATE.replace("operations = [\n{operations}\n    ]", "operations = make_operations()")
    assert [(c.severity, c.what) for c in compare_sql({}, {PATH: text})] == [
        (B, "operations make_operations() could not be parsed")
    ]


def test_an_empty_package_module_has_no_operations() -> None:
    assert compare_sql({}, {"shop/migrations/__init__.py": ""}) == ()


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("class Migration(:\n", "does not parse as Python (SyntaxError at line 1: invalid syntax)"),
        ("def helper():\n    return 1\n", "is neither a Django migration nor an Alembic revision"),
    ],
)
def test_python_that_is_not_a_migration_raises(text: str, why: str) -> None:
    with pytest.raises(ContractParseError) as raised:
        compare_sql({}, {PATH: text})
    assert raised.value.why == why


def test_deeply_nested_python_raises_instead_of_crashing() -> None:
    with pytest.raises(ContractParseError, match="does not parse as Python"):
        compare_sql({}, {PATH: "x = " + "(" * 100_000 + ")" * 100_000})
    long_sum = "S = " + " + ".join(['"a"'] * 20_000) + "\n" + _migration("migrations.RunSQL(S)")
    with pytest.raises(ContractParseError, match="does not parse as Python"):
        compare_sql({}, {PATH: long_sum})
