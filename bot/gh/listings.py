"""One installation's listings for recovery: its repositories, their open pull requests and the
App's check on a head, each read with its last ETag so an unchanged listing costs a free 304."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.core.names import CHECK_NAME
from bot.evaluation.ports import RepoRef
from bot.gh.base import PortBase
from bot.gh.checks import app_id_of
from bot.gh.errors import port_call
from bot.gh.rest import PER_PAGE, has_next_page, repo_url

LISTING_KEY = "rt:listing:{installation_id}:{url}?{query}"
# Longer than any sensible recovery period, so a steady scan keeps meeting its own ETags.
LISTING_TTL = 86400
# 5,000 open pull requests or repositories: past that a scan reads only the newest.
MAX_LISTING_PAGES = 50

Compact = Callable[[dict[str, Any]], list[Any]]


@dataclass(frozen=True)
class AppCheck:
    """The App's latest ``review-tiers`` check run on a commit, as GitHub shows it now."""

    status: str
    conclusion: str | None


def _repo(item: dict[str, Any]) -> list[Any]:
    return [str(item["owner"]["login"]), str(item["name"])]


def _pull(item: dict[str, Any]) -> list[Any]:
    return [int(item["number"]), str(item["head"]["sha"])]


class Listings(PortBase):
    """Reads addressed by installation; the budget left is ``rate_limit_remaining``."""

    @port_call
    def repositories(self) -> list[tuple[str, str]]:
        found = self._pages("/installation/repositories", {}, "repositories", _repo)
        return [(owner, name) for owner, name in found]

    @port_call
    def open_pulls(self, repo: RepoRef, base: str | None = None) -> list[tuple[int, str]]:
        """(number, head sha) of every open pull request (into ``base`` if given), newest
        first."""
        params = {"state": "open"} if base is None else {"state": "open", "base": base}
        found = self._pages(f"{repo_url(repo)}/pulls", params, None, _pull)
        return [(number, sha) for number, sha in found]

    @port_call
    def app_check(self, repo: RepoRef, head_sha: str) -> AppCheck | None:
        params = {"check_name": CHECK_NAME, "app_id": self.settings.app_id, "filter": "latest"}
        url = f"{repo_url(repo)}/commits/{head_sha}/check-runs"
        found = self._pages(url, params, "check_runs", self._our_check)
        runs = [run for run in found if run]
        if not runs:
            return None
        _, status, conclusion = max(runs)
        return AppCheck(status, conclusion)

    def _our_check(self, run: dict[str, Any]) -> list[Any]:
        # Another app may run a check of the same name: only the App's own one counts.
        if app_id_of(run) != self.settings.app_id or run.get("name") != CHECK_NAME:
            return []
        status = str(run["status"])
        conclusion = run.get("conclusion") if status == "completed" else None
        return [int(run["id"]), status, conclusion]

    def _pages(
        self, url: str, params: dict[str, Any], key: str | None, compact: Compact
    ) -> list[Any]:
        """Every item of a paged listing, compacted; each page is asked for with its ETag."""
        items: list[Any] = []
        for page in range(1, MAX_LISTING_PAGES + 1):
            query = {**params, "per_page": PER_PAGE, "page": page}
            cache_key = LISTING_KEY.format(
                installation_id=self.installation_id,
                url=url,
                query="&".join(f"{k}={v}" for k, v in sorted(query.items())),
            )
            cached = self._load(cache_key)
            status, headers, data = self.rest.conditional_get(
                url, query, cached["etag"] if cached else None
            )
            if status == 304 and cached is not None:
                chunk, more = cached["items"], bool(cached["next"])
            else:
                chunk = [compact(item) for item in (data[key] if key else data)]
                more = has_next_page(headers)
                if headers.get("etag"):
                    entry = {"etag": headers["etag"], "items": chunk, "next": more}
                    self.redis.set(cache_key, json.dumps(entry), ex=LISTING_TTL)
            items.extend(chunk)
            if not more:
                break
        return items

    def _load(self, key: str) -> dict[str, Any] | None:
        raw = self.redis.get(key)
        if raw is None:
            return None
        try:
            entry = json.loads(raw)
        except ValueError:
            return None
        return entry if isinstance(entry, dict) and "etag" in entry else None
