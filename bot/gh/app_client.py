"""Requests made as the App itself (its JWT): the delivery log, redelivery, installations."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from github import Auth
from github.GithubException import GithubException

from bot.gh.auth import JWT_LIFETIME, app_jwt, github_client
from bot.gh.errors import lower_headers, port_call
from bot.gh.rest import PER_PAGE, Rest
from bot.ops.metrics import RequestObserver
from bot.ops.settings import AppSettings

# A client is rebuilt, with a new JWT, well before GitHub would refuse its token.
JWT_REUSE_SECONDS = JWT_LIFETIME // 2


@dataclass(frozen=True)
class DeliveryAttempt:
    """One attempt of the App's webhook to deliver an event, as GitHub's log lists it."""

    id: int
    guid: str
    delivered_at: float  # seconds since the epoch
    status_code: int
    redelivery: bool
    event: str
    action: str | None


def attempt_of(item: dict[str, Any]) -> DeliveryAttempt:
    when = datetime.fromisoformat(str(item["delivered_at"]).replace("Z", "+00:00"))
    return DeliveryAttempt(
        id=int(item["id"]),
        guid=str(item["guid"]),
        delivered_at=when.timestamp(),
        status_code=int(item["status_code"]),
        redelivery=bool(item["redelivery"]),
        event=str(item["event"]),
        action=item.get("action"),
    )


def next_cursor(headers: dict[str, Any]) -> str | None:
    """The ``cursor`` of the ``rel="next"`` page named by GitHub's ``Link`` header, if any."""
    for part in str(lower_headers(headers).get("link", "")).split(","):
        url, _, rel = part.partition(";")
        if 'rel="next"' in rel:
            cursors = parse_qs(urlsplit(url.strip().strip("<>")).query).get("cursor")
            return cursors[0] if cursors else None
    return None


class AppClient:
    """The App's own client; every call raises the App's Transient/PermanentGitHubError."""

    def __init__(self, settings: AppSettings, observe: RequestObserver | None = None) -> None:
        self.settings = settings
        self.observe = observe
        self._rest: Rest | None = None
        self._built = 0.0

    @property
    def rest(self) -> Rest:
        if self._rest is None or time.monotonic() - self._built > JWT_REUSE_SECONDS:
            self.close()
            signed = app_jwt(self.settings.app_id, self.settings.private_key)
            client = github_client(self.settings, Auth.AppAuthToken(signed))
            self._rest, self._built = Rest(client, self.observe), time.monotonic()
        return self._rest

    def unauthorized(self) -> None:
        """GitHub refused the JWT (a clock far off, a revoked key): sign a new one next time."""
        self.close()

    @port_call
    def deliveries_page(self, cursor: str | None) -> tuple[list[DeliveryAttempt], str | None]:
        """One page of the delivery log, newest first, and the cursor of the next page."""
        params: dict[str, Any] = {"per_page": PER_PAGE}
        if cursor is not None:
            params["cursor"] = cursor
        headers, data = self.rest.get_with_headers("/app/hook/deliveries", params)
        return [attempt_of(item) for item in data or []], next_cursor(headers)

    @port_call
    def redeliver(self, delivery_id: int) -> None:
        """Ask GitHub to send that delivery again (same guid); it answers 202 and sends later."""
        self.rest.send("POST", f"/app/hook/deliveries/{delivery_id}/attempts")

    @port_call
    def repo_installation(self, owner: str, name: str) -> int | None:
        """The installation covering a repository; None when the App is not installed there
        (GitHub answers 404, as it does for a repository that does not exist)."""
        url = f"/repos/{quote(owner, safe='')}/{quote(name, safe='')}/installation"
        try:
            return int(self.rest.get(url)["id"])
        except GithubException as err:
            if err.status == 404:
                return None
            raise

    @port_call
    def installations(self) -> list[int]:
        return sorted(int(item["id"]) for item in self.rest.pages("/app/installations"))

    def close(self) -> None:
        if self._rest is not None:
            self._rest.close()
            self._rest = None
