"""Prometheus metrics of the web and worker processes, each process with its own registry."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from bot.ops.review_metrics import ReviewMetrics

RequestObserver = Callable[[str, str, str], None]  # verb, endpoint template, status

# Path segments that vary per call become placeholders, so label cardinality stays bounded.
_ENDPOINT_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^(?:https?://[^/]+)?(?:/api/v3)?"), ""),
    (re.compile(r"\?.*$"), ""),
    (re.compile(r"^/repos/[^/]+/[^/]+"), "/repos/{owner}/{repo}"),
    (re.compile(r"/contents/.*$"), "/contents/{path}"),
    (re.compile(r"/labels/.+$"), "/labels/{name}"),
    (re.compile(r"/commits/[^/]+(?=/|$)"), "/commits/{ref}"),
    (re.compile(r"/compare/.*$"), "/compare/{basehead}"),
    (re.compile(r"/git/ref/.*$"), "/git/ref/{ref}"),
    (re.compile(r"/collaborators/[^/]+/"), "/collaborators/{username}/"),
    (re.compile(r"^/orgs/[^/]+/teams/[^/]+/"), "/orgs/{org}/teams/{team_slug}/"),
    (re.compile(r"/\d+(?=/|$)"), "/{id}"),
)
# The events the App subscribes to or handles. A verified delivery of any other event counts as
# "other", and one that failed (or never reached) the signature check as "unverified": label
# values never come from an unauthenticated header, so nobody can grow the series without bound.
DELIVERY_EVENTS = frozenset(
    {
        "pull_request",
        "pull_request_review",
        "check_run",
        "check_suite",
        "status",
        "issue_comment",
        "ping",
        "installation",
        "installation_repositories",
        "merge_group",
        "push",
    }
)
OTHER_EVENT = "other"
UNVERIFIED_EVENT = "unverified"
# Requests of one evaluation: those counted against the primary rate limit, those answered 304
# (free), writes, and installation token mints, each its own value of the ``kind`` label.
REQUEST_KINDS = ("rate_limited", "free", "write", "mint")
REQUEST_BUCKETS = (0, 1, 2, 3, 5, 7, 10, 15, 20, 30, 50, 100, 200)
EVALUATION_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)


def endpoint_label(url: str) -> str:
    """``/repos/acme/shop/pulls/7/files?page=2`` → ``/repos/{owner}/{repo}/pulls/{id}/files``."""
    for pattern, replacement in _ENDPOINT_RULES:
        url = pattern.sub(replacement, url)
    return url or "/"


def event_label(event: str, verified: bool) -> str:
    """The ``event`` label of a delivery: from a closed set, and only once it is verified."""
    if not verified:
        return UNVERIFIED_EVENT
    return event if event in DELIVERY_EVENTS else OTHER_EVENT


def request_kind(verb: str, url: str, status: str) -> str:
    """Which of REQUEST_KINDS a request is: a mint, a write, a free 304 or a counted read."""
    if url.endswith("/access_tokens"):
        return "mint"
    if url.endswith("/graphql"):
        return "rate_limited"  # a query (a POST) reads, from GitHub's GraphQL budget
    if verb not in ("GET", "HEAD"):
        return "write"
    return "free" if status == "304" else "rate_limited"


class RequestTally:
    """A RequestObserver counting one port's requests by kind, then passing each on."""

    def __init__(self, observe: RequestObserver | None = None) -> None:
        self.observe = observe
        self.counts = dict.fromkeys(REQUEST_KINDS, 0)
        self._lock = threading.Lock()

    def __call__(self, verb: str, url: str, status: str) -> None:
        with self._lock:
            self.counts[request_kind(verb, url, status)] += 1
        if self.observe is not None:
            self.observe(verb, url, status)


class Metrics:
    """The metric families operators watch: deliveries, queue, evaluations, GitHub calls."""

    def __init__(
        self, registry: CollectorRegistry | None = None, rubber_stamp_minutes: float = 5.0
    ) -> None:
        self.registry = registry or CollectorRegistry()
        r = self.registry
        # Review quality per repository, for the Grafana dashboard (deploy/grafana).
        self.review = ReviewMetrics(r, rubber_stamp_minutes)
        self.deliveries = Counter(
            "review_tiers_deliveries",
            "Webhook deliveries by event and outcome",
            ["event", "outcome"],
            registry=r,
        )
        self.queue_depth = Gauge(
            "review_tiers_queue_depth", "Evaluation jobs waiting: queued plus scheduled", registry=r
        )
        self.evaluation_seconds = Histogram(
            "review_tiers_evaluation_seconds",
            "Duration of one evaluation of a pull request",
            buckets=EVALUATION_BUCKETS,
            registry=r,
        )
        self.evaluations = Counter(
            "review_tiers_evaluations", "Evaluations by outcome", ["outcome"], registry=r
        )
        self.github_requests = Counter(
            "review_tiers_github_requests",
            "GitHub REST requests by endpoint and status",
            ["method", "endpoint", "status"],
            registry=r,
        )
        self.requests_per_evaluation = Histogram(
            "review_tiers_github_requests_per_evaluation",
            "GitHub requests of one evaluation by kind: rate_limited, free (304), write, mint",
            ["kind"],
            buckets=REQUEST_BUCKETS,
            registry=r,
        )
        self.rate_limit_remaining = Gauge(
            "review_tiers_github_rate_limit_remaining",
            "x-ratelimit-remaining of the installation's last GitHub reply",
            ["installation"],
            registry=r,
        )
        self.tiers = Counter(
            "review_tiers_tiers_decided", "Tiers decided, after overrides", ["tier"], registry=r
        )
        self.overrides = Counter(
            "review_tiers_overrides",
            "Override and exception labels by decision",
            ["decision"],
            registry=r,
        )

    def track_queue(self, depth: Callable[[], int]) -> None:
        """Read the queue depth from Redis at each scrape."""
        self.queue_depth.set_function(lambda: float(depth()))

    def observe_request(self, verb: str, url: str, status: str) -> None:
        self.github_requests.labels(verb, endpoint_label(url), status).inc()

    def observe_evaluation_requests(self, counts: Mapping[str, int]) -> None:
        for kind in REQUEST_KINDS:
            self.requests_per_evaluation.labels(kind).observe(counts.get(kind, 0))

    def observe_evaluation(self, outcome: str, tier: str | None, seconds: float) -> None:
        self.evaluations.labels(outcome.split(":", 1)[0]).inc()
        self.evaluation_seconds.observe(seconds)
        if tier:
            self.tiers.labels(tier).inc()

    def observe_override(self, honoured: bool) -> None:
        self.overrides.labels("honoured" if honoured else "refused").inc()
