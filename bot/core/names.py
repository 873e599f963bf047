"""Names the App uses on GitHub, in one place: the config file, the check, the comment marker,
override labels."""

from __future__ import annotations

from bot.core.config import LabelPolicy
from bot.core.models import Tier

# The policy on a repository's base branch, and the organisation-wide fallback at the root of
# the owner's ".github" repository.
CONFIG_PATH = ".github/review-tiers.yml"
ORG_CONFIG_PATH = "review-tiers.yml"
CHECK_NAME = "review-tiers"
COMMENT_MARKER = "<!-- review-tiers:sticky -->"
RECHECK_COMMAND = "/review-tiers recheck"


def override_tier(label: str, labels: LabelPolicy) -> Tier | None:
    """The tier an override label asks for (``tier-override/L1`` → L1), else None."""
    if not label.startswith(labels.override_prefix):
        return None
    wanted = label[len(labels.override_prefix) :]
    return Tier(wanted) if wanted in ("L1", "L2") else None


def is_managed_label(label: str, labels: LabelPolicy) -> bool:
    """Labels the App converges itself (tier and size labels)."""
    return label.startswith(labels.tier_prefix) or label.startswith(labels.size_prefix)
