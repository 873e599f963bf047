"""App JWTs, and installation tokens minted once and shared by every worker through Redis."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import jwt
from github import Auth, Github
from redis import Redis

from bot.gh.errors import translated
from bot.ops.metrics import RequestObserver
from bot.ops.settings import AppSettings
from bot.state.keys import TOKEN_KEY

log = logging.getLogger(__name__)

# GitHub refuses a JWT issued in its future or living more than ten minutes; backdating
# ``iat`` by a minute absorbs clock drift while ``exp`` stays within ten minutes of now.
JWT_BACKDATE = 60
JWT_LIFETIME = 540
# Tokens live an hour; refreshing five minutes early keeps a job from starting with a token
# that dies halfway through.
REFRESH_MARGIN = 300
LOCK_KEY = "rt:token-lock:{installation_id}"
LOCK_SECONDS = 10.0
# While another worker mints, poll the cache briefly; after that, mint a token of our own.
WAIT_POLLS = 5
WAIT_STEP = 0.05
HTTP_TIMEOUT = 15


def app_jwt(app_id: int, private_key: str, now: float | None = None) -> str:
    """A JSON Web Token authenticating as the App itself (RS256, about ten minutes)."""
    issued = int(time.time() if now is None else now)
    claims = {"iat": issued - JWT_BACKDATE, "exp": issued + JWT_LIFETIME, "iss": str(app_id)}
    return jwt.encode(claims, private_key, algorithm="RS256")


def github_client(settings: AppSettings, auth: Auth.Auth) -> Github:
    """PyGithub without its own retries or pauses: the job layer re-schedules instead."""
    return Github(
        auth=auth,
        base_url=settings.api_url,
        user_agent=settings.app_slug,
        retry=None,
        seconds_between_requests=0,
        seconds_between_writes=0,
        per_page=100,
        timeout=HTTP_TIMEOUT,
    )


def expiry_epoch(expires_at: str) -> float:
    """GitHub's ``expires_at`` (``2024-01-01T00:00:00Z``) as seconds since the epoch."""
    return datetime.fromisoformat(expires_at).timestamp()


class InstallationTokens:
    """Installation access tokens, cached in Redis until five minutes before they expire."""

    def __init__(
        self,
        settings: AppSettings,
        redis: Redis,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        observe: RequestObserver | None = None,
    ) -> None:
        self.settings = settings
        self.observe = observe
        self.redis = redis
        self.clock = clock
        self.sleep = sleep

    def get(self, installation_id: int) -> str:
        """The cached token, else one minted under a lock so that workers mint it only once."""
        cached = self._cached(installation_id)
        if cached is not None:
            return cached
        lock = self.redis.lock(
            LOCK_KEY.format(installation_id=installation_id),
            timeout=LOCK_SECONDS,
            blocking=False,
            raise_on_release_error=False,
        )
        if lock.acquire():
            try:
                return self._mint(installation_id)
            finally:
                lock.release()
        for _ in range(WAIT_POLLS):
            self.sleep(WAIT_STEP)
            cached = self._cached(installation_id)
            if cached is not None:
                return cached
        return self._mint(installation_id)

    def forget(self, installation_id: int) -> None:
        """Drop the cached token (GitHub refused it), so that the next get mints a new one."""
        self.redis.delete(TOKEN_KEY.format(installation_id=installation_id))

    def _cached(self, installation_id: int) -> str | None:
        value = self.redis.get(TOKEN_KEY.format(installation_id=installation_id))
        return value.decode() if isinstance(value, bytes) else value

    def _mint(self, installation_id: int) -> str:
        data = self._exchange(installation_id)
        token = str(data["token"])
        ttl = int(expiry_epoch(str(data["expires_at"])) - self.clock() - REFRESH_MARGIN)
        if ttl > 0:
            self.redis.set(TOKEN_KEY.format(installation_id=installation_id), token, ex=ttl)
        log.info("minted an installation token", extra={"installation_id": installation_id})
        return token

    def _exchange(self, installation_id: int) -> dict[str, Any]:
        """POST the App's JWT to GitHub for an installation token (token and expires_at)."""
        # GitHub checks the JWT against its own clock, so it is signed with the real time.
        signed = app_jwt(self.settings.app_id, self.settings.private_key)
        client = github_client(self.settings, Auth.AppAuthToken(signed))
        url = f"/app/installations/{installation_id}/access_tokens"
        status = "error"
        try:
            with translated():
                _, data = client.requester.requestJsonAndCheck("POST", url)
            status = "2xx"
        finally:
            client.close()
            if self.observe is not None:
                self.observe("POST", url, status)
        return dict(data)
