"""The way to the durable audit trail: every record waits in a Redis list until PostgreSQL has it.

The Redis stream entry and the pending entry are written by one script, so a record the stream
has is never missing from the way to the database, whatever fails next. One drainer at a time
(a short lease in Redis) writes the list from its head, in order, in batches, and removes an
entry only once the database committed it; a record written twice (a drainer that died before
removing it) is skipped by its key. Handing the lease back and adding a record are atomic, so a
record added while a drainer finishes is either in its next batch or drained by its own writer.
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
from bot.ops.replies import as_text

log = logging.getLogger(__name__)
PENDING = "review-tiers:audit:pending"
# An entry that cannot be read is set aside here (never dropped) so it does not block the rest.
UNREADABLE = "review-tiers:audit:unreadable"
BATCH = 500
LEASE_MS = 30_000  # longer than a connect plus a statement timeout (bot/ops/audit_store.py)
RETRY_SECONDS = 5.0  # after a failure, this process's appends leave the database alone this long

# The next batch once the caller holds the lease (taking it when free), else nothing; the lease
# goes back when the list is empty. Each script below sets these five locals first.
_TAKE = """
local holder = redis.call('GET', lease)
if holder and holder ~= token then return {} end
redis.call('SET', lease, token, 'PX', px)
local batch = redis.call('LRANGE', pending, 0, size - 1)
if #batch == 0 then redis.call('DEL', lease) end
return batch
"""

# KEYS: stream, pending list, lease. ARGV: maxlen, payload, entry, token ("" when this process
# writes no database), lease ms, batch size. Returns the stream id, then the batch to write.
_APPEND = (
    """
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'record', ARGV[2])
redis.call('RPUSH', KEYS[2], ARGV[3])
if ARGV[4] == '' then return {id} end
local pending, lease, token, px, size = KEYS[2], KEYS[3], ARGV[4], ARGV[5], tonumber(ARGV[6])
local batch = (function()
"""
    + _TAKE
    + """
end)()
table.insert(batch, 1, id)
return batch
"""
)

# KEYS: pending list, lease. ARGV: token, lease ms, batch size, then the entries written.
_HEAD = (
    "local pending, lease, token, px, size = KEYS[1], KEYS[2], ARGV[1], ARGV[2], tonumber(ARGV[3])"
)
_DRAIN = _HEAD + _TAKE
_DONE = _HEAD + "\nfor i = 4, #ARGV do redis.call('LREM', pending, 1, ARGV[i]) end" + _TAKE

# KEYS: lease. ARGV: token. Hands the lease back after a failure.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class DurableTrail:
    """The pending list and, in a worker, the database it drains into (None: the web process
    only queues; the workers' drain writes its records)."""

    def __init__(self, redis: Redis, store: AuditStore | None, pending: str = PENDING) -> None:
        self.redis = redis
        self.store = store
        self.pending = pending
        self.lease = f"{pending}:lease"
        self.retry_seconds = RETRY_SECONDS
        self._retry_at = 0.0
        self._failing = False

    def append(self, stream: str, maxlen: int, payload: str, record: dict[str, Any]) -> str:
        """Add the record to the stream and the pending list at once, then drain if this
        process writes the database and no other drainer is at work."""
        entry = json.dumps({"key": uuid.uuid4().hex, "record": canonical(record)})
        token = self._token()
        keys = (stream, self.pending, self.lease)
        reply = self.redis.eval(_APPEND, 3, *keys, maxlen, payload, entry, *self._take(token))
        entry_id, batch = reply[0], [as_text(item) for item in reply[1:]]
        if batch:
            self._write_all(token, batch)
        return as_text(entry_id)

    def drain(self, force: bool = False) -> int:
        """Write pending records to the database, oldest first, until none is left or the
        database fails (they stay, in order, for the next try). Returns how many it wrote."""
        token = self._token(force)
        if not token:
            return 0
        reply = self.redis.eval(_DRAIN, 2, self.pending, self.lease, *self._take(token))
        return self._write_all(token, [as_text(item) for item in reply])

    def backlog(self) -> int:
        """How many records wait for the database."""
        return int(self.redis.llen(self.pending))

    def _token(self, force: bool = False) -> str:
        """A lease token when this process should write now, else ""."""
        if self.store is None or (not force and time.monotonic() < self._retry_at):
            return ""
        return uuid.uuid4().hex

    def _take(self, token: str) -> tuple[str, int, int]:
        return token, LEASE_MS, BATCH

    def _write_all(self, token: str, batch: list[str]) -> int:
        """Write batches while this caller holds the lease; the last _DONE hands it back."""
        assert self.store is not None
        written = 0
        while batch:
            entries, unreadable = _readable(batch)
            try:
                written += self.store.append(entries) if entries else 0
            except AuditStoreError as err:
                self.redis.eval(_RELEASE, 1, self.lease, token)
                self._failed(err)
                return written
            for item in unreadable:  # kept, out of the way
                log.error("set aside an unreadable pending audit entry: %.200r", item)
                self.redis.rpush(UNREADABLE, item)
            reply = self.redis.eval(_DONE, 2, self.pending, self.lease, *self._take(token), *batch)
            batch = [as_text(item) for item in reply]
        if self._failing:
            log.info("audit records reach the database again")
            self._failing = False
        return written

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


def _readable(items: list[str]) -> tuple[list[Entry], list[str]]:
    """The entries that can be read, and the items that cannot."""
    entries, unreadable = [], []
    for item in items:
        entry = read_entry(item)
        if entry is None:
            unreadable.append(item)
        else:
            entries.append(entry)
    return entries, unreadable


def _column(text: str) -> str:
    """``text`` as PostgreSQL's text can hold it: no NUL, no lone surrogate."""
    return text.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")


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
            repository=_column(str(record.get("repository") or "")),
            pull_number=pull if isinstance(pull, int) and not isinstance(pull, bool) else None,
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
