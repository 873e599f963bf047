"""Conditional reads of one installation: every GET is sent with the ETag of its last reply, and
the compacted reply is kept in Redis, so an unchanged object or listing page costs a 304.

GitHub does not count a 304 answer to a conditional request against the primary rate limit.
Entries are keyed by installation, kind, URL and query: one installation's token never reads
what another's fetched, and each reader (``kind`` names its compaction) has entries of its own
shape even where two read the same URL. A paged listing keeps one entry, with its own ETag, per
page. An entry that does not parse is a miss: it is read again in full, never trusted.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from redis import Redis

from bot.gh.rest import PER_PAGE, Rest, has_next_page
from bot.ops.errors import PermanentGitHubError

# The prefix is the one purged per installation and repository when the App is removed. It
# differs from the ``rt:listing`` prefix of earlier releases, whose entries had another shape:
# during a rolling deploy old and new workers never read each other's entries.
CONDITIONAL_KEY = "rt:cached:{installation_id}:{kind}:{url}?{query}"
# An ETag older than this is dropped; the next read is a plain 200 that stores it again.
CONDITIONAL_TTL = 24 * 3600
# A compacted reply above this size is not kept: the next read is a full one again.
MAX_ENTRY_CHARS = 1_000_000
# A bound against a listing that never ends (100,000 items), not a cut of real ones: a listing
# read ``whole`` that goes on past it is refused rather than decided on in part.
MAX_PAGES = 1000

# Compacts one item of a reply into what the caller keeps; None drops the item.
Compact = Callable[[dict[str, Any]], Any]
# Turns what was kept into what the caller returns; raises on an entry of another shape.
Parse = Callable[[Any], Any]
SHAPE_ERRORS = (KeyError, IndexError, TypeError, ValueError, AttributeError)


def query_text(params: dict[str, Any]) -> str:
    return "&".join(f"{k}={v}" for k, v in sorted(params.items()))


def _same(item: Any) -> Any:
    return item


class Conditional:
    """One installation's conditional GETs, their ETags and compacted replies in Redis."""

    def __init__(self, redis: Redis, installation_id: int) -> None:
        self.redis = redis
        self.installation_id = installation_id

    def key(self, kind: str, url: str, params: dict[str, Any]) -> str:
        return CONDITIONAL_KEY.format(
            installation_id=self.installation_id, kind=kind, url=url, query=query_text(params)
        )

    def get(
        self,
        rest: Rest,
        url: str,
        compact: Compact,
        params: dict[str, Any] | None = None,
        *,
        kind: str,
        parse: Parse = _same,
    ) -> Any:
        """One object, compacted then parsed; errors are raised as PyGithub's."""
        query = dict(params or {})
        key = self.key(kind, url, query)
        cached = self._load(key)
        status, headers, data = rest.conditional_get(url, query, cached["etag"] if cached else None)
        if status == 304 and cached is not None:
            try:
                return parse(cached["data"])
            except SHAPE_ERRORS:
                status, headers, data = rest.conditional_get(url, query, None)
        kept = compact(data)
        self._store(key, headers, {"data": kept})
        return parse(kept)

    def pages(
        self,
        rest: Rest,
        url: str,
        compact: Compact,
        params: dict[str, Any] | None = None,
        *,
        kind: str,
        key: str | None = None,
        parse: Parse = _same,
        max_pages: int | None = None,
        whole: bool = False,
    ) -> list[Any]:
        """Every item of a paged listing, compacted then parsed; each page is asked for with
        its own ETag.

        ``key`` names the list inside an object reply (``{"check_runs": [...]}``). A listing
        longer than ``max_pages`` pages (MAX_PAGES unless given) is cut there, unless ``whole``:
        then it is refused, since deciding on a part could let through what the rest forbids.
        """
        cap = MAX_PAGES if max_pages is None else max_pages
        items: list[Any] = []
        for page in range(1, cap + 1):
            query = {**(params or {}), "per_page": PER_PAGE, "page": page}
            chunk, more = self._page(rest, url, compact, query, kind, key, parse)
            items.extend(chunk)
            if not more:
                return items
        if whole:
            raise PermanentGitHubError(
                f"{url} lists more than {cap * PER_PAGE} items: not decided on a part"
            )
        return items

    def _page(
        self,
        rest: Rest,
        url: str,
        compact: Compact,
        query: dict[str, Any],
        kind: str,
        key: str | None,
        parse: Parse,
    ) -> tuple[list[Any], bool]:
        """One page's items and whether another page may follow."""
        cache_key = self.key(kind, url, query)
        cached = self._load(cache_key)
        status, headers, data = rest.conditional_get(url, query, cached["etag"] if cached else None)
        if status == 304 and cached is not None:
            try:
                if not isinstance(cached["data"], list):
                    raise TypeError("not a page")
                chunk = [parse(item) for item in cached["data"]]
                count = int(cached["count"])
            except SHAPE_ERRORS:
                status, headers, data = rest.conditional_get(url, query, None)
            else:
                # The stored ``next`` tells what the Link header said then; a page that was full
                # may have been the last one then and not be now: the next page is asked for too
                # (conditionally, so a 304 once seen).
                return chunk, bool(cached["next"]) or count >= PER_PAGE
        raw = data[key] if key else data
        found = (compact(item) for item in raw)
        kept = [item for item in found if item is not None]
        more = has_next_page(headers)
        self._store(cache_key, headers, {"data": kept, "count": len(raw), "next": more})
        return [parse(item) for item in kept], more

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
