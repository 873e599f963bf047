"""SQL migration rules, one statement at a time: each rule breaking one way, not the other."""

from __future__ import annotations

import pytest

from bot.core.interfaces.sql import compare_sql

PATH = "db/migrations/0042_orders.sql"
B, N = "breaking", "non-breaking"
RUNS_CODE = "runs code the comparator cannot judge"
NARROWS = "added (existing rows and writers must satisfy it)"
NEW = "added to a table created in this migration"


def _added(sql: str) -> list[tuple[str, str]]:
    """Severity and sentence of each change of a newly added migration holding ``sql``."""
    return [(c.severity, c.what) for c in compare_sql({}, {PATH: sql})]


RULES = [
    # DROP TABLE / CREATE TABLE
    ("DROP TABLE orders;", [(B, "table orders dropped")]),
    ("DROP TABLE IF EXISTS shop.orders CASCADE;", [(B, "table shop.orders dropped")]),
    ("CREATE TABLE orders (id int PRIMARY KEY);", [(N, "table orders created")]),
    # DROP COLUMN / ADD COLUMN nullable
    ("ALTER TABLE orders DROP COLUMN amount;", [(B, "table orders: column amount dropped")]),
    ("ALTER TABLE orders DROP amount;", [(B, "table orders: column amount dropped")]),
    (
        "ALTER TABLE orders ADD COLUMN note text;",
        [(N, "table orders: column note added (nullable)")],
    ),
    (
        "ALTER TABLE orders ADD COLUMN note text NULL;",
        [(N, "table orders: column note added (nullable)")],
    ),
    # DROP INDEX / CREATE INDEX
    ("DROP INDEX orders_amount_idx;", [(B, "index orders_amount_idx dropped")]),
    (
        "CREATE INDEX orders_amount_idx ON orders (amount);",
        [(N, "table orders: index orders_amount_idx created")],
    ),
    ("CREATE INDEX ON orders (amount);", [(N, "table orders: index on (amount) created")]),
    # RENAME table, column, index
    ("ALTER TABLE orders RENAME TO purchases;", [(B, "table orders renamed to purchases")]),
    (
        "ALTER TABLE orders RENAME COLUMN amount TO total;",
        [(B, "table orders: column amount renamed to total")],
    ),
    (
        "ALTER TABLE orders RENAME amount TO total;",
        [(B, "table orders: column amount renamed to total")],
    ),
    (
        "ALTER INDEX orders_idx RENAME TO purchases_idx;",
        [(B, "index orders_idx renamed to purchases_idx")],
    ),
    # ALTER COLUMN ... TYPE / SET DEFAULT
    (
        "ALTER TABLE orders ALTER COLUMN amount TYPE numeric(12,2);",
        [(B, "table orders: column amount type changed to numeric(12,2)")],
    ),
    (
        "ALTER TABLE orders ALTER COLUMN amount SET DATA TYPE bigint USING amount::bigint;",
        [(B, "table orders: column amount type changed to bigint")],
    ),
    (
        "ALTER TABLE orders ALTER COLUMN amount SET DEFAULT 0;",
        [(N, "table orders: column amount default set")],
    ),
    (
        "ALTER TABLE orders ALTER COLUMN amount DROP DEFAULT;",
        [(B, "table orders: column amount default dropped")],
    ),
    # SET NOT NULL / DROP NOT NULL
    (
        "ALTER TABLE orders ALTER COLUMN amount SET NOT NULL;",
        [(B, "table orders: column amount set NOT NULL")],
    ),
    (
        "ALTER TABLE orders ALTER COLUMN amount DROP NOT NULL;",
        [(N, "table orders: column amount made nullable")],
    ),
    # ADD COLUMN NOT NULL without / with a default
    (
        "ALTER TABLE orders ADD COLUMN amount integer NOT NULL;",
        [(B, "table orders: column amount added as NOT NULL without a default")],
    ),
    (
        "ALTER TABLE orders ADD COLUMN amount integer NOT NULL DEFAULT 0;",
        [(N, "table orders: column amount added with a default")],
    ),
    (
        "ALTER TABLE orders ADD COLUMN id bigserial;",
        [(N, "table orders: column id added with a default")],
    ),
    (
        "ALTER TABLE orders ADD COLUMN n int GENERATED ALWAYS AS IDENTITY;",
        [(N, "table orders: column n added with a default")],
    ),
    # Data statements
    (
        "INSERT INTO statuses (name) VALUES ('paid');",
        [(N, "table statuses: rows inserted (data change)")],
    ),
    (
        "UPDATE orders SET status = 'paid' WHERE paid_at IS NOT NULL;",
        [(B, "table orders: rows updated (data loss)")],
    ),
    (
        "DELETE FROM orders WHERE status = 'draft';",
        [(B, "table orders: rows deleted (data loss)")],
    ),
    ("TRUNCATE drafts;", [(B, "table drafts: rows deleted by TRUNCATE (data loss)")]),
    (
        "INSERT INTO statuses (name) VALUES ('paid') ON CONFLICT DO NOTHING;",
        [(N, "table statuses: rows inserted (data change)")],
    ),
    (
        "INSERT INTO statuses (name) VALUES ('paid') ON CONFLICT (name) DO UPDATE SET n = 1;",
        [(B, "table statuses: rows replaced or updated on conflict (data loss)")],
    ),
    (
        "INSERT OR REPLACE INTO statuses (name) VALUES ('paid');",
        [(B, "table statuses: rows replaced or updated on conflict (data loss)")],
    ),
    (
        "INSERT INTO statuses (name) VALUES (next_status());",
        [
            (
                B,
                'table statuses: insert "INSERT INTO statuses (name) VALUES (next_status())"'
                f" {RUNS_CODE}",
            )
        ],
    ),
    (
        "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE;",
        [(B, "table t: rows merged (data loss)")],
    ),
    # Code the comparator cannot read
    ("SELECT backfill_orders();", [(B, f'query "SELECT backfill_orders()" {RUNS_CODE}')]),
    (
        "SELECT pg_catalog.set_config('search_path', '', false);",
        [(B, f"query \"SELECT pg_catalog.set_config('search_path', '', false)\" {RUNS_CODE}")],
    ),
    (
        "WITH gone AS (DELETE FROM t RETURNING id) SELECT count(*) FROM gone;",
        [
            (
                B,
                'query "WITH gone AS (DELETE FROM t RETURNING id) SELECT count(*) FROM gone"'
                f" {RUNS_CODE}",
            )
        ],
    ),
    (
        "SELECT count(*) FROM orders;",
        [(N, 'query "SELECT count(*) FROM orders" run (no schema change)')],
    ),
    ("CALL backfill(10);", [(B, f'"CALL backfill(10)" {RUNS_CODE}')]),
    ("EXECUTE backfill_plan;", [(B, f'"EXECUTE backfill_plan" {RUNS_CODE}')]),
    # Additive statements
    (
        "CREATE INDEX CONCURRENTLY orders_day ON orders (day);",
        [(N, "table orders: index orders_day created")],
    ),
    ("COMMENT ON TABLE orders IS 'paid orders';", [(N, "table orders: comment set")]),
    ("GRANT SELECT ON orders TO reporting;", [(N, "privileges granted on orders")]),
    # Constraints narrow what an existing table accepts
    (
        "ALTER TABLE orders ADD CONSTRAINT amount_positive CHECK (amount > 0);",
        [(B, f"table orders: constraint amount_positive {NARROWS}")],
    ),
    (
        "ALTER TABLE orders DROP CONSTRAINT amount_positive;",
        [(B, "table orders: constraint amount_positive dropped")],
    ),
    (
        "CREATE UNIQUE INDEX orders_code ON orders (code);",
        [(B, f"table orders: unique index orders_code {NARROWS}")],
    ),
    # Other objects
    ("CREATE VIEW paid_orders AS SELECT * FROM orders;", [(N, "view paid_orders created")]),
    (
        "CREATE OR REPLACE VIEW paid_orders AS SELECT 1;",
        [(N, "view paid_orders created or replaced")],
    ),
    ("DROP VIEW paid_orders;", [(B, "view paid_orders dropped")]),
    ("DROP FUNCTION total(integer);", [(B, "function total(int) dropped")]),
    ("CREATE EXTENSION IF NOT EXISTS pgcrypto;", [(N, "extension pgcrypto created")]),
    (
        "ALTER TYPE order_status ADD VALUE 'refunded';",
        [(N, "type order_status: value 'refunded' added")],
    ),
    (
        "ALTER TYPE order_status RENAME VALUE 'paid' TO 'settled';",
        [(B, "type order_status: value 'paid' renamed to 'settled'")],
    ),
    (
        "ALTER FUNCTION total RENAME TO order_total;",
        [(B, "function total renamed to order_total")],
    ),
    ("COMMENT ON TABLE orders IS 'Placed orders';", [(N, "table orders: comment set")]),
    ("GRANT SELECT ON orders TO reporting;", [(N, "privileges granted on orders")]),
    ("REVOKE SELECT ON orders FROM reporting;", [(B, "privileges revoked on orders")]),
    ("BEGIN; SET lock_timeout = '5s'; COMMIT;", []),
    # MySQL
    (
        "ALTER TABLE `orders` MODIFY COLUMN `amount` bigint NOT NULL;",
        [(B, "table orders: column amount type changed to bigint")],
    ),
    (
        "ALTER TABLE `orders` ADD COLUMN `note` varchar(200) NULL;",
        [(N, "table orders: column note added (nullable)")],
    ),
]


