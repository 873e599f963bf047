"""The worker's wiring, built once from settings: Redis, dispatcher, audit log, GitHub ports."""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from dataclasses import dataclass

from redis import Redis

from bot.evaluation.ports import GitHubPort, GrantStore, SpecDependents
from bot.evaluation.record import Record
from bot.ops.audit import AuditLog
from bot.ops.audit_pending import durable_trail
from bot.ops.metrics import Metrics, RequestTally
from bot.ops.redaction import register_secret
from bot.ops.settings import AppSettings
from bot.state.dependents import RedisSpecDependents
from bot.state.grants import RedisGrantStore
from bot.state.queueing import Dispatcher
from bot.state.verdicts import note_verdict

log = logging.getLogger("bot.evaluation")


@dataclass
class Runtime:
    settings: AppSettings
    redis: Redis
    dispatcher: Dispatcher
    audit: AuditLog
    metrics: Metrics = dataclasses.field(default_factory=Metrics)
    # Override grants live next to the queue; tests may put an in-memory store here.
    grants: GrantStore = dataclasses.field(init=False)
    # Which repositories extend each spec repository, refreshed by every evaluation.
    dependents: SpecDependents = dataclasses.field(init=False)

    def __post_init__(self) -> None:
        self.grants = RedisGrantStore(self.redis)
        self.dependents = RedisSpecDependents(self.redis)

    @classmethod
    def build(cls, settings: AppSettings, redis: Redis | None = None) -> Runtime:
        for secret in settings.webhook_secrets:  # never echoed into a check, log or record
            register_secret(secret)
        redis = redis or Redis.from_url(settings.redis_url)
        dispatcher = Dispatcher(redis, settings.debounce_seconds)
        audit = AuditLog(redis, durable=durable_trail(redis, settings.audit_database_url))
        metrics = Metrics(rubber_stamp_minutes=settings.rubber_stamp_minutes)
        runtime = cls(settings, redis, dispatcher, audit, metrics)
        runtime.metrics.track_queue(dispatcher.depth)
        return runtime

    def port_for(self, installation_id: int) -> GitHubPort:
        from bot.gh.client import make_port  # the only door to PyGithub

        return make_port(
            self.settings, self.redis, installation_id, observe=self.metrics.observe_request
        )

    def record(self, record: Record, seconds: float, port: GitHubPort | None = None) -> None:
        """Append the audit record, update metrics and log the evaluation's outcome line."""
        self._measure(record, seconds, port)
        data = dataclasses.asdict(record)
        data["duration_ms"] = round(seconds * 1000, 1)
        self.audit.append(data)
        log.info(
            "evaluated: tier %s, %d action(s)",
            record.tier or "-",
            len(record.actions),
            # The structured log carries the whole audit record too (README "Audit log").
            extra={"outcome": record.outcome, "audit": data},
        )

    def _measure(self, record: Record, seconds: float, port: GitHubPort | None) -> None:
        self.metrics.observe_evaluation(record.outcome, record.tier, seconds)
        self._measure_review(record)
        for override in record.overrides:
            self.metrics.observe_override(bool(override["honoured"]))
        # Only the real adapter knows the budget; the port protocol need not carry it.
        remaining = getattr(port, "rate_limit_remaining", None)
        installation = getattr(port, "installation_id", None)
        if isinstance(remaining, int) and installation is not None:
            self.metrics.rate_limit_remaining.labels(str(installation)).set(remaining)
        tally = getattr(port, "requests", None)  # the real adapter counts its requests
        if isinstance(tally, RequestTally):
            self.metrics.observe_evaluation_requests(tally.counts)

    def _measure_review(self, record: Record) -> None:
        """Tier, AI provenance and approval metrics of an evaluation that decided a tier."""
        if record.tier is None:
            return
        review = self.metrics.review
        ai, missing = (
            record.facts.get("ai_assisted"),
            record.facts.get("generation_context_missing"),
        )
        review.observe_decision(record.repository, record.tier, ai is True, missing is True)
        for gap in note_verdict(self.redis, record, time.time()):
            review.observe_approval(record.repository, record.tier, gap)


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


def refresh_installed_tokens() -> int:
    """Mint again, ahead of expiry, the installation tokens due for it with the installed
    runtime's settings, counted in its request metrics (see ``InstallationTokens.refresh_due``);
    none without a runtime."""
    if _current is None:
        return 0
    from bot.gh.auth import InstallationTokens  # PyGithub: only workers need it

    runtime = _current
    observe = runtime.metrics.observe_request
    return InstallationTokens(runtime.settings, runtime.redis, observe=observe).refresh_due()
