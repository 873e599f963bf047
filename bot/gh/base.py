"""What the port's reads and writes share: settings, the installation's client and its token."""

from __future__ import annotations

from typing import Self

from github import Auth
from redis import Redis

from bot.gh.auth import InstallationTokens, github_client
from bot.gh.conditional import Conditional
from bot.gh.contents import FileReader
from bot.gh.rest import Rest
from bot.gh.roles import Roles
from bot.ops.metrics import RequestObserver, RequestTally
from bot.ops.settings import AppSettings


class PortBase:
    """Holds one installation's client, built on first use so that errors surface per call."""

    def __init__(
        self,
        settings: AppSettings,
        redis: Redis,
        installation_id: int,
        tokens: InstallationTokens | None = None,
        observe: RequestObserver | None = None,
    ) -> None:
        self.settings = settings
        self.redis = redis
        self.installation_id = installation_id
        # Every request of this port (token mints too) is counted, then passed to ``observe``.
        self.requests = RequestTally(observe)
        self.observe: RequestObserver = self.requests
        self.tokens = tokens or InstallationTokens(settings, redis, observe=self.requests)
        self.files = FileReader(redis, installation_id)
        self.cached = Conditional(redis, installation_id)
        self.roles = Roles(redis, installation_id)
        self._rest: Rest | None = None
        self._last_remaining: int | None = None

    def sibling(self) -> Self:
        """A port of the same installation with an HTTP client of its own, for another thread;
        its requests count in this port's tally."""
        other = type(self)(self.settings, self.redis, self.installation_id, self.tokens)
        other.requests = self.requests
        other.observe = self.requests
        return other

    @property
    def rest(self) -> Rest:
        if self._rest is None:
            token = self.tokens.get(self.installation_id)
            self._rest = Rest(github_client(self.settings, Auth.Token(token)), self.observe)
        return self._rest

    @property
    def rate_limit_remaining(self) -> int | None:
        """The installation's x-ratelimit-remaining as of the last reply, for metrics."""
        current = None if self._rest is None else self._rest.rate_limit_remaining()
        if current is not None:
            self._last_remaining = current
        return self._last_remaining

    def unauthorized(self) -> None:
        """GitHub refused the token: forget it everywhere, and the client built on it."""
        self.tokens.forget(self.installation_id)
        self.close()

    def close(self) -> None:
        if self._rest is not None:
            self._last_remaining = self.rate_limit_remaining
            self._rest.close()
            self._rest = None
