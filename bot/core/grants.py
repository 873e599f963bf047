"""Decide whether an override or size-exception label is granted, refused or suspended.

A grant is bound to the head commit and the base branch it was given on: the record comes from
the signed ``labeled`` delivery (label, sender, ``pull_request.head.sha`` and ``base.ref``), and
the sender's role is looked up once. A push moves the head, a retarget changes the base (and so
the diff, with the head unmoved): either suspends the grant; adding the label again renews it.
The base branch moving forward (others' merges) leaves the grant alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.core.config import LabelPolicy
from bot.core.models import Reason
from bot.core.names import override_tier

CLAIMED = "claimed"  # recorded from a signed delivery; the worker has not decided yet
GRANTED = "granted"
REFUSED = "refused"
SUSPENDED = "suspended"
SUSPENDED_CODE = "grant-suspended"


@dataclass(frozen=True)
class Grant:
    """What is known about one label's latest addition, and what the App made of it."""

    label: str
    head_sha: str  # the pull request's head when the label was added ("" when unknown)
    actor: str  # the delivery's sender ("" when unknown)
    at: str  # when the signed delivery was received, ISO 8601 in UTC
    delivery_id: str  # the delivery the record came from ("" when there was none)
    role: str = ""  # the actor's role, looked up once by the worker
    state: str = CLAIMED
    # The branch the pull request targeted when the label was added ("" when unknown: a
    # record written before bases were recorded never matches, so it counts as suspended).
    base_ref: str = ""


@dataclass(frozen=True)
class Anchor:
    """What a grant is bound to, and where the pull request stands now."""

    head_sha: str
    base_ref: str

    def holds(self, record: Grant) -> bool:
        """Whether ``record`` was given on this head, against this base branch."""
        return (record.head_sha, record.base_ref) == (self.head_sha, self.base_ref)


def is_grant_label(label: str, names: LabelPolicy) -> bool:
    """Override and size-exception labels: the ones that lower a tier or excuse a limit."""
    return override_tier(label, names) is not None or label == names.size_exception


def needs_role(record: Grant | None, now: Anchor, latest_actor: str | None) -> bool:
    """Whether deciding ``record`` needs its actor's role: only a fresh claim on this anchor."""
    return (
        record is not None
        and record.state == CLAIMED
        and not record.role
        and now.holds(record)
        and latest_actor in (None, record.actor)
    )


def settle(
    label: str,
    record: Grant | None,
    now: Anchor,
    latest_actor: str | None,
    roles: Sequence[str],
) -> Grant:
    """The record of a label present on the pull request, with its decided state.

    ``latest_actor`` is who GitHub's issue events say added the label last (None when they
    do not say): a record naming someone else describes an earlier addition, not this one.
    """
    if record is None or latest_actor not in (None, record.actor):
        # No signed record of this addition (state lost, or added before the App was
        # installed): it grants nothing until someone allowed adds the label again.
        return Grant(label, "", latest_actor or "", "", "", state=SUSPENDED)
    if record.state in (REFUSED, SUSPENDED):
        return record  # the App's removal did not happen yet; it is tried again
    if not now.holds(record):
        return replace(record, state=SUSPENDED)
    if record.role not in roles:
        return replace(record, state=REFUSED)
    return replace(record, state=GRANTED)


def short(sha: str) -> str:
    return sha[:7] if sha else "an unknown commit"


def granted_line(grant: Grant) -> str:
    """Who granted what on which commit, for the check summary."""
    who = f"@{grant.actor}" if grant.actor else "an unknown sender"
    return (
        f"`{grant.label}` granted by {who} ({grant.role or 'role unknown'}) on "
        f"{short(grant.head_sha)} at {grant.at or 'an unknown time'}"
    )


def notice(grant: Grant, now: Anchor, roles: Sequence[str]) -> str:
    """Why a label was taken off, in one sentence for the comment and the check summary."""
    who = f"@{grant.actor}" if grant.actor else "an unknown sender"
    if grant.state == REFUSED:
        return (
            f"`{grant.label}` was added by {who}, whose role is `{grant.role or 'none'}`; only "
            f"{', '.join(roles)} may apply it, so it was removed."
        )
    if not grant.delivery_id:
        return (
            f"`{grant.label}` has no grant record (added before the App saw it, or its record "
            f"expired), so it was removed (`{SUSPENDED_CODE}`); add it again to grant it on "
            f"{short(now.head_sha)}."
        )
    if grant.base_ref != now.base_ref:
        changed = (
            f"against base `{grant.base_ref or 'unknown'}`, but the pull request now targets "
            f"`{now.base_ref}`, which changes its diff"
        )
    else:
        changed = f"on {short(grant.head_sha)}, but the head is now {short(now.head_sha)}"
    return (
        f"`{grant.label}` was granted by {who} {changed}: the grant is suspended "
        f"(`{SUSPENDED_CODE}`), the label was removed and the computed tier applies. Add the "
        "label again to renew it."
    )


def suspension_reasons(grants: Sequence[Grant], now: Anchor) -> list[Reason]:
    """One reason per suspended grant, for the decision's reasons and the audit record."""
    return [Reason(SUSPENDED_CODE, notice(g, now, ())) for g in grants if g.state == SUSPENDED]
