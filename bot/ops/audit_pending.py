"""The way to the durable audit trail: every record waits in a Redis list until PostgreSQL has it.

The Redis stream entry and the pending entry are written by one script, so a record the stream
has is never missing from the way to the database, whatever fails next. Writers drain the list
from its head in order and remove an entry only once the database committed it; an entry written
twice (a drain that died before removing it) is skipped by its key.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from typing import Any

from redis import Redis

from bot.ops.audit_chain import canonical
from bot.ops.audit_store import AuditStore, AuditStoreError, Entry
from bot.ops.replies import as_text, members

log = logging.getLogger(__name__)
PENDING = "review-tiers:audit:pending"
# An entry that cannot be read is set aside here (never dropped) so it does not block the rest.
UNREADABLE = "review-tiers:audit:unreadable"
BATCH = 100
RETRY_SECONDS = 5.0  # after a failure, appends leave the database alone this long

_APPEND = """
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'record', ARGV[2])
return {id, redis.call('RPUSH', KEYS[2], ARGV[3])}
"""


class DurableTrail:
    """The pending list and, in a worker, the database it drains into (None: the web process
    only queues; the workers' drain writes its records)."""

    def __init__(self, redis: Redis, store: AuditStore | None, pending: str = PENDING) -> None:
        self.redis = redis
        self.store = store
        self.pending = pending
        self.retry_seconds = RETRY_SECONDS
        self._retry_at = 0.0
        self._failing = False

    def append(self, stream: str, maxlen: int, payload: str, record: dict[str, Any]) -> str:
        """Add the record to the stream and the pending list at once, then try to drain."""
        entry = json.dumps({"key": uuid.uuid4().hex, "record": canonical(record)})
        reply = self.redis.eval(_APPEND, 2, stream, self.pending, maxlen, payload, entry)
        entry_id, waiting = reply
        if waiting == 1:
            self._write([entry])  # only this one waits: no need to read the list back
        else:
            self.drain()
        return as_text(entry_id)

    def drain(self, force: bool = False) -> int:
        """Write pending records to the database, oldest first, until none is left or the
        database fails (they stay, in order, for the next try). Returns how many it wrote."""
        written = 0
        while raw := members(self.redis.lrange(self.pending, 0, BATCH - 1)):
            done = self._write([part.decode("utf-8", "replace") for part in raw], force)
            if done is None:
                return written
            written += done
        return written

    def _write(self, items: list[str], force: bool = False) -> int | None:
        """Write these pending entries (the head of the list) and remove them from it; None
        when the database is not tried or fails, or when another drain took them first."""
        if self.store is None or (not force and time.monotonic() < self._retry_at):
            return None
        entries = self._readable(items)
        try:
            written = self.store.append([entry for _, entry in entries])
        except AuditStoreError as err:
            self._failed(err)
            return None
        pipe = self.redis.pipeline(transaction=False)
        for item, _ in entries:
            pipe.lrem(self.pending, 1, item)
        removed = pipe.execute()
        if self._failing:
            log.info("audit records reach the database again", extra={"backlog": self.backlog()})
            self._failing = False
        # Nothing removed: another drain had them; stop rather than read the same list again.
        return written if any(removed) or not entries else None

    def backlog(self) -> int:
        """How many records wait for the database."""
        return int(self.redis.llen(self.pending))

    def _readable(self, items: list[str]) -> list[tuple[str, Entry]]:
        """The entries that can be read, each with its text; the others are set aside."""
        entries = []
        for item in items:
            entry = read_entry(item)
            if entry is None:
                log.error("set aside an unreadable pending audit entry: %.200r", item)
                pipe = self.redis.pipeline(transaction=True)
                pipe.rpush(UNREADABLE, item)
                pipe.lrem(self.pending, 1, item)
                pipe.execute()
                continue
            entries.append((item, entry))
        return entries

    def _failed(self, err: AuditStoreError) -> None:
        self._retry_at = time.monotonic() + self.retry_seconds
        if not self._failing:
            log.warning("audit records wait in Redis: %s", err, extra={"backlog": self.backlog()})
        self._failing = True


def durable_trail(redis: Redis, url: str, writes: bool = True) -> DurableTrail | None:
    """The trail for a configured database URL ("": none); ``writes=False`` only queues."""
    if not url:
        return None
    return DurableTrail(redis, AuditStore(url) if writes else None)


def read_entry(raw: str) -> Entry | None:
    """A pending entry, or None when it is not one."""
    try:
        data = json.loads(raw)
        text = str(data["record"])
        record = json.loads(text)
        pull = record.get("pull_number")
        return Entry(
            key=str(data["key"]),
            text=text,
            at=str(record["at"]),
            repository=str(record.get("repository") or ""),
            pull_number=pull if isinstance(pull, int) and not isinstance(pull, bool) else None,
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
