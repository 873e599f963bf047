"""A small flat error hierarchy for the App's boundaries."""

from __future__ import annotations


class ReviewTiersError(Exception):
    """Base of the App's own errors."""


class SettingsError(ReviewTiersError):
    """A missing or invalid setting; the message is one line for the operator."""


class TransientGitHubError(ReviewTiersError):
    """GitHub failed in a way worth retrying (5xx, timeout, rate limit).

    ``retry_after`` is the wait GitHub asked for, in seconds, when it said one.
    """

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentGitHubError(ReviewTiersError):
    """GitHub refused the request for good (404 on the PR, 403 without rate limit, 422)."""
