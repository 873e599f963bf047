"""App JWTs, and installation tokens minted once and shared by every worker through Redis."""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from github import Auth, Github
from redis import Redis
from redis.lock import Lock

from bot.gh.errors import translated
from bot.ops.errors import PermanentGitHubError, TransientGitHubError
from bot.ops.metrics import RequestObserver
from bot.ops.replies import members
from bot.ops.settings import AppSettings
from bot.state.keys import TOKEN_KEY, TOKEN_USED_KEY

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
# Installations with a cached token, scored by when the workers' upkeep mints the next one:
# REFRESH_AHEAD seconds before the cache lets the token go, so that no evaluation waits for
# a mint. A re-mint GitHub did not answer is tried again REFRESH_RETRY seconds later.
REFRESH_KEY = "rt:token-refresh"
REFRESH_AHEAD = 600
REFRESH_RETRY = 30
# Only tokens asked for within this many seconds are minted ahead: an installation that went
# quiet stops costing a mint an hour, and its next evaluation mints on demand as before.
USED_WINDOW = 3600

# A token no longer cached (refused, purged with its installation) is left to the next get().
_DROP_UNCACHED = """
if redis.call('exists', KEYS[1]) == 0 then return redis.call('zrem', KEYS[2], ARGV[1]) end
return 0
"""


def app_jwt(app_id: int, private_key: str, now: float | None = None) -> str:
    """A JSON Web Token authenticating as the App itself (RS256, about ten minutes)."""
    issued = int(time.time() if now is None else now)
    claims = {"iat": issued - JWT_BACKDATE, "exp": issued + JWT_LIFETIME, "iss": str(app_id)}
    return jwt.encode(claims, _signing_key(private_key), algorithm="RS256")


@functools.lru_cache(maxsize=4)
def _signing_key(private_key: str) -> RSAPrivateKey | str:
    """The PEM key parsed once: parsing (with its checks) takes ~30 ms, signing ~1 ms."""
    try:
        key = serialization.load_pem_private_key(private_key.encode(), password=None)
    except (ValueError, TypeError):
        return private_key  # PyJWT reports what is wrong with it
    return key if isinstance(key, RSAPrivateKey) else private_key


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
    """Installation access tokens, cached in Redis until five minutes before they expire and
    minted again ahead of that by the workers' upkeep (``refresh_due``)."""

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
        lock = self._lock(installation_id)
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

    def refresh_due(self) -> int:
        """Mint a new token for every installation whose refresh time has come, under the
        lock get() takes, so that with any number of workers each is minted once; returns
        how many this call minted. The old token stays valid until it expires."""
        now, minted = self.clock(), 0
        for member in members(self.redis.zrangebyscore(REFRESH_KEY, "-inf", now)):
            installation_id = int(member)
            token_key = TOKEN_KEY.format(installation_id=installation_id)
            if self.redis.eval(_DROP_UNCACHED, 2, token_key, REFRESH_KEY, member):
                continue
            if not self.redis.exists(TOKEN_USED_KEY.format(installation_id=installation_id)):
                self.redis.zrem(REFRESH_KEY, member)  # unused for an hour: mint on demand
                continue
            lock = self._lock(installation_id)
            if not lock.acquire():
                continue  # another worker is minting it
            try:
                minted += self._refresh(installation_id, member, now)
            finally:
                lock.release()
        return minted

    def _refresh(self, installation_id: int, member: bytes, now: float) -> int:
        due = self.redis.zscore(REFRESH_KEY, member)
        if due is None or due > now:
            return 0  # another worker refreshed it meanwhile
        fields = {"installation_id": installation_id}
        try:
            self._mint(installation_id)
        except TransientGitHubError as err:
            log.warning("cannot refresh an installation token yet: %s", err, extra=fields)
            self.redis.zadd(REFRESH_KEY, {member: now + REFRESH_RETRY})
            return 0
        except PermanentGitHubError as err:
            log.warning("stopped refreshing an installation token: %s", err, extra=fields)
            self.redis.zrem(REFRESH_KEY, member)
            return 0
        return 1

    def _lock(self, installation_id: int) -> Lock:
        lock: Lock = self.redis.lock(
            LOCK_KEY.format(installation_id=installation_id),
            timeout=LOCK_SECONDS,
            blocking=False,
            raise_on_release_error=False,
        )
        return lock

    def forget(self, installation_id: int) -> None:
        """Drop the cached token (GitHub refused it), so that the next get mints a new one."""
        self.redis.delete(TOKEN_KEY.format(installation_id=installation_id))

    def _cached(self, installation_id: int) -> str | None:
        """The cached token; noting, in the same round trip, that the installation is in use."""
        pipe = self.redis.pipeline(transaction=False)
        pipe.get(TOKEN_KEY.format(installation_id=installation_id))
        pipe.set(TOKEN_USED_KEY.format(installation_id=installation_id), 1, ex=USED_WINDOW)
        value, _ = pipe.execute()
        return value.decode() if isinstance(value, bytes) else value

    def _mint(self, installation_id: int) -> str:
        data = self._exchange(installation_id)
        token = str(data["token"])
        now = self.clock()
        ttl = int(expiry_epoch(str(data["expires_at"])) - now - REFRESH_MARGIN)
        if ttl > 0:
            pipe = self.redis.pipeline()
            pipe.set(TOKEN_KEY.format(installation_id=installation_id), token, ex=ttl)
            refresh_at = now + max(ttl - REFRESH_AHEAD, ttl / 2)
            pipe.zadd(REFRESH_KEY, {str(installation_id): refresh_at})
            pipe.execute()
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
