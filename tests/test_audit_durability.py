"""The durable audit trail under volume, concurrency and a database outage: no record lost,
one linear chain, and `audit verify` names what was tampered with."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from redis import Redis

from bot import cli
from bot.evaluation.record import Record
from bot.ops.audit import AuditLog
from bot.ops.audit_chain import check_chain
from bot.ops.audit_pending import PENDING, DurableTrail
from bot.ops.audit_store import AuditStore
from bot.ops.settings import AppSettings
from bot.worker.runtime import Runtime
from tests.pgtools import CuttableProxy, schema_name, server_url, tamper, via, with_schema

THREADS = 8
PER_THREAD = 1250  # 10,000 records in all


def evaluation(thread: int, index: int) -> Record:
    """A record the size of a real evaluation's."""
    return Record(
        delivery_id=f"d-{thread}-{index}",
        repository=f"acme/service-{thread}",
        pull_number=index,
        deliveries=[f"d-{thread}-{index}"],
        head_sha=f"{index:040x}",
        base_sha=f"{thread:040x}",
        config=".github/review-tiers.yml",
        config_hash="c" * 64,
        tier="L2",
        computed_tier="L2",
        reasons=[{"code": "size", "message": "M: 120 lines in 6 files"}],
        facts={"size": {"label": "M", "lines": 120, "files": 6}, "owners": ["@acme/core"]},
        requirements=[{"name": "approvals", "obtained": 1, "required": 1}],
        actions=["create_check(review-tiers)", "add_labels(tier/L2)"],
        check_status="completed",
        check_conclusion="success",
    )


def verify(url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> str:
    monkeypatch.setenv("REVIEW_TIERS_AUDIT_DATABASE_URL", url)
    capsys.readouterr()
    code = cli.main(["audit", "verify"])
    out = capsys.readouterr().out
    assert code == (0 if out.startswith("audit chain intact") else 1), out
    return out


def run_threads(count: int, target: object) -> None:
    threads = [threading.Thread(target=target, args=(n,)) for n in range(count)]  # type: ignore[arg-type]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_ten_thousand_evaluations_then_an_edit_and_a_deletion_are_named(
    redis_url: str,
    audit_db_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = AppSettings(
        app_id=1, private_key="", webhook_secret="", audit_database_url=audit_db_url
    )
    runtimes = [Runtime.build(settings, Redis.from_url(redis_url)) for _ in range(THREADS)]

    def work(thread: int) -> None:  # one worker process's evaluations, through its call site
        for index in range(PER_THREAD):
            runtimes[thread].record(evaluation(thread, index), 0.5)

    started = time.perf_counter()
    run_threads(THREADS, work)
    seconds = time.perf_counter() - started
    with capsys.disabled():  # the figure, shown by `pytest -s`
        rate = THREADS * PER_THREAD / seconds
        print(f"\n{THREADS * PER_THREAD} audit records in {seconds:.1f} s: {rate:.0f} records/s")
    with AuditStore(audit_db_url) as store:
        records = [json.loads(text) for text in store.export()]
    assert len(records) == THREADS * PER_THREAD
    assert Redis.from_url(redis_url).llen(PENDING) == 0
    for thread in range(THREADS):  # each worker's records in the order it wrote them
        mine = [r["pull_number"] for r in records if r["repository"] == f"acme/service-{thread}"]
        assert mine == list(range(PER_THREAD))
    assert verify(audit_db_url, monkeypatch, capsys).startswith(
        "audit chain intact: 10000 record(s)"
    )

    tamper(
        audit_db_url,
        "UPDATE review_tiers_audit SET record = replace(record, "
        '\'"tier":"L2"\', \'"tier":"L1"\') WHERE seq = 4321',
    )
    out = verify(audit_db_url, monkeypatch, capsys)
    assert out.startswith("audit chain broken at record 4321 (acme/service-") and ": edited:" in out
    tamper(
        audit_db_url,
        "UPDATE review_tiers_audit SET record = replace(record, "
        '\'"tier":"L1"\', \'"tier":"L2"\') WHERE seq = 4321',
    )
    assert verify(audit_db_url, monkeypatch, capsys).startswith("audit chain intact")

    tamper(audit_db_url, "DELETE FROM review_tiers_audit WHERE seq = 8765")
    out = verify(audit_db_url, monkeypatch, capsys)
    assert out.startswith("audit chain broken at record 8766 (acme/service-")
    assert ": missing: record(s) 8765 before it are gone (8764 intact before it)" in out
    for runtime in runtimes:
        assert runtime.audit.durable is not None and runtime.audit.durable.store is not None
        runtime.audit.durable.store.close()
        runtime.redis.close()


def test_concurrent_appenders_extend_one_chain_without_a_failed_write(
    redis_client: Redis, audit_db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    # Separate pending lists: nothing in Redis orders these writers, only the database's lock.
    stores = [AuditStore(audit_db_url) for _ in range(4)]
    logs = [
        AuditLog(redis_client, durable=DurableTrail(redis_client, store, pending=f"{PENDING}:{n}"))
        for n, store in enumerate(stores)
    ]

    def work(thread: int) -> None:
        for index in range(150):
            logs[thread].append({"repository": f"o/r{thread}", "pull_number": index})

    run_threads(len(logs), work)
    assert "wait in Redis" not in caplog.text
    assert all(redis_client.llen(f"{PENDING}:{n}") == 0 for n in range(len(logs)))
    report = check_chain(stores[0].chain())
    assert (report.records, report.broken) == (600, None)
    for store in stores:
        store.close()


# How long the database stays away: short in the suite; AUDIT_OUTAGE_SECONDS=60 runs the same
# check through a one-minute outage.
OUTAGE_SECONDS = float(os.environ.get("AUDIT_OUTAGE_SECONDS", "5"))


@pytest.fixture
def proxy() -> Iterator[CuttableProxy]:
    parts = urlsplit(server_url())
    proxy = CuttableProxy(parts.hostname or "127.0.0.1", parts.port or 5432)
    proxy.start()
    yield proxy
    proxy.cut()


def test_records_written_while_the_database_is_away_arrive_in_order(
    redis_client: Redis, audit_db_url: str, proxy: CuttableProxy
) -> None:
    store = AuditStore(with_schema(via(server_url(), proxy.port), schema_name()), connect_timeout=1)
    trail = DurableTrail(redis_client, store)
    trail.retry_seconds = 0.2
    log = AuditLog(redis_client, durable=trail)
    stop, appended = threading.Event(), []

    def evaluations() -> None:  # a worker evaluating all along; no append may fail
        while not stop.is_set():
            log.append({"repository": "o/r", "pull_number": len(appended)})
            appended.append(len(appended))
            stop.wait(0.005)

    writer = threading.Thread(target=evaluations)
    writer.start()
    time.sleep(1.0)
    proxy.cut()  # mid-transaction for some append, as a network partition or a restart
    time.sleep(OUTAGE_SECONDS)
    waiting = trail.backlog()
    proxy.start()
    time.sleep(1.0)
    stop.set()
    writer.join()
    assert waiting > 50 and writer.is_alive() is False
    trail.drain(force=True)  # what the upkeep thread does every sweep
    assert trail.backlog() == 0
    with AuditStore(audit_db_url) as reader:
        records = [json.loads(text) for text in reader.export()]
        report = check_chain(reader.chain())
    assert [r["pull_number"] for r in records] == appended
    assert records == list(log.export())
    assert (report.records, report.broken) == (len(appended), None)
    store.close()
