"""The worker's wiring, built once from settings: Redis, dispatcher, audit log, GitHub ports."""

from __future__ import annotations

import dataclasses
import logging
import os
from dataclasses import dataclass

from redis import Redis

from bot.audit import AuditLog
from bot.pipeline import Record
from bot.ports import GitHubPort
from bot.queueing import Dispatcher
from bot.settings import AppSettings

log = logging.getLogger("bot.evaluation")


@dataclass
class Runtime:
    settings: AppSettings
    redis: Redis
    dispatcher: Dispatcher
    audit: AuditLog

    @classmethod
    def build(cls, settings: AppSettings) -> Runtime:
        redis = Redis.from_url(settings.redis_url)
        return cls(settings, redis, Dispatcher(redis, settings.debounce_seconds), AuditLog(redis))

    def port_for(self, installation_id: int) -> GitHubPort:
        from bot.gh.client import make_port  # the only door to PyGithub

        return make_port(self.settings, self.redis, installation_id)

    def record(self, record: Record, seconds: float) -> None:
        """Append the audit record and log the evaluation's one outcome line."""
        data = dataclasses.asdict(record)
        data["duration_ms"] = round(seconds * 1000, 1)
        self.audit.append(data)
        log.info(
            "evaluated: tier %s, %d action(s)",
            record.tier or "-",
            len(record.actions),
            extra={
                "outcome": record.outcome,
                "tier": record.tier,
                "actions": record.actions,
                "failures": record.failures,
                "duration_ms": data["duration_ms"],
            },
        )


_current: Runtime | None = None


def install(runtime: Runtime | None) -> None:
    """Set (or with None, clear) the process's runtime; the worker sets it before working."""
    global _current
    _current = runtime


def current_runtime() -> Runtime:
    """The installed runtime, else one built from the environment on first use."""
    global _current
    if _current is None:
        _current = Runtime.build(AppSettings.from_env(os.environ))
    return _current
