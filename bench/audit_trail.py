"""What the durable audit trail costs: records per second into PostgreSQL and the latency it adds
to each evaluation's append.

Appends evaluation-sized records through the worker's call site (``Runtime.record``): first with
the Redis stream alone, then with REVIEW_TIERS_AUDIT_DATABASE_URL's trail, one appender at a
time, then with several appenders at once (several workers). It flushes the Redis database named
by REDIS_URL (use one of its own, e.g. ``/12``) and works in a schema of its own, dropped after::

    REDIS_URL=redis://127.0.0.1:6379/12 \\
    REVIEW_TIERS_AUDIT_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test \\
    .venv/bin/python bench/audit_trail.py [records] [appenders]
"""

from __future__ import annotations

import dataclasses
import os
import statistics
import sys
import threading
import time
from pathlib import Path

import psycopg
from redis import Redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.ops.audit import AuditLog
from bot.ops.audit_chain import check_chain
from bot.ops.audit_pending import DurableTrail
from bot.ops.audit_store import AuditStore
from bot.ops.settings import AppSettings
from bot.worker.runtime import Runtime
from tests.pgtools import reset_schema, with_schema
from tests.test_audit_durability import evaluation

SCHEMA = "review_tiers_bench"


def run(url: str, database: str, appenders: int, count: int) -> tuple[float, list[float]]:
    """Seconds for ``count`` records over ``appenders`` threads, and each append's latency."""
    settings = AppSettings(app_id=1, private_key="", webhook_secret="", audit_database_url=database)
    runtimes = [Runtime.build(settings, Redis.from_url(url)) for _ in range(appenders)]
    latencies: list[float] = []

    def work(thread: int) -> None:
        for index in range(count // appenders):
            started = time.perf_counter()
            runtimes[thread].record(evaluation(thread, index), 0.5)
            latencies.append(time.perf_counter() - started)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(appenders)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    for runtime in runtimes:
        if runtime.audit.durable is not None and runtime.audit.durable.store is not None:
            runtime.audit.durable.store.close()
    return seconds, latencies


def backlog(url: str, server: str, database: str, count: int) -> str:
    """How fast a worker writes ``count`` records that waited in Redis (an outage's backlog)."""
    reset_schema(server, SCHEMA)
    redis = Redis.from_url(url)
    queued = AuditLog(redis, durable=DurableTrail(redis, None))  # as the web process queues
    for index in range(count):
        queued.append(dataclasses.asdict(evaluation(0, index)))
    with AuditStore(database) as store:
        trail = DurableTrail(redis, store)
        started = time.perf_counter()
        written = trail.drain()
        seconds = time.perf_counter() - started
    assert written == count, written
    return f"{'a backlog of ' + str(count) + ', drained':<34} {count / seconds:>7.0f} records/s"


def line(name: str, count: int, seconds: float, latencies: list[float]) -> str:
    p50 = statistics.median(latencies) * 1000
    p95 = statistics.quantiles(latencies, n=20)[-1] * 1000
    return f"{name:<34} {count / seconds:>7.0f} records/s   p50 {p50:6.2f} ms   p95 {p95:6.2f} ms"


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    appenders = int(sys.argv[2]) if len(sys.argv) > 2 else 8
    url = os.environ["REDIS_URL"]
    server = os.environ["REVIEW_TIERS_AUDIT_DATABASE_URL"]
    database = with_schema(server, SCHEMA)
    Redis.from_url(url).flushdb()
    base = run(url, "", 1, count // 10)
    print(line("Redis stream only, 1 appender", count // 10, *base))
    for name, threads, n in (
        ("with PostgreSQL, 1 appender", 1, count // 10),
        (f"with PostgreSQL, {appenders} appenders", appenders, count),
    ):
        reset_schema(server, SCHEMA)
        seconds, latencies = run(url, database, threads, n)
        print(line(name, n, seconds, latencies))
        with AuditStore(database) as store:
            report = check_chain(store.chain())
        assert report.records == n and report.broken is None, report
    print(backlog(url, server, database, count))
    added = statistics.median(run(url, database, 1, 200)[1]) - statistics.median(base[1])
    print(f"added latency per append (median, 1 appender): {added * 1000:.2f} ms")
    reset_schema(server, SCHEMA, create=False)
    Redis.from_url(url).flushdb()


if __name__ == "__main__":
    try:
        main()
    except psycopg.Error as err:
        sys.exit(f"bench: {err}")
