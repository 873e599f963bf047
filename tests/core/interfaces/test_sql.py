"""Comparing migration files: new statements classified, rollback sides ignored, failures closed."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.interfaces.sql import compare_sql
from bot.core.severity import ContractParseError, InterfaceChange

FIXTURES = Path(__file__).parents[2] / "fixtures" / "contracts" / "sql"
B, N = "breaking", "non-breaking"
PATH = "db/migrations/0007_orders.sql"
ORDERS = """-- Orders placed by customers.
CREATE TABLE orders (id bigint PRIMARY KEY, amount integer);
CREATE INDEX orders_amount_idx ON orders (amount);
"""


def _text(relative: str) -> str:
    return (FIXTURES / relative).read_text(encoding="utf-8")


def _pairs(changes: tuple[InterfaceChange, ...]) -> list[tuple[str, str]]:
    return [(c.severity, c.what) for c in changes]


def _added(relative: str) -> list[tuple[str, str]]:
    name = Path(relative).name
    changes = compare_sql({}, {name: _text(relative)})
    assert {c.path for c in changes} <= {name}
    return _pairs(changes)


SQL_FIXTURES = sorted(
    str(p.relative_to(FIXTURES)) for p in FIXTURES.rglob("*.sql") if ".down." not in p.name
)


PY_FIXTURES = sorted(str(p.relative_to(FIXTURES)) for p in FIXTURES.rglob("*.py.txt"))


@pytest.mark.parametrize("relative", SQL_FIXTURES + PY_FIXTURES)
def test_every_fixture_is_read_the_same_way_twice(relative: str) -> None:
    path = relative.removesuffix(".txt")
    first = compare_sql({}, {path: _text(relative)})
    assert first
    assert compare_sql({}, {path: _text(relative)}) == first
    assert compare_sql({path: _text(relative)}, {path: _text(relative)}) == ()


def test_a_real_column_drop_is_breaking() -> None:
    assert _added("procrastinate/00.05.00_02_drop_started_at_column.sql") == [
        (B, "table procrastinate_jobs: column started_at dropped")
    ]


def test_a_real_nullable_column_with_a_unique_index() -> None:
    assert _added("procrastinate/00.08.01_01_add_queueing_lock_column.sql") == [
        (N, "table procrastinate_jobs: column queueing_lock added (nullable)"),
        (
            B,
            "table procrastinate_jobs: unique index procrastinate_jobs_queueing_lock_idx added"
            " (existing rows and writers must satisfy it)",
        ),
    ]


def test_a_real_type_change_and_function_replacement() -> None:
    assert _added("procrastinate/01.01.01_01_job_id_bigint.sql") == [
        (B, "table procrastinate_events: column job_id type changed to bigint"),
        (B, "function procrastinate_finish_job(int, procrastinate_job_status, boolean) dropped"),
        (N, "function procrastinate_finish_job created or replaced"),
        (B, "function procrastinate_retry_job(int, timestamptz) dropped"),
        (N, "function procrastinate_retry_job created or replaced"),
    ]


def test_real_enum_values_added_are_not_breaking() -> None:
    changes = _added("procrastinate/02.06.00_01_add_cancel_states.sql")
    assert changes[:2] == [
        (N, "type procrastinate_job_status: value 'cancelled' added"),
        (N, "type procrastinate_job_status: value 'aborting' added"),
    ]
    assert all(severity == N for severity, _ in changes)


def test_a_real_migration_with_a_statement_no_dialect_reads() -> None:
    changes = _added("procrastinate/00.23.00_01_null_locks_excluded.sql")
    assert changes == [
        (
            B,
            'statement "DROP FUNCTION IF EXISTS procrastinate_fetch_job(target_queue_names'
            ' character va…" could not be parsed',
        ),
        (N, "function procrastinate_fetch_job created"),
    ]


def test_an_initial_schema_is_all_additions() -> None:
    changes = _added("procrastinate/00.00.00_01_initial.sql")
    assert (N, "table procrastinate_jobs created") in changes
    assert (N, "table procrastinate_jobs: index on (queue_name) created") in changes
    assert all(severity == N for severity, _ in changes)


def test_goose_down_section_is_ignored() -> None:
    assert _added("written/20240215093000_order_currency.sql") == [
        (N, "table orders: column currency added with a default"),
        (N, "table orders: column paid_at added (nullable)"),
        (N, "table orders: index orders_paid_at_idx created"),
        (N, "function orders_touch created or replaced"),
        (B, "table orders: rows updated (data loss)"),
    ]


def test_sql_migrate_up_section_is_classified() -> None:
    assert _added("written/20240320170000_amount_numeric.sql") == [
        (B, "table orders: column amount type changed to numeric(12,2)"),
        (B, "table orders: column note renamed to customer_note"),
        (B, "table orders: column paid_at set NOT NULL"),
    ]


def test_dbmate_up_section_is_classified() -> None:
    assert _added("written/20240402080000_archive_legacy.sql") == [
        (B, "index orders_customer_id_idx dropped"),
        (B, "table legacy_orders renamed to archived_orders"),
        (B, "table order_drafts dropped"),
        (B, "table orders: column customer_note dropped"),
    ]


def test_mysql_migration() -> None:
    assert _added("written/V7__customer_profile.sql") == [
        (N, "table customers: column nickname added (nullable)"),
        (B, "table customers: column email type changed to varchar(320)"),
        (B, "table customers: column phone renamed to phone_number"),
        (B, "table customers: column phone_number type changed to varchar(32)"),
        (N, "table settings: rows inserted (data change)"),
    ]


def test_a_trigger_the_parser_cannot_read_fails_closed() -> None:
    assert _added("written/0005_audit_trigger.sql") == [
        (N, "table order_audit created"),
        (
            B,
            'statement "CREATE TRIGGER order_status_audit AFTER UPDATE OF status ON orders BEGIN'
            ' INSERT…" could not be parsed',
        ),
    ]


@pytest.mark.parametrize(
    "path",
    [
        "m/1_x.down.sql",
        "m/2024_x/down.sql",
        "m/V3__x.DOWN.SQL",
        "m/U3__undo_orders.sql",
        "m/1_x_down.sql",
    ],
)
def test_rollback_files_are_ignored_whether_added_removed_or_edited(path: str) -> None:
    drop = "DROP TABLE orders;"
    assert compare_sql({}, {path: drop}) == ()
    assert compare_sql({path: drop}, {}) == ()
    assert compare_sql({path: "SELECT 1;"}, {path: drop}) == ()


def test_a_removed_migration_is_breaking() -> None:
    assert compare_sql({PATH: ORDERS}, {}) == (InterfaceChange(PATH, B, "migration removed"),)


@pytest.mark.parametrize(
    "edited",
    [
        ORDERS.replace("-- Orders placed by customers.", "-- Orders, as customers place them."),
        ORDERS.replace(
            "(id bigint PRIMARY KEY, amount integer)",
            "(\n  id bigint PRIMARY KEY,\n  amount integer\n)",
        ),
        ORDERS.lower(),
        ORDERS + "\n-- trailing note\n;\n",
    ],
    ids=["comment", "layout", "keyword-case", "empty-statement"],
)
def test_comment_and_layout_changes_yield_nothing(edited: str) -> None:
    assert compare_sql({PATH: ORDERS}, {PATH: edited}) == ()


def test_only_statements_new_to_an_edited_file_are_classified() -> None:
    after = ORDERS + "ALTER TABLE orders DROP COLUMN amount;\n"
    assert compare_sql({PATH: ORDERS}, {PATH: after}) == (
        InterfaceChange(PATH, B, "table orders: column amount dropped"),
    )


def test_a_statement_removed_from_an_existing_migration_is_breaking() -> None:
    before = ORDERS + "ALTER TABLE orders ADD COLUMN note text;\n"
    assert compare_sql({PATH: before}, {PATH: ORDERS}) == (
        InterfaceChange(
            PATH, B, '"ALTER TABLE orders ADD COLUMN note text" removed from an existing migration'
        ),
    )


def test_a_repeated_statement_counts_once_per_occurrence() -> None:
    drop = "DROP TABLE IF EXISTS tmp;\n"
    assert compare_sql({PATH: drop}, {PATH: drop + drop}) == (
        InterfaceChange(PATH, B, "table tmp dropped"),
    )


def test_an_edit_to_a_down_section_yields_nothing() -> None:
    text = _text("written/20240215093000_order_currency.sql")
    edited = text.replace(
        "DROP INDEX orders_paid_at_idx;", "DROP INDEX orders_paid_at_idx;\nDROP TABLE orders;"
    )
    assert edited != text
    assert compare_sql({"m.sql": text}, {"m.sql": edited}) == ()


def test_a_migration_adding_a_nullable_column_that_its_down_side_drops_is_not_breaking() -> None:
    up = "ALTER TABLE orders ADD COLUMN note text;"
    after = {"m/9_note.up.sql": up, "m/9_note.down.sql": "ALTER TABLE orders DROP COLUMN note;"}
    assert _pairs(compare_sql({}, after)) == [(N, "table orders: column note added (nullable)")]


def test_changes_are_sorted_by_path_then_file_order() -> None:
    after = {"b/2.sql": "DROP TABLE b;", "a/1.sql": "CREATE TABLE a (x int); DROP TABLE c;"}
    assert [(c.path, c.what) for c in compare_sql({}, after)] == [
        ("a/1.sql", "table a created"),
        ("a/1.sql", "table c dropped"),
        ("b/2.sql", "table b dropped"),
    ]


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("\x00\x01\x02 binary", "is not text"),
        ("'unterminated string", "does not tokenize as SQL"),
        ("this is not ((( sql at all", "has no statement that parses as SQL"),
    ],
)
def test_a_file_that_is_not_sql_raises_with_its_side(text: str, why: str) -> None:
    with pytest.raises(ContractParseError) as after:
        compare_sql({}, {PATH: text})
    assert (after.value.side, after.value.why) == ("after", why)
    with pytest.raises(ContractParseError) as before:
        compare_sql({PATH: text}, {PATH: ORDERS})
    assert (before.value.path, before.value.side) == (PATH, "before")


def test_a_file_of_another_format_raises() -> None:
    with pytest.raises(ContractParseError, match=r"not a \.sql or \.py migration"):
        compare_sql({}, {"db/changelog.xml": "<databaseChangeLog/>"})


def test_ten_megabytes_are_refused_quickly() -> None:
    start = time.perf_counter()
    with pytest.raises(ContractParseError, match="larger than 256 KiB"):
        compare_sql({}, {PATH: "SELECT 1;\n" * 1_100_000})
    assert time.perf_counter() - start < 5


def test_deep_nesting_is_bounded() -> None:
    deep = "CREATE TABLE t (x int);\nSELECT " + "(" * 20_000 + "1" + ")" * 20_000 + ";"
    start = time.perf_counter()
    changes = _pairs(compare_sql({}, {PATH: deep}))
    assert time.perf_counter() - start < 5
    assert changes[0] == (N, "table t created")
    assert changes[1][0] == B and "could not be parsed" in changes[1][1]


def test_statements_every_dialect_must_try_are_bounded_in_time() -> None:
    body = "CREATE FUNCTION f_{0}() RETURNS trigger AS $$ BEGIN RETURN NEW; END; $$ LANGUAGE sql;\n"
    text = "".join(body.format(i) for i in range(1_500))
    assert len(text) < 256 * 1024
    start = time.perf_counter()
    changes = compare_sql({}, {PATH: text})
    assert time.perf_counter() - start < 5
    assert changes[0].what == "function f_0 created"
    assert changes[-1].what.endswith("could not be parsed (the file is too long to read in full)")


SQL_WORDS = st.sampled_from(
    [
        *("CREATE", "DROP", "ALTER", "TABLE", "COLUMN", "INDEX", "ADD", "RENAME", "TO", "TYPE"),
        *("SET", "NOT", "NULL", "DEFAULT", "t", "c", "int", "(", ")", ",", ";", "'x'", "$$"),
        *("BEGIN", "END", "-- c\n", "`q`", '"q"', "ON", "UNIQUE", "CONSTRAINT", "INSERT", "1"),
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300) | st.lists(SQL_WORDS, max_size=40).map(" ".join))
def test_any_text_gives_changes_or_a_parse_error(text: str) -> None:
    try:
        changes = compare_sql({}, {PATH: text})
    except ContractParseError as err:
        assert err.side == "after"
    else:
        assert all(c.severity in (B, N) and c.what for c in changes)
