"""Where audit records are read from: the durable trail when one is configured (every record),
else the Redis stream (the newest 100,000). `audit export` and reports read through here."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import Any

from redis import Redis

from bot.ops import env
from bot.ops.audit import AuditLog
from bot.ops.audit_store import AuditStore


def audit_records(
    environ: Mapping[str, str], since: datetime | None, redis: Callable[[], Redis]
) -> Iterator[dict[str, Any]]:
    """The records from ``since`` (inclusive) in order. Raises SettingsError for a bad URL,
    AuditStoreError when the database cannot be read; ``redis`` connects only when needed."""
    url = env.audit_database_url(environ)
    if not url:
        yield from AuditLog(redis()).export(since)
        return
    with AuditStore(url) as store:
        for text in store.export(since):
            yield json.loads(text)
