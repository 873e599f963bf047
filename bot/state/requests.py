"""What a signed delivery asks of the workers: the message from intake to evaluation.

Only ids and signed claims travel; the worker refetches everything else from GitHub.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias


@dataclass(frozen=True)
class LabelClaim:
    """What a signed ``labeled``/``unlabeled`` delivery says: which label, who, on which head
    and against which base branch."""

    action: str
    name: str
    sender: str
    head_sha: str
    base_ref: str


@dataclass(frozen=True)
class Lifecycle:
    """What a signed delivery ending state says: a pull request closed (merged or not), an
    installation deleted, or repositories taken out of (or added back to) an installation."""

    action: str  # "closed", "installation deleted", "repositories removed", "repositories added"
    merged: bool = False
    merged_at: str | None = None
    head_sha: str = ""
    repos: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class _Delivered:
    """Which delivery asked, and about which installation and repository."""

    delivery_id: str
    event: str
    installation_id: int
    owner: str  # for an installation's own events: its account
    repo: str  # "" for an installation's own events


@dataclass(frozen=True)
class EvaluateRequest(_Delivered):
    """A pull request to evaluate; the worker refetches everything else."""

    number: int
    actor: str | None = None  # who asked for a recheck by comment (needs write access)
    label: LabelClaim | None = None


@dataclass(frozen=True)
class CommitRequest(_Delivered):
    """A commit whose open pull requests to evaluate: the event names none of them."""

    sha: str


@dataclass(frozen=True)
class LifecycleRequest(_Delivered):
    """State to end once the delivery is recorded: a pull request's (``number``) or an
    installation's or its repositories' (``number`` None)."""

    number: int | None
    lifecycle: Lifecycle


@dataclass(frozen=True)
class MergeGroupRequest(_Delivered):
    """A merge group to check on its head commit, or (``ended``) to forget.

    ``base_sha`` "" asks for a re-run of the group's check: its base is the one recorded when
    the group asked for checks.
    """

    head_sha: str
    base_sha: str = ""
    base_ref: str = ""
    ended: bool = False


@dataclass(frozen=True)
class PushRequest(_Delivered):
    """A push to ``branch`` that may change the policy of open pull requests: those into the
    branch (``policy_changed``) and, on the default branch, those of every repository that
    extends this one as a spec repository."""

    branch: str
    default_branch: bool
    policy_changed: bool


# Every kind of request a delivery may make; bot.intake.deliveries says where each one goes,
# with a ``match`` that mypy checks covers them all.
Request: TypeAlias = (
    EvaluateRequest | CommitRequest | LifecycleRequest | MergeGroupRequest | PushRequest
)
