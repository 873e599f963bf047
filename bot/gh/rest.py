"""Documented REST calls through PyGithub's requester: single requests, pages, conditional GETs."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from github import Github, GithubException
from github.Requester import Requester

from bot.evaluation.ports import RepoRef
from bot.gh.errors import lower_headers
from bot.ops.metrics import RequestObserver

PER_PAGE = 100


def repo_url(repo: RepoRef) -> str:
    return f"/repos/{quote(repo.owner, safe='')}/{quote(repo.name, safe='')}"


def has_next_page(headers: dict[str, Any]) -> bool:
    return 'rel="next"' in str(lower_headers(headers).get("link", ""))


class Rest:
    """One installation's client.

    The port talks to the requester rather than PyGithub's object model: each method maps to
    documented calls, and lazy objects cannot fetch undocumented URLs behind its back.
    """

    def __init__(self, client: Github, observe: RequestObserver | None = None) -> None:
        self.client = client
        self.requester: Requester = client.requester
        self.observe = observe

    def _checked(
        self, verb: str, url: str, *, noted: str | None = None, **kwargs: Any
    ) -> tuple[dict[str, Any], Any]:
        """One request; every outcome (status or error) goes to the observer for metrics, under
        ``noted`` when given (the GraphQL URL is absolute)."""
        label = noted or url
        try:
            headers, data = self.requester.requestJsonAndCheck(verb, url, **kwargs)
        except GithubException as err:
            self._note(verb, label, str(err.status))
            raise
        except Exception:
            self._note(verb, label, "error")
            raise
        self._note(verb, label, "2xx")
        return headers, data

    def _note(self, verb: str, url: str, status: str) -> None:
        if self.observe is not None:
            self.observe(verb, url, status)

    def get(self, url: str, params: dict[str, Any] | None = None) -> Any:
        _, data = self._checked("GET", url, parameters=params)
        return data

    def get_with_headers(
        self, url: str, params: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], Any]:
        """GET returning the reply's headers too, for cursor paging through ``Link``."""
        return self._checked("GET", url, parameters=params)

    def send(self, verb: str, url: str, body: Any = None) -> Any:
        _, data = self._checked(verb, url, input=body)
        return data

    def graphql(self, query: str, variables: dict[str, Any]) -> Any:
        """One GraphQL query, counted like a read; the reply as sent, ``errors`` included.

        The URL is the requester's: ``/graphql`` on GitHub, ``/api/graphql`` on an Enterprise
        server. GitHub answers 200 with ``errors`` for a query it refuses or cannot fully answer.
        """
        body = {"query": query, "variables": variables}
        url = self.requester.graphql_url
        # The reply's x-ratelimit-* headers tell GraphQL's own budget, not the REST one that
        # ``rate_limit_remaining`` reports: the requester keeps what it knew before.
        kept = self.requester.rate_limiting, self.requester.rate_limiting_resettime
        try:
            _, data = self._checked("POST", url, noted="/graphql", input=body)
        finally:
            self.requester.rate_limiting, self.requester.rate_limiting_resettime = kept
        return data

    def pages(
        self,
        url: str,
        params: dict[str, Any] | None = None,
        *,
        key: str | None = None,
        max_pages: int | None = None,
    ) -> list[Any]:
        """Every item of a list endpoint, following GitHub's ``Link: rel="next"`` pages.

        ``key`` names the list inside an object reply (``{"check_runs": [...]}``).
        """
        items: list[Any] = []
        page = 1
        while True:
            query = {**(params or {}), "per_page": PER_PAGE, "page": page}
            headers, data = self._checked("GET", url, parameters=query)
            items.extend(data[key] if key else data)
            if not has_next_page(headers) or (max_pages is not None and page >= max_pages):
                return items
            page += 1

    def conditional_get(
        self, url: str, params: dict[str, Any], etag: str | None
    ) -> tuple[int, dict[str, Any], Any]:
        """GET with ``If-None-Match``; errors are raised as PyGithub's, a 304 returned as is."""
        headers = {"If-None-Match": etag} if etag else {}
        try:
            status, reply_headers, raw = self.requester.requestJson(
                "GET", url, parameters=params, headers=headers
            )
        except Exception:
            self._note("GET", url, "error")
            raise
        self._note("GET", url, str(status))
        data = parse_json(raw)
        if status >= 400:
            error = data if isinstance(data, dict) else {"message": str(data)}
            raise Requester.createException(status, reply_headers, error)
        return status, lower_headers(reply_headers), data

    def rate_limit_remaining(self) -> int | None:
        # The requester keeps the last x-ratelimit-remaining it saw; -1 means none yet.
        remaining, _ = self.requester.rate_limiting
        return remaining if remaining >= 0 else None

    def close(self) -> None:
        self.client.close()


def parse_json(raw: str) -> Any:
    """The reply body as JSON; error pages from proxies are HTML, kept as text."""
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return {"message": raw[:300]}
