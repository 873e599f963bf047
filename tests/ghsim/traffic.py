"""What the simulator records about requests, and the faults and limits it imposes on them."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any

READ_METHODS = frozenset({"GET", "HEAD"})
# The body GitHub sends with a secondary rate limit (403 or 429, usually with retry-after);
# PyGithub recognises it by this wording.
SECONDARY_RATE_LIMIT_BODY = {
    "message": "You have exceeded a secondary rate limit. "
    "Please wait a few minutes before you try again.",
    "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
}


@dataclass
class RequestRecord:
    """One request as received, and the status it was answered with."""

    method: str
    path: str
    query: dict[str, str]
    json: Any
    headers: dict[str, str]
    status: int = 0
    template: str | None = None
    at: float = field(default_factory=time.time)  # epoch seconds the request arrived

    @property
    def is_write(self) -> bool:
        # A GraphQL query is a POST that reads.
        return self.method not in READ_METHODS and self.path != "/graphql"


@dataclass
class Fault:
    """An injected failure or delay for the next ``times`` matching requests."""

    method: str | None
    path_regex: re.Pattern[str]
    status: int | None = 502
    times: int = 1
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    delay: float = 0.0

    def matches(self, method: str, path: str) -> bool:
        method_ok = self.method is None or self.method.upper() == method
        return self.times > 0 and method_ok and bool(self.path_regex.search(path))


@dataclass
class RateLimit:
    """GitHub's primary rate limit for the installation: a budget that resets hourly."""

    limit: int = 5000
    remaining: int = 5000
    reset_at: int = field(default_factory=lambda: int(time.time()) + 3600)
    resource: str = "core"

    def spend(self) -> bool:
        """Take one request from the budget; False when it is exhausted."""
        if time.time() >= self.reset_at:
            self.remaining, self.reset_at = self.limit, int(time.time()) + 3600
        if self.remaining <= 0:
            return False
        self.remaining -= 1
        return True

    def headers(self) -> dict[str, str]:
        return {
            "x-ratelimit-limit": str(self.limit),
            "x-ratelimit-remaining": str(self.remaining),
            "x-ratelimit-reset": str(self.reset_at),
            "x-ratelimit-used": str(self.limit - self.remaining),
            "x-ratelimit-resource": self.resource,
        }
