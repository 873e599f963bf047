"""Block comments nest in PostgreSQL and not in MySQL or SQLite: text one server reads as a
comment and another as statements is rated breaking, naming the ambiguity (fail closed)."""

from __future__ import annotations

from bot.core.interfaces.sql import compare_sql

PATH = "db/migrations/0042_orders.sql"
B, N = "breaking", "non-breaking"
AMBIGUOUS = (
    "block comments read differently where they nest (PostgreSQL) and where they do not"
    " (MySQL, SQLite), and the dialect is not known"
)
CREATE = "CREATE TABLE notes (id int);"


def _changes(before: str | None, after: str) -> list[tuple[str, str]]:
    old = {} if before is None else {PATH: before}
    return [(c.severity, c.what) for c in compare_sql(old, {PATH: after})]


def test_a_statement_a_nesting_comment_hides_is_named() -> None:
    # PostgreSQL: one comment. MySQL and SQLite: the comment ends at the first */ and the
    # DROP runs.
    text = f"/* old /* note */ DROP TABLE users; */\n{CREATE}\n"
    changes = _changes(None, text)
    assert (N, "table notes created") in changes
    [ambiguity] = [what for severity, what in changes if what.startswith(AMBIGUOUS)]
    assert '"DROP TABLE users"' in ambiguity
    assert {severity for severity, what in changes if what == ambiguity} == {B}


def test_a_statement_only_a_flat_reading_sees_is_not_trusted_either() -> None:
    # MySQL reads a comment, a DROP and another comment; PostgreSQL reads one comment that
    # is never closed, so the file only tokenizes without nesting.
    text = f"{CREATE}\n/* a /* b */ DROP TABLE users; /* c */\n"
    changes = _changes(None, text)
    assert (B, "table users dropped") in changes
    assert any(severity == B and what.startswith(AMBIGUOUS) for severity, what in changes)


def test_comments_that_do_not_nest_read_the_same_both_ways() -> None:
    text = f"/* one */ {CREATE} /* two */ -- three /* four\n"
    assert _changes(None, text) == [(N, "table notes created")]


def test_an_ambiguity_both_sides_share_is_no_new_change() -> None:
    before = f"/* old /* note */ DROP TABLE users; */\n{CREATE}\n"
    after = before + "CREATE TABLE tags (id int);\n"
    assert _changes(before, after) == [(N, "table tags created")]


def test_a_new_hidden_statement_changes_the_ambiguity() -> None:
    before = f"/* old /* note */ DROP TABLE users; */\n{CREATE}\n"
    after = before.replace("DROP TABLE users;", "DROP TABLE users; DROP TABLE orders;")
    changes = _changes(before, after)
    assert [severity for severity, what in changes if what.startswith(AMBIGUOUS)] == [B]
    assert any('"DROP TABLE orders"' in what for _, what in changes)


def test_sql_embedded_in_a_python_migration_is_checked_too() -> None:
    migration = (
        "from alembic import op\n\n\ndef upgrade():\n"
        '    op.execute("/* a /* b */ DROP TABLE users; */ CREATE TABLE notes (id int)")\n'
    )
    changes = [(c.severity, c.what) for c in compare_sql({}, {"alembic/versions/1.py": migration})]
    assert any(severity == B and what.startswith(AMBIGUOUS) for severity, what in changes)
