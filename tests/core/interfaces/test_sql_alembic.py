"""Alembic revisions: operations called in ``upgrade()``; ``downgrade()`` is never read."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.interfaces.sql import compare_sql
from bot.core.severity import InterfaceChange

FIXTURES = Path(__file__).parents[2] / "fixtures" / "contracts" / "sql" / "alembic"
B, N = "breaking", "non-breaking"
PATH = "alembic/versions/3f2a_orders.py"
NARROWS = "added (existing rows and writers must satisfy it)"
TEMPLATE = '''"""orders"""

import sqlalchemy as sa
from alembic import op

revision = "3f2a"
down_revision = "1e0b"


def upgrade():
{upgrade}


def downgrade():
    op.drop_table("orders")
    op.drop_column("orders", "amount")
'''


def _revision(*lines: str) -> str:
    return TEMPLATE.format(upgrade="\n".join(f"    {line}" for line in lines))


def _added(*lines: str) -> list[tuple[str, str]]:
    return [(c.severity, c.what) for c in compare_sql({}, {PATH: _revision(*lines)})]


def _fixture(name: str) -> list[tuple[str, str]]:
    text = (FIXTURES / f"{name}.py.txt").read_text(encoding="utf-8")
    path = f"mlflow/store/db_migrations/versions/{name}.py"
    changes = compare_sql({}, {path: text})
    assert {c.path for c in changes} <= {path}
    return [(c.severity, c.what) for c in changes]


def test_real_nullable_column_whose_downgrade_drops_it_is_not_breaking() -> None:
    # upgrade() adds a nullable column; downgrade() drops it in a batch block.
    assert _fixture("c3d6457b6d8a_add_status_details_column_to_jobs_table") == [
        (N, "table jobs: column status_details added (nullable)")
    ]
    assert _fixture("0c779009ac13_add_deleted_time_field_to_runs_table") == [
        (N, "table runs: column deleted_time added (nullable)")
    ]


def test_real_type_change_in_a_batch_block() -> None:
    assert _fixture("cc1f77228345_change_param_value_length_to_500") == [
        (B, "table params: column value type changed to String(500)")
    ]


def test_real_rename_and_index_swap() -> None:
    assert _fixture("5d2d30f0abce_update_job_table") == [
        (B, "table jobs: index index_jobs_function_status_creation_time dropped"),
        (B, "table jobs: column function_fullname renamed to job_name"),
        (N, "table jobs: index index_jobs_name_status_creation_time created"),
    ]


def test_real_not_null_type_change_and_primary_key_rebuild() -> None:
    assert _fixture("181f10493468_allow_nulls_for_metric_values") == [
        (B, "table metrics: column value type changed to Float(precision=53)"),
        (B, "table metrics: column value set NOT NULL"),
        (N, "table metrics: column is_nan added with a default"),
        (B, "table metrics: primary key metric_pk dropped"),
        (B, f"table metrics: primary key metric_pk {NARROWS}"),
    ]


def test_real_batch_blocks_reusing_one_alias_keep_their_own_tables() -> None:
    assert _fixture("39d1c3be5f05_add_is_nan_constraint_for_metrics_tables_if_necessary") == [
        (B, "table latest_metrics: column is_nan type changed to Boolean(create_constraint=True)"),
        (B, "table latest_metrics: column is_nan set NOT NULL"),
        (B, "table metrics: column is_nan type changed to Boolean(create_constraint=True)"),
        (B, "table metrics: column is_nan set NOT NULL"),
    ]


def test_real_tables_named_by_expressions() -> None:
    assert _fixture("df50e92ffc5e_add_experiment_tags_table") == [
        (N, "table SqlExperimentTag.__tablename__ created")
    ]
    assert _fixture("bd07f7e963c5_create_index_on_run_uuid") == [
        (N, "table table: index f'index_{table}_run_uuid' created")
    ]


def test_real_sql_held_in_module_constants_is_parsed() -> None:
    changes = _fixture("1bd49d398cd23_add_secrets_tables")
    assert (N, "table secrets created") in changes
    assert (
        N,
        "table secrets: unique index unique_secret_name added to a table created in this migration",
    ) in changes
    assert (N, "function prevent_secrets_aad_mutation created or replaced") in changes
    assert (N, "trigger prevent_secrets_aad_mutation created") in changes
    # SQLite and MySQL trigger bodies are beyond the parser: they fail closed, by name.
    unread = [what for severity, what in changes if severity == B]
    assert len(unread) == 3
    assert all(
        what.startswith('statement "CREATE TRIGGER prevent_secrets_aad_mutation') for what in unread
    )


OPERATIONS = [
    # add_column: NOT NULL without a server default is breaking
    (
        ['op.add_column("orders", sa.Column("amount", sa.Numeric(12, 2), nullable=False))'],
        [(B, "table orders: column amount added as NOT NULL without a default")],
    ),
    (
        ['op.add_column("orders", sa.Column("amount", sa.Integer(), nullable=False, default=0))'],
        [(B, "table orders: column amount added as NOT NULL without a default")],
    ),
    (
        [
            'op.add_column("orders", sa.Column("amount", sa.Integer(), nullable=False,'
            ' server_default="0"))'
        ],
        [(N, "table orders: column amount added with a default")],
    ),
    (
        ['op.add_column("orders", sa.Column("amount", sa.Integer()))'],
        [(N, "table orders: column amount added (nullable)")],
    ),
    # drop_column
    (['op.drop_column("orders", "amount")'], [(B, "table orders: column amount dropped")]),
    # alter_column
    (
        ['op.alter_column("orders", "amount", type_=sa.Numeric(12, 2))'],
        [(B, "table orders: column amount type changed to Numeric(12, 2)")],
    ),
    (
        ['op.alter_column("orders", "amount", nullable=False)'],
        [(B, "table orders: column amount set NOT NULL")],
    ),
    (
        ['op.alter_column("orders", "amount", nullable=False, existing_nullable=False)'],
        [(N, "table orders: column amount altered (type, nullability, name unchanged)")],
    ),
    (
        ['op.alter_column("orders", "amount", nullable=True)'],
        [(N, "table orders: column amount made nullable")],
    ),
    (
        ['op.alter_column("orders", "amount", new_column_name="total")'],
        [(B, "table orders: column amount renamed to total")],
    ),
    (
        ['op.alter_column("orders", "amount", server_default=None)'],
        [(B, "table orders: column amount default dropped")],
    ),
    (
        ['op.alter_column("orders", "amount", server_default="0")'],
        [(N, "table orders: column amount default set")],
    ),
    # Tables
    (['op.drop_table("orders")'], [(B, "table orders dropped")]),
    (['op.rename_table("orders", "purchases")'], [(B, "table orders renamed to purchases")]),
    (
        ['op.create_table("refunds", sa.Column("id", sa.Integer(), primary_key=True))'],
        [(N, "table refunds created")],
    ),
    # Indexes and constraints
    (
        ['op.create_index("ix_orders_amount", "orders", ["amount"])'],
        [(N, "table orders: index ix_orders_amount created")],
    ),
    (
        ['op.create_index("ux_orders_code", "orders", ["code"], unique=True)'],
        [(B, f"table orders: unique index ux_orders_code {NARROWS}")],
    ),
    (
        ['op.drop_index("ix_orders_amount", table_name="orders")'],
        [(B, "table orders: index ix_orders_amount dropped")],
    ),
    (['op.drop_index("ix_orders_amount")'], [(B, "index ix_orders_amount dropped")]),
    (
        ['op.create_unique_constraint("uq_code", "orders", ["code"])'],
        [(B, f"table orders: unique constraint uq_code {NARROWS}")],
    ),
    (
        ['op.drop_constraint("uq_code", "orders", type_="unique")'],
        [(B, "table orders: unique constraint uq_code dropped")],
    ),
    # execute: literal SQL is parsed, anything else fails closed
    (
        ['op.execute("ALTER TABLE orders DROP COLUMN note")'],
        [(B, "table orders: column note dropped")],
    ),
    (
        ["op.execute(sa.text(\"UPDATE orders SET status = 'paid' WHERE paid_at IS NOT NULL\"))"],
        [(B, "table orders: rows updated (data loss)")],
    ),
    (
        ["op.get_bind().execute(sa.text(\"INSERT INTO statuses (name) VALUES ('x')\"))"],
        [(N, "table statuses: rows inserted (data change)")],
    ),
    (
        ["op.execute(orders.update().values(status='paid'))"],
        [(B, "SQL orders.update().values(status='paid') could not be parsed")],
    ),
    (
        ['op.bulk_insert(sa.table("statuses", sa.column("name")), [{"name": "x"}])'],
        [(N, "table statuses: rows inserted (data change)")],
    ),
    # Helpers change nothing; unknown operations fail closed
    (["bind = op.get_bind()", "print(bind.dialect.name)"], []),
    (['op.create_table_comment("orders", "Placed orders")'], [(N, "table orders: comment set")]),
    (['op.invent_operation("orders")'], [(B, "operation op.invent_operation not recognised")]),
]


@pytest.mark.parametrize(("lines", "expected"), OPERATIONS, ids=[o[0][0][:70] for o in OPERATIONS])
def test_operation(lines: list[str], expected: list[tuple[str, str]]) -> None:
    assert _added(*lines) == expected


def test_batch_operations_name_their_table_through_the_context() -> None:
    assert _added(
        'with op.batch_alter_table("orders", schema=None) as batch_op:',
        '    batch_op.add_column(sa.Column("note", sa.Text(), nullable=True))',
        '    batch_op.alter_column("amount", type_=sa.BigInteger(), existing_type=sa.Integer())',
        '    batch_op.drop_column("legacy")',
        '    batch_op.create_index("ix_note", ["note"], unique=False)',
    ) == [
        (N, "table orders: column note added (nullable)"),
        (B, "table orders: column amount type changed to BigInteger()"),
        (B, "table orders: column legacy dropped"),
        (N, "table orders: index ix_note created"),
    ]


def test_narrowing_a_table_created_in_the_same_revision_is_not_breaking() -> None:
    assert _added(
        'op.create_table("refunds", sa.Column("id", sa.Integer(), primary_key=True))',
        'op.add_column("refunds", sa.Column("amount", sa.Integer(), nullable=False))',
        'op.create_foreign_key("fk_order", "refunds", "orders", ["order_id"], ["id"])',
    ) == [
        (N, "table refunds created"),
        (N, "table refunds: column amount added as NOT NULL to a table created in this migration"),
        (N, "table refunds: foreign key fk_order added to a table created in this migration"),
    ]


def test_module_functions_called_by_upgrade_are_read_in_place() -> None:
    text = _revision("_drop_legacy()", 'op.create_index("ix_a", "orders", ["a"])') + (
        '\n\ndef _drop_legacy():\n    op.drop_column("orders", "legacy")\n'
    )
    assert [(c.severity, c.what) for c in compare_sql({}, {PATH: text})] == [
        (B, "table orders: column legacy dropped"),
        (N, "table orders: index ix_a created"),
    ]


def test_downgrade_is_never_read() -> None:
    before = _revision('op.add_column("orders", sa.Column("note", sa.Text()))')
    after = before.replace(
        'op.drop_table("orders")', 'op.drop_table("orders")\n    op.drop_table("x")'
    )
    assert after != before
    assert compare_sql({PATH: before}, {PATH: after}) == ()


def test_an_operation_added_to_an_existing_revision_is_the_only_change() -> None:
    before = _revision('op.add_column("orders", sa.Column("note", sa.Text()))')
    after = _revision(
        "# Notes are free text.",
        'op.add_column("orders", sa.Column("note", sa.Text()))',
        'op.drop_column("orders", "legacy")',
    )
    assert compare_sql({PATH: before}, {PATH: after}) == (
        InterfaceChange(PATH, B, "table orders: column legacy dropped"),
    )


def test_a_removed_revision_is_breaking() -> None:
    assert compare_sql({PATH: _revision("pass")}, {}) == (
        InterfaceChange(PATH, B, "migration removed"),
    )
