"""The App's settings, read once from the environment and validated with one-line errors."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.ops import env
from bot.ops.env import DEFAULT_API_URL, DEFAULT_APP_SLUG, DEFAULT_REDIS_URL
from bot.ops.redaction import redact_url

# GitHub keeps a delivery redeliverable for three days; the recovery loop never looks further.
REDELIVERY_LIMIT_SECONDS = 3 * 86400
MAX_RECOVERY_SECONDS = 86400


@dataclass(frozen=True)
class AppSettings:
    """Everything the server and worker need from the environment; secrets stay out of repr
    (and so of str): the key and webhook secrets are masked, URLs lose their passwords."""

    app_id: int
    private_key: str = field(repr=False)
    webhook_secret: str = field(repr=False)
    redis_url: str = DEFAULT_REDIS_URL
    api_url: str = DEFAULT_API_URL
    app_slug: str = DEFAULT_APP_SLUG
    log_level: str = "INFO"
    debounce_seconds: float = 0.0  # an optional hold before a lone event's run
    metrics_port: int = 9100  # the worker's /metrics; 0 turns it off
    web_metrics_port: int = 9101  # the web process's /metrics, never the webhook port; 0: off
    # Accepted alongside webhook_secret while GitHub's side of a secret rotation catches up.
    webhook_secret_previous: str = field(default="", repr=False)
    # The recovery loop (README "Recovery"): its period, how far back the delivery log is read
    # when no earlier scan left a mark, and the rate-limit floor under which it stops.
    recovery_seconds: int = 300
    recovery_lookback_seconds: int = 3600
    recovery_min_remaining: int = 500
    # Where docs/reasons.md is published ("": nowhere); the check run links reason codes to it.
    docs_url: str = ""
    # enforce, or shadow: every evaluation shows its tier in a neutral check and writes nothing
    # else, whatever the repositories' policies say (README "Adopting review-tiers").
    mode: str = "enforce"
    # The durable, hash-chained audit trail in PostgreSQL (README "Audit log"); "": none.
    audit_database_url: str = field(default="", repr=False)
    # An approval of an L2/L3 head given sooner than this after the push is a rubber stamp.
    rubber_stamp_minutes: int = 5

    @property
    def bot_login(self) -> str:
        """The login GitHub shows for the App's own actions, used to ignore its own events."""
        return f"{self.app_slug}[bot]"

    def __repr__(self) -> str:
        return (
            f"AppSettings(app_id={self.app_id}, private_key='***', webhook_secret='***', "
            f"redis_url={redact_url(self.redis_url)!r}, api_url={redact_url(self.api_url)!r}, "
            f"app_slug={self.app_slug!r}, log_level={self.log_level!r}, "
            f"debounce_seconds={self.debounce_seconds!r}, metrics_port={self.metrics_port!r}, "
            f"web_metrics_port={self.web_metrics_port!r}, "
            f"webhook_secret_previous={'***' if self.webhook_secret_previous else ''!r}, "
            f"recovery_seconds={self.recovery_seconds!r}, "
            f"recovery_lookback_seconds={self.recovery_lookback_seconds!r}, "
            f"recovery_min_remaining={self.recovery_min_remaining!r}, mode={self.mode!r}, "
            f"audit_database_url={redact_url(self.audit_database_url)!r}, "
            f"rubber_stamp_minutes={self.rubber_stamp_minutes!r})"
        )

    @property
    def webhook_secrets(self) -> tuple[str, ...]:
        """The secrets a delivery's signature may be made with: current, then previous."""
        return tuple(s for s in (self.webhook_secret, self.webhook_secret_previous) if s)

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> AppSettings:
        """Build settings from an environment mapping; raise SettingsError naming the variable."""
        return cls(
            app_id=env.app_id(environ),
            private_key=env.private_key(environ),
            webhook_secret=env.webhook_secret(environ),
            redis_url=env.redis_url(environ),
            api_url=env.api_url(environ),
            app_slug=env.app_slug(environ),
            log_level=env.log_level(environ),
            debounce_seconds=env.debounce(environ),
            metrics_port=env.port(environ, "REVIEW_TIERS_METRICS_PORT", 9100),
            web_metrics_port=env.port(environ, "REVIEW_TIERS_WEB_METRICS_PORT", 9101),
            webhook_secret_previous=env.previous_secret(environ),
            recovery_seconds=env.whole(
                environ, "REVIEW_TIERS_RECOVERY_SECONDS", 300, (1, MAX_RECOVERY_SECONDS)
            ),
            recovery_lookback_seconds=env.whole(
                environ,
                "REVIEW_TIERS_RECOVERY_LOOKBACK_SECONDS",
                3600,
                (60, REDELIVERY_LIMIT_SECONDS),
            ),
            recovery_min_remaining=env.whole(
                environ, "REVIEW_TIERS_RECOVERY_MIN_REMAINING", 500, (0, 1_000_000)
            ),
            docs_url=env.docs_url(environ),
            mode=env.mode(environ),
            audit_database_url=env.audit_database_url(environ),
            rubber_stamp_minutes=env.whole(
                environ, "REVIEW_TIERS_RUBBER_STAMP_MINUTES", 5, (0, 10_080)
            ),
        )
