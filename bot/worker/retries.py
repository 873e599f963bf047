"""How failing jobs retry: one limit on attempts for every kind of job, and the backoff."""

from __future__ import annotations

# A failing job runs at most this many times in all (its first run and the retries), whether
# it evaluates a pull request or finds a commit's pull requests.
MAX_ATTEMPTS = 8
# Without a wait named by GitHub, retries back off from 5 s to at most a minute: an evaluation
# that still fails gives up into a failing check and the recovery loop tries it again, so a
# longer wait would only keep a pull request stale after GitHub recovers.
MAX_BACKOFF = 60.0


def backoff(attempt: int, retry_after: float | None) -> float:
    """GitHub's wait when it gave one, else exponential from 5 s, capped at a minute."""
    if retry_after is not None:
        return max(1.0, retry_after)
    return min(MAX_BACKOFF, 5.0 * 2.0**attempt)


def exhausted(failures: int) -> bool:
    """Whether a job that has now failed ``failures`` times in a row should give up."""
    return failures >= MAX_ATTEMPTS
