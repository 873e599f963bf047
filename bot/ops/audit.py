"""The append-only audit log: one JSON record per evaluation in a bounded Redis stream, and in
PostgreSQL's hash chain too when a durable trail is configured (bot/ops/audit_pending.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from redis import Redis

from bot.ops.audit_pending import DurableTrail
from bot.ops.redaction import redact_value
from bot.ops.replies import as_bytes, as_text

STREAM = "review-tiers:audit"
MAX_RECORDS = 100_000  # bounded: Redis trims the oldest beyond about this many


class AuditLog:
    def __init__(
        self,
        redis: Redis,
        stream: str = STREAM,
        maxlen: int = MAX_RECORDS,
        durable: DurableTrail | None = None,
    ) -> None:
        self.redis = redis
        self.stream = stream
        self.maxlen = maxlen
        self.durable = durable

    def append(self, record: dict[str, Any]) -> str:
        """Add one record, redacted; returns its stream id (milliseconds-sequence)."""
        stamped = redact_value({"at": datetime.now(UTC).isoformat(), **record})
        payload = json.dumps(stamped, sort_keys=True, default=str)
        if self.durable is not None:
            return self.durable.append(self.stream, self.maxlen, payload, stamped)
        entry_id = self.redis.xadd(
            self.stream, {"record": payload}, maxlen=self.maxlen, approximate=True
        )
        return entry_id.decode() if isinstance(entry_id, bytes) else str(entry_id)

    def drain(self) -> int:
        """Write the records waiting for the durable trail; 0 without one (the maintenance
        loop calls it)."""
        return 0 if self.durable is None else self.durable.drain()

    def export(self, since: datetime | None = None, batch: int = 500) -> Iterator[dict[str, Any]]:
        """Records in order, from ``since`` (inclusive) or the oldest kept."""
        start = "-" if since is None else f"{int(since.timestamp() * 1000)}-0"
        while True:
            page = self._page(start, batch)
            for _entry_id, record in page:
                yield json.loads(record)
            if len(page) < batch:
                return
            start = "(" + page[-1][0]  # exclusive start after the last id read

    def _page(self, start: str, count: int) -> list[tuple[str, bytes]]:
        """Up to ``count`` (entry id, record JSON) pairs from ``start``."""
        rows = self.redis.xrange(self.stream, min=start, max="+", count=count) or []
        return [
            (as_text(entry_id), as_bytes((fields or {})[b"record"])) for entry_id, fields in rows
        ]


def parse_since(text: str) -> datetime:
    """An ISO date or date-time; a naive value is taken as UTC."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError as err:
        raise ValueError(f"--since: {text!r} is not an ISO date (e.g. 2026-11-01)") from err
    return value if value.tzinfo else value.replace(tzinfo=UTC)
