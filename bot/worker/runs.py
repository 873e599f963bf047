"""One run of a pull request's evaluation: a short lease kept alive by a heartbeat, its events
read without deleting them, and at the end only the handled ones removed, atomically.

A run killed at any point leaves its events recorded and its lease lapses within
``lease_seconds``; the sweeper then queues the PR again (``bot.worker.scheduling``).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Mapping
from types import TracebackType

from redis.exceptions import RedisError

from bot.ops.replies import as_text, text_hash
from bot.state.keys import PullKey
from bot.state.queueing import PENDING_KEY, Dispatcher

log = logging.getLogger(__name__)

# A follow-up waits until its PR's events stopped arriving for SETTLE_QUIET seconds (at most
# SETTLE_LONGEST), so a burst still arriving is taken by one run; a lone event never waits.
SETTLE_QUIET = 0.3
SETTLE_LONGEST = 3.0
SETTLE_STEP = 0.1

_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
return 0
"""

# KEYS: events, lease, queued marker, pending set. ARGV: lease token, pending member, then
# (delivery id, actor) pairs the run handled. An entry is removed only if it is unchanged;
# the marker goes with the last event, else it stays for the follow-up that replaces it.
_FINISH = """
for i = 3, #ARGV, 2 do
  if redis.call('hget', KEYS[1], ARGV[i]) == ARGV[i + 1] then
    redis.call('hdel', KEYS[1], ARGV[i])
  end
end
if redis.call('get', KEYS[2]) == ARGV[1] then redis.call('del', KEYS[2]) end
local left = redis.call('hlen', KEYS[1])
local marker = redis.call('get', KEYS[3]) or ''
if left == 0 then
  redis.call('del', KEYS[3])
  redis.call('srem', KEYS[4], ARGV[2])
end
return {left, marker}
"""


class Run:
    """A run holding the PR's lease; use it as a context manager to keep the lease alive."""

    def __init__(self, dispatcher: Dispatcher, pull: PullKey, token: str) -> None:
        self.dispatcher = dispatcher
        self.pull = pull
        self.token = token
        self._stop = threading.Event()
        self._keeper = threading.Thread(target=self._heartbeat, name="lease", daemon=True)

    def __enter__(self) -> Run:
        self._keeper.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._keeper.join(5)

    def _heartbeat(self) -> None:
        redis, ttl_ms = self.dispatcher.redis, int(self.dispatcher.lease_seconds * 1000)
        while not self._stop.wait(self.dispatcher.lease_seconds / 3):
            try:
                held = redis.eval(_RENEW, 1, self.pull.key("lease"), self.token, ttl_ms)
            except RedisError as err:
                log.warning("cannot renew the evaluation's lease: %s", err)
                continue
            if not held:
                # Another run may take the PR now; this one finishes, and effects converge.
                log.warning("the evaluation's lease lapsed before its run ended")
                return

    def settle(self) -> None:
        """Wait while the PR's events are still growing (a burst), within SETTLE_LONGEST."""
        redis, key = self.dispatcher.redis, self.pull.key("dirty")
        deadline = time.monotonic() + SETTLE_LONGEST
        seen, since = redis.hlen(key), time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(SETTLE_STEP)
            count = redis.hlen(key)
            if count != seen:
                seen, since = count, time.monotonic()
            elif time.monotonic() - since >= SETTLE_QUIET:
                return

    def events(self) -> dict[str, str]:
        """The deliveries (and recheck actors) recorded for the PR; they stay recorded."""
        raw = self.dispatcher.redis.hgetall(self.pull.key("dirty"))
        return text_hash(raw)

    def finish(self, handled: Mapping[str, str], retry_in: float | None = None) -> None:
        """Remove the handled events and release the lease; queue one follow-up at once if
        events are left (or, with ``retry_in``, a retry of them after that many seconds)."""
        keys = (self.pull.key("dirty"), self.pull.key("lease"), self.pull.key("queued"))
        pairs = [] if retry_in is not None else [x for item in handled.items() for x in item]
        reply = self.dispatcher.redis.eval(
            _FINISH, 4, *keys, PENDING_KEY, self.token, self.pull.member(), *pairs
        )
        left, marker = int(reply[0]), reply[1] or None
        if not left:
            return
        pending = sorted(as_text(k) for k in self.dispatcher.redis.hkeys(keys[0]))
        trigger = pending[-1] if pending else ""
        if retry_in is not None:
            self.dispatcher.replace_job(self.pull, marker, trigger, retry_in)
        else:
            self.dispatcher.replace_job(self.pull, marker, trigger, settle=True)


def begin(dispatcher: Dispatcher, pull: PullKey) -> Run | None:
    """Take the PR's lease for a run; None when a live run holds it (that run follows up)."""
    token = uuid.uuid4().hex
    ttl_ms = int(dispatcher.lease_seconds * 1000)
    if not dispatcher.redis.set(pull.key("lease"), token, nx=True, px=ttl_ms):
        return None
    return Run(dispatcher, pull, token)