@pytest.mark.parametrize(("sql", "expected"), RULES, ids=[r[0][:60] for r in RULES])
def test_rule(sql: str, expected: list[tuple[str, str]]) -> None:
    assert _added(sql) == expected


def test_several_actions_of_one_alter_are_each_classified() -> None:
    sql = (
        "ALTER TABLE orders ALTER COLUMN amount TYPE text, ALTER COLUMN paid SET NOT NULL,"
        " ADD COLUMN n int;"
    )
    assert _added(sql) == [
        (B, "table orders: column amount type changed to text"),
        (B, "table orders: column paid set NOT NULL"),
        (N, "table orders: column n added (nullable)"),
    ]


def test_narrowing_a_table_created_in_the_same_migration_is_not_breaking() -> None:
    sql = """
        CREATE TABLE refunds (id bigint PRIMARY KEY, order_id bigint);
        ALTER TABLE refunds ADD COLUMN amount numeric NOT NULL;
        ALTER TABLE refunds ALTER COLUMN order_id SET NOT NULL;
        ALTER TABLE refunds ADD CONSTRAINT refunds_order FOREIGN KEY (order_id) REFERENCES o (id);
        CREATE UNIQUE INDEX refunds_order_once ON refunds (order_id);
    """
    assert _added(sql) == [
        (N, "table refunds created"),
        (N, "table refunds: column amount added as NOT NULL to a table created in this migration"),
        (N, "table refunds: column order_id set NOT NULL on a table created in this migration"),
        (N, f"table refunds: constraint refunds_order {NEW}"),
        (N, f"table refunds: unique index refunds_order_once {NEW}"),
    ]


