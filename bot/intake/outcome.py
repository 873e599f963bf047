"""What one webhook delivery came to: its answer, and its one log line."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

from bot.state.requests import CommitRequest, MergeGroupRequest, PushRequest, Request

log = logging.getLogger("bot.intake.web")  # the name every delivery's line has always had


@dataclass
class Result:
    """What one delivery came to: the HTTP answer and the fields of its log line."""

    status: int
    outcome: str
    reason: str
    requests: list[Request] = field(default_factory=list)
    error: BaseException | None = None

    def body(self) -> dict[str, Any]:
        if self.outcome == "queued":
            return {"status": "queued", "count": len(self.requests)}
        if self.outcome in ("ignored", "duplicate"):
            return {"status": "ignored", "reason": self.reason}
        return {"status": "error", "reason": self.reason}


def log_delivery(result: Result, summary: dict[str, Any], started: float) -> None:
    """The one log line of a delivery; a metrics hook would read the same result."""
    numbers = {
        r.number
        for r in result.requests
        if not isinstance(r, CommitRequest | MergeGroupRequest | PushRequest)
    }
    fields = {
        "action": summary.get("action"),
        "installation_id": summary.get("installation_id"),
        "repository": summary.get("repository"),
        "pull_number": next(iter(numbers)) if len(numbers) == 1 else None,
        "outcome": result.outcome,
        "reason": result.reason,
        "http_status": result.status,
        "duration_ms": round((time.monotonic() - started) * 1000, 2),
    }
    level = logging.ERROR if result.status >= 500 else logging.INFO
    if 400 <= result.status < 500:
        level = logging.WARNING
    error = result.error
    exc_info = (type(error), error, error.__traceback__) if error is not None else None
    log.log(level, "webhook delivery %s", result.outcome, extra=fields, exc_info=exc_info)
