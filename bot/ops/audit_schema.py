"""The audit database's schema, created and migrated by the App itself, one version at a time.

Every worker migrates when it first connects; a transaction-level advisory lock makes concurrent
start-ups take turns, and the version table makes a second run a no-op.
"""

from __future__ import annotations

from typing import Any

import psycopg

VERSIONS_TABLE = "review_tiers_audit_schema"
TABLE = "review_tiers_audit"

# A 64-bit advisory lock key per schema and purpose, so deployments sharing a database in
# different schemas never wait for each other.
LOCK = (
    "SELECT pg_advisory_xact_lock(('x' || substr(md5(coalesce(current_schema(), '') || %s), 1, 16))"
    "::bit(64)::bigint)"
)

_APPEND_ONLY = f"""
CREATE OR REPLACE FUNCTION {TABLE}_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '{TABLE} is append-only: % is refused', TG_OP;
END
$$
"""

# (version, statements). Append new versions; never edit a released one.
MIGRATIONS: tuple[tuple[int, tuple[str, ...]], ...] = (
    (
        1,
        (
            f"""CREATE TABLE {TABLE} (
                seq bigint PRIMARY KEY,
                entry_key text NOT NULL UNIQUE,
                at timestamptz NOT NULL,
                repository text NOT NULL DEFAULT '',
                pull_number bigint,
                record text NOT NULL,
                prev_hash text NOT NULL,
                hash text NOT NULL
            )""",
            f"CREATE INDEX {TABLE}_pull ON {TABLE} (repository, pull_number, at)",
            f"CREATE INDEX {TABLE}_at ON {TABLE} (at)",
            _APPEND_ONLY,
            f"""CREATE TRIGGER {TABLE}_no_change BEFORE UPDATE OR DELETE ON {TABLE}
                FOR EACH ROW EXECUTE FUNCTION {TABLE}_append_only()""",
            f"""CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE}
                FOR EACH STATEMENT EXECUTE FUNCTION {TABLE}_append_only()""",
        ),
    ),
)


def migrate(conn: psycopg.Connection[Any]) -> int:
    """Bring the schema to the newest version; returns how many versions this call applied."""
    applied = 0
    with conn.transaction():
        conn.execute(LOCK, ("schema",))
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {VERSIONS_TABLE} "
            "(version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
        )
        done = {row[0] for row in conn.execute(f"SELECT version FROM {VERSIONS_TABLE}")}
        for version, statements in MIGRATIONS:
            if version in done:
                continue
            for statement in statements:
                conn.execute(statement)
            conn.execute(f"INSERT INTO {VERSIONS_TABLE} (version) VALUES (%s)", (version,))
            applied += 1
    return applied


def schema_version(conn: psycopg.Connection[Any]) -> int:
    """The newest version applied (0 for none)."""
    row = conn.execute(f"SELECT coalesce(max(version), 0) FROM {VERSIONS_TABLE}").fetchone()
    return int(row[0]) if row else 0
