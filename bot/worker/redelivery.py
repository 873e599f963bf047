"""Find the App's failed webhook deliveries in GitHub's delivery log and ask GitHub to send them
again, remembering each redelivery so that a later scan waits for its outcome."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from redis import Redis

from bot.gh.app_client import DeliveryAttempt
from bot.ops.errors import PermanentGitHubError, TransientGitHubError

log = logging.getLogger(__name__)

# The delivered_at of the newest attempt the last scan saw: the next scan reads back to it.
WATERMARK_KEY = "rt:recovery:deliveries-seen"
# guid → how often the App asked for it again, and when last; gone once GitHub would refuse.
REDELIVERED_KEY = "rt:recovery:redelivered:{guid}"
REDELIVERY_LIMIT = 3 * 86400.0  # GitHub redelivers a delivery for three days
LIMIT_MARGIN = 600.0  # ...and an attempt read near that edge may be refused by the time we ask
# GitHub may list an attempt a little after a newer one: read this far behind the watermark.
OVERLAP = 120.0
MAX_PAGES = 20  # 2,000 attempts a scan; older ones wait for the next scan's watermark
MAX_REDELIVERIES = 5


class DeliveryLog(Protocol):
    def deliveries_page(self, cursor: str | None) -> tuple[list[DeliveryAttempt], str | None]: ...

    def redeliver(self, delivery_id: int) -> None: ...


@dataclass
class RedeliveryReport:
    attempts: int = 0
    pages: int = 0
    failed: int = 0  # guids none of whose attempts got a 2xx
    redelivered: list[str] = field(default_factory=list)


def read_log(client: DeliveryLog, floor: float) -> tuple[list[DeliveryAttempt], int]:
    """The attempts delivered at or after ``floor`` (newest first), and the pages read."""
    attempts: list[DeliveryAttempt] = []
    cursor: str | None = None
    for pages in range(1, MAX_PAGES + 1):
        page, cursor = client.deliveries_page(cursor)
        attempts.extend(a for a in page if a.delivered_at >= floor)
        if cursor is None or not page or page[-1].delivered_at < floor:
            return attempts, pages
    log.warning("the delivery log has more than %d pages since the last scan", MAX_PAGES)
    return attempts, MAX_PAGES


def failed_deliveries(attempts: list[DeliveryAttempt]) -> dict[str, DeliveryAttempt]:
    """guid → its newest attempt, for every guid none of whose attempts got a 2xx."""
    by_guid: dict[str, list[DeliveryAttempt]] = {}
    for attempt in attempts:
        by_guid.setdefault(attempt.guid, []).append(attempt)
    return {
        guid: max(tries, key=lambda a: a.id)
        for guid, tries in by_guid.items()
        if not any(200 <= a.status_code < 300 for a in tries)
    }


class Redeliverer:
    """One scan of the delivery log; ``period`` spaces repeated redeliveries of one guid."""

    def __init__(
        self,
        redis: Redis,
        client: DeliveryLog,
        windows: tuple[float, float],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.redis = redis
        self.client = client
        self.period, self.lookback = windows
        self.clock = clock

    def floor(self, now: float) -> float:
        """Back to the watermark (with an overlap), else the lookback; never past GitHub's limit."""
        raw = self.redis.get(WATERMARK_KEY)
        start = float(raw) - OVERLAP if raw is not None else now - self.lookback
        return max(start, now - REDELIVERY_LIMIT + LIMIT_MARGIN)

    def scan(self) -> RedeliveryReport:
        now = self.clock()
        attempts, pages = read_log(self.client, self.floor(now))
        report = RedeliveryReport(len(attempts), pages)
        failed = failed_deliveries(attempts)
        report.failed = len(failed)
        for guid, newest in sorted(failed.items(), key=lambda item: item[1].id):
            if self._due(guid, now) and self._redeliver(guid, newest, now):
                report.redelivered.append(guid)
        if attempts:
            newest_seen = max(a.delivered_at for a in attempts)
            self.redis.set(WATERMARK_KEY, repr(newest_seen), ex=int(REDELIVERY_LIMIT))
        return report

    def _asked(self, guid: str) -> tuple[int, float]:
        """How often the App asked for ``guid`` again and when last; unreadable: never."""
        raw = self.redis.get(REDELIVERED_KEY.format(guid=guid))
        try:
            entry = json.loads(raw) if raw is not None else {"count": 0, "at": 0}
            return int(entry["count"]), float(entry["at"])
        except (ValueError, KeyError, TypeError):
            return 0, 0.0

    def _due(self, guid: str, now: float) -> bool:
        """Never asked for, or asked for long enough ago that its attempt must have failed."""
        count, at = self._asked(guid)
        if count == 0:
            return True
        # While a redelivery is in flight its attempt is not logged yet; after that, each new
        # try waits twice as long, so an App that stays down is not flooded.
        return count < MAX_REDELIVERIES and now - at >= self.period * 2 ** (count - 1)

    def _redeliver(self, guid: str, newest: DeliveryAttempt, now: float) -> bool:
        key = REDELIVERED_KEY.format(guid=guid)
        count, _ = self._asked(guid)
        fields = {"delivery_id": newest.id, "guid": guid, "event": newest.event}
        try:
            self.client.redeliver(newest.id)
        except TransientGitHubError as err:
            log.warning("redelivery failed, trying again next scan: %s", err, extra=fields)
            return False
        except PermanentGitHubError as err:
            # GitHub refuses it for good (too old, say): asking again would change nothing.
            self._remember(key, MAX_REDELIVERIES, now)
            log.warning("GitHub refused a redelivery: %s", err, extra=fields)
            return False
        self._remember(key, count + 1, now)
        log.info("redelivered a failed delivery", extra={**fields, "outcome": "redelivered"})
        return True

    def _remember(self, key: str, count: int, now: float) -> None:
        entry = json.dumps({"count": count, "at": now})
        self.redis.set(key, entry, ex=int(REDELIVERY_LIMIT))