def test_a_statement_no_dialect_reads_is_breaking_and_named() -> None:
    sql = "CREATE TABLE t (id int);\nDROP FUNCTION f(named_arg integer);\n"
    assert _added(sql) == [
        (N, "table t created"),
        (B, 'statement "DROP FUNCTION f(named_arg integer)" could not be parsed'),
    ]


def test_an_anonymous_code_block_is_breaking() -> None:
    assert _added("DO $$ BEGIN PERFORM 1; END $$;") == [
        (B, '"DO $$ BEGIN PERFORM 1; END $$" runs code the comparator cannot judge')
    ]


def test_a_trigger_body_with_semicolons_stays_one_statement() -> None:
    sql = "CREATE TRIGGER t AFTER UPDATE ON o BEGIN INSERT INTO a VALUES (1); END;\nDROP TABLE x;"
    changes = _added(sql)
    assert len(changes) == 2
    assert changes[1] == (B, "table x dropped")


def test_plpgsql_bodies_are_not_split_on_their_semicolons() -> None:
    sql = "CREATE FUNCTION f() RETURNS trigger AS $$ BEGIN DROP TABLE x; END; $$ LANGUAGE plpgsql;"
    assert _added(sql) == [(N, "function f created")]


def test_a_mysql_executable_comment_is_read_as_code() -> None:
    from bot.core.interfaces.sql import compare_sql

    hidden = "CREATE TABLE notes (id int);\n/*!50000 DROP TABLE users */;\n/*! DROP TABLE t2 */;\n"
    found = [(c.severity, c.what) for c in compare_sql({}, {"db/0002.sql": hidden})]

    assert ("breaking", "table users dropped") in found
    assert ("breaking", "table t2 dropped") in found


def test_a_down_marker_hides_nothing_in_a_file_without_an_up_section() -> None:
    from bot.core.interfaces.sql import compare_sql

    text = "CREATE TABLE notes (id int);\n-- +goose Down\nDROP TABLE users;\n"
    marked = "-- +goose Up\nCREATE TABLE notes (id int);\n-- +goose Down\nDROP TABLE notes;\n"

    assert ("breaking", "table users dropped") in [
        (c.severity, c.what) for c in compare_sql({}, {"db/V2__notes.sql": text})
    ]
    assert {c.severity for c in compare_sql({}, {"db/0002.sql": marked})} == {"non-breaking"}
