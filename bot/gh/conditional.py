"""Conditional reads of one installation: every GET is sent with the ETag of its last reply, and
the compacted reply is kept in Redis, so an unchanged object or listing page costs a 304.

GitHub does not count a 304 answer to a conditional request against the primary rate limit.
Entries are keyed by installation, URL and query: one installation's token never reads what
another's fetched. A paged listing keeps one entry, with its own ETag, per page.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from redis import Redis

from bot.gh.rest import PER_PAGE, Rest, has_next_page

# The prefix is the one purged per installation and repository when the App is removed.
CONDITIONAL_KEY = "rt:listing:{installation_id}:{url}?{query}"
# An ETag older than this is dropped; the next read is a plain 200 that stores it again.
CONDITIONAL_TTL = 24 * 3600
# A compacted reply above this size is not kept: the next read is a full one again.
MAX_ENTRY_CHARS = 1_000_000
# 5,000 items of a listing unless the caller caps it lower.
MAX_PAGES = 50

# Compacts one item of a reply into what the caller keeps; None drops the item.
Compact = Callable[[dict[str, Any]], Any]


def query_text(params: dict[str, Any]) -> str:
    return "&".join(f"{k}={v}" for k, v in sorted(params.items()))


class Conditional:
    """One installation's conditional GETs, their ETags and compacted replies in Redis."""

    def __init__(self, redis: Redis, installation_id: int) -> None:
        self.redis = redis
        self.installation_id = installation_id

    def key(self, url: str, params: dict[str, Any]) -> str:
        return CONDITIONAL_KEY.format(
            installation_id=self.installation_id, url=url, query=query_text(params)
        )

    def get(
        self, rest: Rest, url: str, compact: Compact, params: dict[str, Any] | None = None
    ) -> Any:
        """One object, compacted; errors are raised as PyGithub's."""
        query = dict(params or {})
        key = self.key(url, query)
        cached = self._load(key)
        status, headers, data = rest.conditional_get(url, query, cached["etag"] if cached else None)
        if status == 304 and cached is not None:
            return cached["data"]
        kept = compact(data)
        self._store(key, headers, {"data": kept})
        return kept

    def pages(
        self,
        rest: Rest,
        url: str,
        compact: Compact,
        params: dict[str, Any] | None = None,
        *,
        key: str | None = None,
        max_pages: int = MAX_PAGES,
    ) -> list[Any]:
        """Every item of a paged listing, compacted; each page is asked for with its own ETag.

        ``key`` names the list inside an object reply (``{"check_runs": [...]}``).
        """
        items: list[Any] = []
        for page in range(1, max_pages + 1):
            query = {**(params or {}), "per_page": PER_PAGE, "page": page}
            cache_key = self.key(url, query)
            cached = self._load(cache_key)
            status, headers, data = rest.conditional_get(
                url, query, cached["etag"] if cached else None
            )
            if status == 304 and cached is not None:
                chunk, more = list(cached["data"]), bool(cached["next"])
            else:
                found = (compact(item) for item in (data[key] if key else data))
                chunk = [item for item in found if item is not None]
                more = has_next_page(headers)
                self._store(cache_key, headers, {"data": chunk, "next": more})
            items.extend(chunk)
            if not more:
                break
        return items

    def _store(self, key: str, headers: dict[str, Any], entry: dict[str, Any]) -> None:
        etag = headers.get("etag")
        if not etag:
            return
        value = json.dumps({"etag": etag, **entry})
        if len(value) <= MAX_ENTRY_CHARS:
            self.redis.set(key, value, ex=CONDITIONAL_TTL)

    def _load(self, key: str) -> dict[str, Any] | None:
        raw = self.redis.get(key)
        if raw is None:
            return None
        try:
            entry = json.loads(raw)
        except ValueError:
            return None
        ok = isinstance(entry, dict) and "etag" in entry and "data" in entry
        return entry if ok else None
