"""The writes a plan may make to GitHub, one frozen dataclass per kind, and the check's state.

``Action`` is their union: bot.evaluation.effects runs each kind through the port with a
``match`` that mypy checks for exhaustiveness, so a kind added here without a handler there is a
type error (and tests/test_effects.py fails).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, TypeAlias


@dataclass(frozen=True)
class CheckState:
    """The desired or observed state of the review-tiers check run."""

    status: str  # in_progress | completed
    conclusion: str | None  # success | failure | neutral (shadow mode) | None while in progress
    title: str
    summary: str
    # The check run's details below the summary: the full list where the summary shows a part.
    text: str = ""


class _Write:
    """A write to GitHub; ``kind`` names it in logs and audit records."""

    kind: ClassVar[str]
    # A primary write must succeed (its error fails the run); the others are best effort.
    primary: ClassVar[bool] = False

    def describe(self) -> str:
        """The write as logs and audit records show it, e.g. ``add_labels(tier/L2)``."""
        detail = self.detail()
        return f"{self.kind}({detail})" if detail else self.kind

    def detail(self) -> str:
        return ""


@dataclass(frozen=True)
class CreateCheck(_Write):
    kind = "create_check"
    primary = True
    check: CheckState

    def detail(self) -> str:
        return _check_detail(self.check)


@dataclass(frozen=True)
class UpdateCheck(_Write):
    kind = "update_check"
    primary = True
    check_id: int
    check: CheckState

    def detail(self) -> str:
        return _check_detail(self.check)


@dataclass(frozen=True)
class AddLabels(_Write):
    kind = "add_labels"
    names: tuple[str, ...]

    def detail(self) -> str:
        return ", ".join(self.names)


@dataclass(frozen=True)
class RemoveLabel(_Write):
    kind = "remove_label"
    name: str

    def detail(self) -> str:
        return self.name


@dataclass(frozen=True)
class RequestReviewers(_Write):
    kind = "request_reviewers"
    users: tuple[str, ...]
    teams: tuple[str, ...]

    def detail(self) -> str:
        return ", ".join((*self.users, *(f"team:{t}" for t in self.teams)))


@dataclass(frozen=True)
class CreateComment(_Write):
    kind = "create_comment"
    body: str


@dataclass(frozen=True)
class EditComment(_Write):
    kind = "edit_comment"
    comment_id: int
    body: str


@dataclass(frozen=True)
class DeleteComment(_Write):
    kind = "delete_comment"
    comment_id: int


# Every write a plan may hold; bot.evaluation.effects runs each through the port, and mypy
# checks there that every member has a branch.
Action: TypeAlias = (
    CreateCheck
    | UpdateCheck
    | AddLabels
    | RemoveLabel
    | RequestReviewers
    | CreateComment
    | EditComment
    | DeleteComment
)


def _check_detail(check: CheckState) -> str:
    return f"{check.status}/{check.conclusion or '-'}"
