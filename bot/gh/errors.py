"""Map PyGithub and network failures onto TransientGitHubError and PermanentGitHubError."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

from github.GithubException import GithubException
from requests.exceptions import ChunkedEncodingError, Timeout
from requests.exceptions import ConnectionError as NetworkError

from bot.ops.errors import PermanentGitHubError, TransientGitHubError
from bot.ops.redaction import redact

# GitHub's advice for a secondary rate limit that names no wait: back off at least a minute.
SECONDARY_LIMIT_WAIT = 60.0
MAX_DETAIL = 300
NETWORK_ERRORS = (NetworkError, Timeout, ChunkedEncodingError)


def lower_headers(headers: Mapping[str, str] | None) -> dict[str, str]:
    return {k.lower(): v for k, v in (headers or {}).items()}


def github_message(data: Any) -> str:
    """GitHub's own ``message``, with the ``errors`` details a 422 carries, redacted: error
    bodies may echo what was sent, and the message travels into checks, logs and the audit."""
    return redact(_message(data))


def _message(data: Any) -> str:
    if not isinstance(data, dict):
        return str(data or "")[:MAX_DETAIL]
    message = str(data.get("message") or data.get("data") or "")
    details = [
        str(e.get("message") or e.get("code") or e) if isinstance(e, dict) else str(e)
        for e in data.get("errors") or []
    ]
    if details:
        message = f"{message}: {'; '.join(details)}"
    return message[:MAX_DETAIL]


def is_rate_limited(status: int, headers: Mapping[str, str], message: str) -> bool:
    """A 429, or a 403 carrying a primary or secondary rate-limit signal."""
    if status == 429:
        return True
    # GitHub answers an exhausted or abused limit with 403 too; only these signals tell it
    # apart from a permission refusal, which retrying would never fix.
    return status == 403 and (
        "retry-after" in headers
        or headers.get("x-ratelimit-remaining") == "0"
        or "rate limit" in message.lower()
    )


def retry_after(headers: Mapping[str, str], now: float | None = None) -> float:
    """Seconds to wait: ``retry-after``, else until ``x-ratelimit-reset``, else a minute."""
    try:
        return max(float(headers["retry-after"]), 0.0)
    except (KeyError, ValueError):
        pass
    if headers.get("x-ratelimit-remaining") == "0":
        try:
            reset = float(headers["x-ratelimit-reset"])
        except (KeyError, ValueError):
            return SECONDARY_LIMIT_WAIT
        # The reset time has one-second precision: one more second avoids waking up early.
        return max(reset - (time.time() if now is None else now), 0.0) + 1.0
    return SECONDARY_LIMIT_WAIT


def translate(
    err: GithubException, now: float | None = None
) -> TransientGitHubError | PermanentGitHubError:
    """The App's error for one failed GitHub response."""
    headers = lower_headers(err.headers)
    message = github_message(err.data)
    text = f"GitHub answered {err.status}: {message}"
    if err.status >= 500:
        # A 5xx names no wait unless GitHub added retry-after; the job backs off by itself.
        wait = retry_after(headers, now) if "retry-after" in headers else None
        return TransientGitHubError(text, wait)
    if is_rate_limited(err.status, headers, message):
        return TransientGitHubError(text, retry_after(headers, now))
    return PermanentGitHubError(text)


def rate_limited(err: GithubException) -> bool:
    headers = lower_headers(err.headers)
    return is_rate_limited(err.status, headers, github_message(err.data))


@contextmanager
def translated(on_unauthorized: Callable[[], None] | None = None) -> Iterator[None]:
    """Raise the App's errors instead of PyGithub's and the network's, keeping the cause.

    ``on_unauthorized`` runs on a 401: an installation token GitHub no longer accepts is
    forgotten and the call is worth retrying with a new one.
    """
    try:
        yield
    except GithubException as err:
        if err.status == 401 and on_unauthorized is not None:
            on_unauthorized()
            raise TransientGitHubError("GitHub refused the installation token (401)") from err
        raise translate(err) from err
    except NETWORK_ERRORS as err:
        raise TransientGitHubError(f"GitHub unreachable: {type(err).__name__}") from err


class Unauthorizable(Protocol):
    def unauthorized(self) -> None: ...


S = TypeVar("S", bound=Unauthorizable)
P = ParamSpec("P")
R = TypeVar("R")


def port_call(method: Callable[Concatenate[S, P], R]) -> Callable[Concatenate[S, P], R]:
    """Wrap a port method so every failure reaches the pipeline as the App's own error."""

    @functools.wraps(method)
    def wrapper(self: S, /, *args: P.args, **kwargs: P.kwargs) -> R:
        with translated(self.unauthorized):
            return method(self, *args, **kwargs)

    return wrapper
