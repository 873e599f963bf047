"""One installation's listings for recovery: its repositories, their open pull requests and the
App's check on a head, each read with its last ETag so an unchanged listing costs a free 304."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.core.names import CHECK_NAME
from bot.evaluation.ports import RepoRef
from bot.gh.base import PortBase
from bot.gh.checks import app_id_of
from bot.gh.errors import port_call
from bot.gh.rest import repo_url

# 5,000 repositories or open pull requests: past that a scan reads only the first ones.
MAX_LISTING_PAGES = 50


@dataclass(frozen=True)
class AppCheck:
    """The App's latest ``review-tiers`` check run on a commit, as GitHub shows it now."""

    status: str
    conclusion: str | None


def _repo(item: dict[str, Any]) -> list[Any]:
    return [str(item["owner"]["login"]), str(item["name"])]


def _pull(item: dict[str, Any]) -> list[Any]:
    return [int(item["number"]), str(item["head"]["sha"])]


def _pair(item: Any) -> tuple[Any, str]:
    first, second = item
    return first, str(second)


def _run(item: Any) -> tuple[int, str, str | None]:
    ident, status, conclusion = item
    return int(ident), str(status), None if conclusion is None else str(conclusion)


class Listings(PortBase):
    """Reads addressed by installation; the budget left is ``rate_limit_remaining``."""

    @port_call
    def repositories(self) -> list[tuple[str, str]]:
        return self.cached.pages(
            self.rest,
            "/installation/repositories",
            _repo,
            kind="repos",
            key="repositories",
            parse=_pair,
            max_pages=MAX_LISTING_PAGES,
        )

    @port_call
    def open_pulls(self, repo: RepoRef, base: str | None = None) -> list[tuple[int, str]]:
        """(number, head sha) of every open pull request (into ``base`` if given), newest
        first."""
        params = {"state": "open"} if base is None else {"state": "open", "base": base}
        url = f"{repo_url(repo)}/pulls"
        found = self.cached.pages(
            self.rest,
            url,
            _pull,
            params,
            kind="pull-shas",
            parse=_pair,
            max_pages=MAX_LISTING_PAGES,
        )
        return [(int(number), sha) for number, sha in found]

    @port_call
    def app_check(self, repo: RepoRef, head_sha: str) -> AppCheck | None:
        params = {"check_name": CHECK_NAME, "app_id": self.settings.app_id, "filter": "latest"}
        url = f"{repo_url(repo)}/commits/{head_sha}/check-runs"
        found = self.cached.pages(
            self.rest,
            url,
            self._our_check,
            params,
            kind="app-check",
            key="check_runs",
            parse=_run,
            max_pages=MAX_LISTING_PAGES,
        )
        if not found:
            return None
        _, status, conclusion = max(found)
        return AppCheck(status, conclusion)

    def _our_check(self, run: dict[str, Any]) -> list[Any] | None:
        # Another app may run a check of the same name: only the App's own one counts.
        if app_id_of(run) != self.settings.app_id or run.get("name") != CHECK_NAME:
            return None
        status = str(run["status"])
        conclusion = run.get("conclusion") if status == "completed" else None
        return [int(run["id"]), status, conclusion]
