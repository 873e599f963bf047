"""The durable audit trail in PostgreSQL: append records to one hash chain, read them back.

Appends from any number of workers on any number of hosts keep one linear chain: each batch is
written in a transaction that first takes an advisory lock, reads the head and seals each record
after it. A record's key makes a write idempotent, so a batch retried after an unknown outcome is
not written twice.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg

from bot.ops.audit_chain import GENESIS, ChainRow
from bot.ops.audit_schema import LOCK, TABLE, migrate
from bot.ops.redaction import redact, redact_url

CONNECT_TIMEOUT = 3  # seconds: an unreachable database delays an evaluation at most this long
STATEMENT_TIMEOUT_MS = 10_000
TCP_USER_TIMEOUT_MS = 15_000


class AuditStoreError(RuntimeError):
    """The audit database could not be reached or refused a statement; one line, no password."""


@dataclass(frozen=True)
class Entry:
    """A record waiting for the database: its unique key, its canonical text and index fields."""

    key: str
    text: str
    at: str
    repository: str
    pull_number: int | None


class AuditStore:
    """One connection per process, opened (and the schema migrated) on first use and again after
    any error; calls from the worker's threads take turns."""

    def __init__(self, url: str, connect_timeout: int = CONNECT_TIMEOUT) -> None:
        self.url = url
        self.connect_timeout = connect_timeout
        self._conn: psycopg.Connection[Any] | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"AuditStore({redact_url(self.url)!r})"

    def append(self, entries: Sequence[Entry]) -> int:
        """Seal and insert the entries, in order, after the chain's head; entries already stored
        (by key) are skipped. Returns how many were inserted."""
        with self._lock:
            conn = self._connection()
            try:
                return _insert(conn, entries)
            except psycopg.Error as err:
                raise self._failed("append to", err) from err

    def export(self, since: datetime | None = None, batch: int = 1000) -> Iterator[str]:
        """The records' texts in chain order, from ``since`` (inclusive)."""
        where, params = ("WHERE at >= %s", (since,)) if since else ("", ())
        query = f"SELECT seq, record FROM {TABLE} {where}"
        yield from (str(row[1]) for row in self._scan(query, params, batch))

    def chain(self, batch: int = 1000) -> Iterator[ChainRow]:
        """Every stored record, in sequence order, as the chain check reads it."""
        query = (
            "SELECT seq, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), "
            f"repository, pull_number, record, prev_hash, hash FROM {TABLE}"
        )
        for row in self._scan(query, (), batch):
            yield ChainRow(*row)

    def __enter__(self) -> AuditStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

    def _scan(self, query: str, params: tuple[Any, ...], batch: int) -> Iterator[tuple[Any, ...]]:
        """Rows of ``query`` (whose first column is ``seq``) in sequence order, page by page."""
        after = 0
        joiner = " AND " if "WHERE" in query else " WHERE "
        while True:
            page = self._fetch(
                f"{query}{joiner}seq > %s ORDER BY seq LIMIT %s", (*params, after, batch)
            )
            yield from page
            if len(page) < batch:
                return
            after = page[-1][0]

    def _fetch(self, query: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        with self._lock:
            conn = self._connection()
            try:
                return conn.execute(query, params).fetchall()
            except psycopg.Error as err:
                raise self._failed("read", err) from err

    def _connection(self) -> psycopg.Connection[Any]:
        if self._conn is not None and not self._conn.closed:
            return self._conn
        try:
            conn = psycopg.connect(
                self.url,
                autocommit=True,
                connect_timeout=self.connect_timeout,
                application_name="review-tiers",
                # A server that vanished without a reset (a partition, a host gone) is noticed
                # within seconds, not after the kernel's retransmissions give up.
                keepalives=1,
                keepalives_idle=10,
                keepalives_interval=5,
                keepalives_count=3,
                tcp_user_timeout=TCP_USER_TIMEOUT_MS,
            )
        except psycopg.Error as err:
            raise self._failed("connect to", err) from err
        self._conn = conn
        try:
            # Set here, not as a connection option, which would replace the URL's own options.
            conn.execute(f"SET statement_timeout = {STATEMENT_TIMEOUT_MS}")
            migrate(conn)
        except psycopg.Error as err:
            raise self._failed("prepare", err) from err
        return conn

    def _failed(self, doing: str, err: psycopg.Error) -> AuditStoreError:
        """Drop the connection (the next call opens a new one) and name the error on one line."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        reason = redact(" ".join(str(err).split()))[:300]
        return AuditStoreError(
            f"cannot {doing} the audit database at {redact_url(self.url)}: "
            f"{type(err).__name__}: {reason}"
        )


# One statement per record, after the advisory lock: the next sequence number and the seal are
# computed by the database from the head it sees (in READ COMMITTED each statement sees what
# committed before it, so after the lock it sees the true head), which lets a batch go as one
# pipelined round trip. The seal is the same sha256(prev_hash + text) as audit_chain.seal.
_INSERT = f"""
INSERT INTO {TABLE} (seq, entry_key, at, repository, pull_number, record, prev_hash, hash)
SELECT head.seq + 1, %(key)s, %(at)s, %(repository)s, %(pull)s, %(text)s,
       coalesce(prev.hash, %(genesis)s),
       encode(sha256(convert_to(coalesce(prev.hash, %(genesis)s) || %(text)s, 'UTF8')), 'hex')
FROM (SELECT coalesce(max(seq), 0) AS seq FROM {TABLE}) AS head
LEFT JOIN {TABLE} AS prev ON prev.seq = head.seq
WHERE NOT EXISTS (SELECT 1 FROM {TABLE} WHERE entry_key = %(key)s)
"""


def _insert(conn: psycopg.Connection[Any], entries: Sequence[Entry]) -> int:
    params = [
        {
            "key": e.key,
            "at": e.at,
            "repository": e.repository,
            "pull": e.pull_number,
            "text": e.text,
            "genesis": GENESIS,
        }
        for e in entries
    ]
    with conn.pipeline() as pipeline, conn.transaction():
        conn.execute(LOCK, ("chain",))
        with conn.cursor() as cur:
            cur.executemany(_INSERT, params)
            pipeline.sync()  # the inserts' row counts are known only once their results are in
            return max(cur.rowcount, 0)
