"""What a signed delivery asks of the workers: the message from intake to evaluation.

Only ids and signed claims travel; the worker refetches everything else from GitHub.
"""

from __future__ import annotations

from dataclasses import dataclass


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
class EvaluateRequest:
    """Ids of one pull request to evaluate; the worker refetches everything else.

    With ``lifecycle`` set, the request ends state instead (``number`` is None for an
    installation's events, and ``owner`` is its account).
    """

    delivery_id: str
    event: str
    installation_id: int
    owner: str
    repo: str
    number: int | None
    sha: str | None = None
    actor: str | None = None
    label: LabelClaim | None = None
    lifecycle: Lifecycle | None = None
