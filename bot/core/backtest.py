"""Backtest results: one classified change per merged commit, and the window's summary."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.core.models import Reason, Tier

TIERS = tuple(t.value for t in Tier)
# GitHub's subjects: "Merge pull request #12 from owner/branch" and "Title of the PR (#12)".
MERGE_SUBJECT = re.compile(r"^Merge pull request #(\d+) from \S")
SQUASH_SUBJECT = re.compile(r"^(.*\S)\s+\(#(\d+)\)$")


@dataclass(frozen=True)
class ChangeResult:
    """One change of the window as the JSON output shows it.

    ``tier`` and ``size`` are None when the policy at the change's base does not validate: no
    tier is decided then, and the reasons carry the errors (code ``config``), as in the App.
    """

    commit: str
    pull_number: int | None
    title: str
    merged_at: int  # committer time, Unix seconds
    tier: str | None
    size: Mapping[str, object] | None
    reasons: tuple[Reason, ...]
    ai_assisted: bool

    def as_json(self) -> dict[str, object]:
        return {
            "commit": self.commit,
            "pull_number": self.pull_number,
            "title": self.title,
            "merged_at": iso_utc(self.merged_at),
            "tier": self.tier,
            "size": dict(self.size) if self.size is not None else None,
            "reasons": [{"code": r.code, "message": r.message} for r in self.reasons],
            "ai_assisted": self.ai_assisted,
        }


@dataclass(frozen=True)
class Summary:
    """Counts over the window; every tier and size bucket is listed, zeros included."""

    tiers: dict[str, int]
    sizes: dict[str, int]
    ai_assisted: int
    invalid_config: int = 0
    changes: int = 0

    def as_json(self) -> dict[str, object]:
        return {
            "changes": self.changes,
            "tiers": dict(self.tiers),
            "sizes": dict(self.sizes),
            "ai_assisted": self.ai_assisted,
            "invalid_config": self.invalid_config,
        }


def iso_utc(timestamp: int) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def pull_number(subject: str) -> int | None:
    """The pull request a merge or squash subject names, else None."""
    merged = MERGE_SUBJECT.match(subject)
    if merged:
        return int(merged.group(1))
    squashed = SQUASH_SUBJECT.match(subject)
    return int(squashed.group(2)) if squashed else None


def change_title(subject: str, message: str) -> str:
    """The pull request's title: a merge commit carries it on the first line of its body, a
    squash commit before its "(#N)"; any other commit's title is its subject."""
    if MERGE_SUBJECT.match(subject):
        body = message.strip().split("\n")[1:]
        first = next((line.strip() for line in body if line.strip()), "")
        return first or subject
    squashed = SQUASH_SUBJECT.match(subject)
    return squashed.group(1) if squashed else subject


def summarize(results: Sequence[ChangeResult], buckets: Sequence[str]) -> Summary:
    """Count tiers, size buckets (``buckets`` in order, then any other label seen) and AI use."""
    tiers = dict.fromkeys(TIERS, 0)
    sizes = dict.fromkeys(buckets, 0)
    for result in results:
        if result.tier is not None:
            tiers[result.tier] = tiers.get(result.tier, 0) + 1
        if result.size is not None:
            label = str(result.size.get("label"))
            sizes[label] = sizes.get(label, 0) + 1
    return Summary(
        tiers=tiers,
        sizes=sizes,
        ai_assisted=sum(1 for r in results if r.ai_assisted),
        invalid_config=sum(1 for r in results if r.tier is None),
        changes=len(results),
    )


def backtest_json(results: Sequence[ChangeResult], summary: Summary) -> dict[str, object]:
    """The object ``review-tiers backtest --format json`` prints."""
    return {"changes": [r.as_json() for r in results], "summary": summary.as_json()}
