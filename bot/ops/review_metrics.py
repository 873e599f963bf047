"""Review-quality metrics for dashboards: tier decisions, merges, approvals and AI provenance.

Every family carries a ``repository`` label. Its values are bounded twice: they come only from
what the App itself evaluated through a repository's installation (never from a delivery's
free text), and each process keeps at most ``MAX_REPOSITORIES`` distinct values; any further
repository is counted under ``OTHER_REPOSITORY``.
"""

from __future__ import annotations

import threading

from prometheus_client import CollectorRegistry, Counter

MAX_REPOSITORIES = 200
OTHER_REPOSITORY = "other"
# Tiers whose approvals are judged for rubber-stamping: those that ask for a real review.
JUDGED_TIERS = frozenset({"L2", "L3"})
TIERS = frozenset({"L1", "L2", "L3"})


class RepositoryLabels:
    """Hands out at most ``limit`` distinct repository label values, then ``other``."""

    def __init__(self, limit: int = MAX_REPOSITORIES) -> None:
        self.limit = limit
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, repository: str) -> str:
        with self._lock:
            if repository in self._seen:
                return repository
            if len(self._seen) < self.limit:
                self._seen.add(repository)
                return repository
        return OTHER_REPOSITORY


def tier_label(tier: str | None) -> str | None:
    """The tier as a label value, or None for anything but L1, L2 and L3."""
    return tier if tier in TIERS else None


class ReviewMetrics:
    """Counters a review dashboard reads; see README "Metrics" for each one's meaning."""

    def __init__(self, registry: CollectorRegistry, rubber_stamp_minutes: float = 5.0) -> None:
        self.repository = RepositoryLabels()
        self.rubber_stamp_seconds = rubber_stamp_minutes * 60
        self.decisions = Counter(
            "review_tiers_tier_decisions",
            "Evaluations that decided a tier, by repository and tier",
            ["repository", "tier"],
            registry=registry,
        )
        self.ai_assisted = Counter(
            "review_tiers_ai_assisted_evaluations",
            "Evaluations of AI-assisted pull requests, by repository and tier",
            ["repository", "tier"],
            registry=registry,
        )
        self.context_missing = Counter(
            "review_tiers_generation_context_missing",
            "Evaluations of AI-assisted L2/L3 pull requests whose body lacks the policy's "
            "generation-context section",
            ["repository", "tier"],
            registry=registry,
        )
        self.merges = Counter(
            "review_tiers_merged_pulls",
            "Merged pull requests the App had evaluated, by repository and last tier",
            ["repository", "tier"],
            registry=registry,
        )
        self.merged_unapproved = Counter(
            "review_tiers_l3_merged_without_approval",
            "L3 pull requests merged while their last review-tiers check was not success",
            ["repository"],
            registry=registry,
        )
        self.approvals = Counter(
            "review_tiers_approvals",
            "Approvals of L2/L3 pull requests judged for rubber-stamping, by repository and tier",
            ["repository", "tier"],
            registry=registry,
        )
        self.rubber_stamps = Counter(
            "review_tiers_rubber_stamp_approvals",
            "Approvals of L2/L3 pull requests given within the rubber-stamp threshold of the "
            "last push",
            ["repository", "tier"],
            registry=registry,
        )

    def observe_decision(
        self, repository: str, tier: str | None, ai_assisted: bool, context_missing: bool
    ) -> None:
        label = tier_label(tier)
        if label is None:
            return
        repo = self.repository(repository)
        self.decisions.labels(repo, label).inc()
        if ai_assisted:
            self.ai_assisted.labels(repo, label).inc()
        if context_missing:
            self.context_missing.labels(repo, label).inc()

    def observe_merge(self, repository: str, tier: str | None, check_conclusion: str) -> None:
        label = tier_label(tier)
        if label is None:
            return
        repo = self.repository(repository)
        self.merges.labels(repo, label).inc()
        if label == "L3" and check_conclusion != "success":
            self.merged_unapproved.labels(repo).inc()

    def observe_approval(
        self, repository: str, tier: str | None, seconds_after_push: float
    ) -> None:
        """One approval of the head, ``seconds_after_push`` after the App saw that head."""
        if tier not in JUDGED_TIERS or tier is None:
            return
        repo = self.repository(repository)
        self.approvals.labels(repo, tier).inc()
        if seconds_after_push < self.rubber_stamp_seconds:
            self.rubber_stamps.labels(repo, tier).inc()
