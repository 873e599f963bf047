"""The durable audit trail in PostgreSQL: schema, append-only table, export, pending records,
and `review-tiers audit export|verify`."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from redis import Redis

from bot import cli
from bot.ops.audit import AuditLog
from bot.ops.audit_chain import GENESIS, check_chain, seal
from bot.ops.audit_pending import PENDING, UNREADABLE, DurableTrail
from bot.ops.audit_schema import MIGRATIONS, migrate, schema_version
from bot.ops.audit_store import AuditStore, AuditStoreError, Entry
from bot.state.queueing import Dispatcher
from bot.worker.scheduling import Upkeep
from tests.pgtools import tamper, with_schema

# Port 1: nothing listens there, so a connection is refused at once.
NOWHERE = "postgresql://audit:pg-s3cret@127.0.0.1:1/audit"


@pytest.fixture
def opened() -> Iterator[list[AuditStore]]:
    """The stores a test opened, closed after it (a worker keeps its one for its lifetime)."""
    stores: list[AuditStore] = []
    yield stores
    for store in stores:
        store.close()


def durable_log(redis: Redis, store: AuditStore, maxlen: int = 100_000) -> AuditLog:
    trail = DurableTrail(redis, store)
    trail.retry_seconds = 0.0  # every append tries the database
    return AuditLog(redis, maxlen=maxlen, durable=trail)


def use(opened: list[AuditStore], url: str) -> AuditStore:
    store = AuditStore(url, connect_timeout=1)
    opened.append(store)
    return store


def store_of(log: AuditLog) -> AuditStore:
    assert log.durable is not None and log.durable.store is not None
    return log.durable.store


def stored(url: str) -> list[dict[str, object]]:
    with AuditStore(url) as store:
        return [json.loads(text) for text in store.export()]


def run_cli(
    argv: list[str], url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    monkeypatch.setenv("REVIEW_TIERS_AUDIT_DATABASE_URL", url)
    code = cli.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def test_each_record_reaches_the_database_sealed_in_order(
    redis_client: Redis, opened: list[AuditStore], audit_db_url: str
) -> None:
    log = durable_log(redis_client, use(opened, audit_db_url))
    for number in range(5):
        log.append({"repository": "o/r", "pull_number": number, "tier": "L2"})
    assert stored(audit_db_url) == list(log.export())
    assert redis_client.llen(PENDING) == 0
    with psycopg.connect(audit_db_url) as conn:
        rows = conn.execute(
            "SELECT seq, repository, pull_number, record, prev_hash, hash "
            "FROM review_tiers_audit ORDER BY seq"
        ).fetchall()
    prev = GENESIS
    for seq, (number, repository, pull, text, prev_hash, digest) in enumerate(rows):
        assert (number, repository, pull, prev_hash) == (seq + 1, "o/r", seq, prev)
        assert digest == seal(prev, text)
        prev = digest
    assert check_chain(store_of(log).chain()).records == 5


def test_the_schema_is_made_once_when_workers_start_together(audit_db_url: str) -> None:
    applied: list[int] = []
    errors: list[BaseException] = []

    def start() -> None:
        try:
            with psycopg.connect(audit_db_url, autocommit=True) as conn:
                applied.append(migrate(conn))
        except psycopg.Error as err:
            errors.append(err)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(applied) == [0, 0, 0, len(MIGRATIONS)]
    with psycopg.connect(audit_db_url, autocommit=True) as conn:
        assert schema_version(conn) == MIGRATIONS[-1][0]
        assert migrate(conn) == 0


def test_the_table_refuses_edits_and_deletions(
    redis_client: Redis, opened: list[AuditStore], audit_db_url: str
) -> None:
    durable_log(redis_client, use(opened, audit_db_url)).append(
        {"repository": "o/r", "pull_number": 1}
    )
    for statement in (
        "UPDATE review_tiers_audit SET record = '{}'",
        "DELETE FROM review_tiers_audit",
        "TRUNCATE review_tiers_audit",
    ):
        with (
            psycopg.connect(audit_db_url, autocommit=True) as conn,
            pytest.raises(psycopg.errors.RaiseException, match="append-only"),
        ):
            conn.execute(statement.encode())
    assert len(stored(audit_db_url)) == 1


def test_a_record_the_database_missed_waits_and_goes_first_next_time(
    redis_client: Redis,
    opened: list[AuditStore],
    audit_db_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    log = durable_log(redis_client, use(opened, NOWHERE))
    for number in range(3):
        log.append({"repository": "o/r", "pull_number": number})
    assert redis_client.llen(PENDING) == 3
    assert [r["pull_number"] for r in log.export()] == [0, 1, 2]
    warnings = [r for r in caplog.records if "wait in Redis" in r.getMessage()]
    assert len(warnings) == 1 and "pg-s3cret" not in caplog.text
    assert log.durable is not None
    log.durable.store = use(opened, audit_db_url)  # the database is back
    assert log.durable.drain() == 3
    log.append({"repository": "o/r", "pull_number": 3})
    assert [r["pull_number"] for r in stored(audit_db_url)] == [0, 1, 2, 3]
    assert redis_client.llen(PENDING) == 0


def test_the_maintenance_loop_writes_what_the_web_process_queued(
    redis_client: Redis, opened: list[AuditStore], audit_db_url: str
) -> None:
    web = AuditLog(redis_client, durable=DurableTrail(redis_client, None))
    web.append({"repository": "o/r", "pull_number": 9, "outcome": "closed"})
    web.append({"repository": "o/r", "pull_number": 8, "outcome": "closed"})
    # The first one again, as left by a drainer that died between its commit and its removal.
    redis_client.rpush(PENDING, redis_client.lindex(PENDING, 0) or b"")
    assert redis_client.llen(PENDING) == 3
    worker = durable_log(redis_client, use(opened, audit_db_url))
    Upkeep(Dispatcher(redis_client), chores=(worker.drain,)).once()
    assert [r["pull_number"] for r in stored(audit_db_url)] == [9, 8]
    assert redis_client.llen(PENDING) == 0


def test_an_unreadable_pending_entry_is_set_aside_not_dropped(
    redis_client: Redis, opened: list[AuditStore], audit_db_url: str
) -> None:
    redis_client.rpush(PENDING, b"not json")
    durable_log(redis_client, use(opened, audit_db_url)).append(
        {"repository": "o/r", "pull_number": 1}
    )
    assert redis_client.lrange(UNREADABLE, 0, -1) == [b"not json"]
    assert len(stored(audit_db_url)) == 1


def test_export_reads_the_database_past_the_stream_cap(
    redis_client: Redis,
    opened: list[AuditStore],
    audit_db_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    log = durable_log(redis_client, use(opened, audit_db_url), maxlen=10)
    for number in range(300):
        log.append({"repository": "o/r", "pull_number": number})
    assert len(list(log.export())) < 300  # Redis trimmed the oldest
    code, out, _ = run_cli(["audit", "export"], audit_db_url, monkeypatch, capsys)
    lines = out.splitlines()
    assert code == 0 and len(lines) == 300
    assert lines[-1] == json.dumps(list(log.export())[-1], sort_keys=True)
    later = (datetime.now(UTC) + timedelta(minutes=1)).isoformat()
    assert run_cli(["audit", "export", "--since", later], audit_db_url, monkeypatch, capsys)[
        :2
    ] == (0, "")


def test_verify_says_intact_and_prints_the_head(
    redis_client: Redis,
    opened: list[AuditStore],
    audit_db_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    log = durable_log(redis_client, use(opened, audit_db_url))
    for number in range(3):
        log.append({"repository": "o/r", "pull_number": number})
    head = check_chain(store_of(log).chain()).head_hash
    code, out, _ = run_cli(["audit", "verify"], audit_db_url, monkeypatch, capsys)
    assert (code, out) == (0, f"audit chain intact: 3 record(s), head record 3 {head}\n")
    argv = ["audit", "verify", "--expect-head", head]
    assert run_cli(argv, audit_db_url, monkeypatch, capsys)[0] == 0
    # The whole chain rewritten from record 2 on: its old head is gone.
    tamper(audit_db_url, "DELETE FROM review_tiers_audit WHERE seq >= 2")
    code, out, _ = run_cli(argv, audit_db_url, monkeypatch, capsys)
    assert code == 1 and out.startswith(f"audit chain rewritten: no record is sealed by {head}")


def test_verify_names_an_edited_record(
    redis_client: Redis,
    opened: list[AuditStore],
    audit_db_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    log = durable_log(redis_client, use(opened, audit_db_url))
    for number in range(3):
        log.append({"repository": "o/r", "pull_number": number, "tier": "L3"})
    tamper(
        audit_db_url,
        "UPDATE review_tiers_audit SET record = replace(record, 'L3', 'L1') WHERE seq = 2",
    )
    code, out, _ = run_cli(["audit", "verify"], audit_db_url, monkeypatch, capsys)
    assert code == 1
    assert out.startswith("audit chain broken at record 2 (o/r#1, 20")
    assert ": edited: its content no longer matches its hash (1 intact before it)" in out


@pytest.mark.parametrize("url", [NOWHERE, ""])
def test_verify_without_a_database_says_so_on_one_line(
    url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(["audit", "verify"], url, monkeypatch, capsys)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and err.startswith("review-tiers: ")
    assert "pg-s3cret" not in err


def test_a_repository_name_with_a_nul_does_not_block_the_trail(
    redis_client: Redis, opened: list[AuditStore], audit_db_url: str
) -> None:
    # PostgreSQL text cannot hold NUL; the record itself keeps it, escaped in its JSON.
    log = durable_log(redis_client, use(opened, audit_db_url))
    log.append({"repository": "o/r\x00x", "pull_number": 1})
    assert stored(audit_db_url) == list(log.export())
    assert redis_client.llen(PENDING) == 0


def test_a_database_the_app_cannot_migrate_is_an_error_that_closes_its_connection(
    audit_server_url: str,
) -> None:
    # No schema to create the tables in: the search path names one that does not exist.
    store = AuditStore(with_schema(audit_server_url, "review_tiers_absent"), connect_timeout=1)
    entry = Entry("k", "{}", "2026-11-01T00:00:00+00:00", "o/r", 1)
    with pytest.raises(AuditStoreError, match="cannot prepare the audit database at postgresql"):
        store.append([entry])
    assert store._conn is None


def test_a_lone_surrogate_in_a_record_does_not_block_the_trail(
    redis_client: Redis, opened: list[AuditStore], audit_db_url: str
) -> None:
    # JSON may escape half of a surrogate pair ("\ud800"), which Python reads as a lone
    # surrogate: UTF-8 cannot encode it, so it must not stop the records behind it.
    log = durable_log(redis_client, use(opened, audit_db_url))
    lone = json.loads('"a\\ud800b"')
    log.append({"repository": f"o/{lone}", "pull_number": 1, "title": lone})
    log.append({"repository": "o/r", "pull_number": 2})
    assert stored(audit_db_url) == list(log.export())
    assert [r["pull_number"] for r in stored(audit_db_url)] == [1, 2]
    assert redis_client.llen(PENDING) == 0
