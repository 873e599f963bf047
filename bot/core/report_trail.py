"""What the review-depth report reads: each pull request's audit trail (its evaluations in the
window) and its history on GitHub (reviews, creation and merge), as typed values."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

PullId = tuple[str, int]  # (owner/name, number)


@dataclass(frozen=True)
class Requirement:
    """One requirement of an evaluation: an approval group or a required check."""

    name: str
    obtained: int
    required: int
    approval: bool  # an approval group (records written before the kind was kept: True)

    @property
    def met(self) -> bool:
        return self.obtained >= self.required


@dataclass(frozen=True)
class Evaluated:
    """One audit record of a decided evaluation."""

    at: datetime
    tier: str
    head_sha: str
    requirements: tuple[Requirement, ...]
    invariants: tuple[str, ...]
    ai_assisted: bool
    generation_context: bool


@dataclass(frozen=True)
class ReviewEvent:
    user: str
    state: str  # APPROVED | CHANGES_REQUESTED | COMMENTED | DISMISSED
    submitted_at: datetime
    commit_id: str


@dataclass(frozen=True)
class PullHistory:
    """What GitHub says of a pull request."""

    url: str
    author: str
    created_at: datetime
    merged_at: datetime | None
    reviews: tuple[ReviewEvent, ...]


def parse_time(text: str) -> datetime:
    """An ISO 8601 time ("Z" accepted); a naive value is UTC."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def trails(records: Iterable[Mapping[str, Any]]) -> dict[PullId, list[Evaluated]]:
    """The decided evaluations of each pull request, oldest first; other records (closes,
    invalid configs, skipped runs) are left out."""
    found: dict[PullId, list[Evaluated]] = {}
    for record in records:
        evaluated = _evaluated(record)
        if evaluated is not None:
            key = (str(record["repository"]), int(record["pull_number"]))
            found.setdefault(key, []).append(evaluated)
    for items in found.values():
        items.sort(key=lambda e: e.at)
    return found


def _evaluated(record: Mapping[str, Any]) -> Evaluated | None:
    if record.get("outcome") != "evaluated" or not record.get("tier") or not record.get("at"):
        return None
    facts = record.get("facts") or {}
    return Evaluated(
        at=parse_time(str(record["at"])),
        tier=str(record["tier"]),
        head_sha=str(record.get("head_sha") or ""),
        requirements=tuple(_requirement(r) for r in record.get("requirements") or ()),
        invariants=tuple(str(i) for i in facts.get("invariants") or ()),
        ai_assisted=bool(facts.get("ai_assisted")),
        # Unknown (a record older than this fact) is not kept.
        generation_context=facts.get("generation_context") is True,
    )


def _requirement(item: Mapping[str, Any]) -> Requirement:
    return Requirement(
        name=str(item.get("name")),
        obtained=int(item.get("obtained") or 0),
        required=int(item.get("required") or 0),
        approval=item.get("kind", "approval") == "approval",
    )
