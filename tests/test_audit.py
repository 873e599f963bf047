"""The audit log exports every record in order, page by page, from a given time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from redis import Redis

from bot.ops.audit import AuditLog


def test_export_reads_every_page_in_order(redis_url: str) -> None:
    with Redis.from_url(redis_url) as redis:
        log = AuditLog(redis)
        for number in range(5):
            log.append({"pull": number})
        assert [record["pull"] for record in log.export(batch=2)] == [0, 1, 2, 3, 4]
        assert [record["pull"] for record in log.export(batch=5)] == [0, 1, 2, 3, 4]
        assert list(log.export(since=datetime.now(UTC) + timedelta(minutes=1))) == []
