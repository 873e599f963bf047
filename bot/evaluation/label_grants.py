"""Settle a pull request's override and size-exception labels against the grant store.

Reads the stored claims, asks GitHub for roles (once per claim) and for who added each label
last (the issue events), lets the pure decision settle each label, and writes the outcome back.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from bot.core.config import Policy
from bot.core.grants import (
    GRANTED,
    REFUSED,
    SUSPENDED,
    Anchor,
    Grant,
    granted_line,
    is_grant_label,
    needs_role,
    notice,
    settle,
    suspension_reasons,
)
from bot.core.models import Override, Reason
from bot.core.names import override_tier
from bot.evaluation.ports import GitHubPort, GrantStore, PullInfo, RepoRef


@dataclass(frozen=True)
class LabelGrants:
    """What the labels come to for this run, and what the App shows and removes."""

    overrides: tuple[Override, ...] = ()
    uncounted: tuple[str, ...] = ()  # present labels that grant nothing on this run
    remove: tuple[str, ...] = ()  # refused or suspended labels the App takes off
    granted: tuple[str, ...] = ()  # "who granted what on which commit" lines
    notices: tuple[str, ...] = ()  # why labels were taken off, kept until added again
    reasons: tuple[Reason, ...] = ()
    settled: tuple[Grant, ...] = field(default=())


def settle_label_grants(
    port: GitHubPort, store: GrantStore, repo: RepoRef, pull: PullInfo, policy: Policy
) -> LabelGrants:
    """Honour a label only on the head and base it was granted on, by an allowed role."""
    names = policy.labels
    now = Anchor(pull.head_sha, pull.base_ref)
    records = store.load(repo, pull.number)
    present = [label for label in pull.labels if is_grant_label(label, names)]
    # Who added each label last, by GitHub's own account: a claim naming someone else is stale.
    events = port.fetch_label_actors(repo, pull.number) if present else ()
    latest = {e.label: e.actor for e in events}
    roles: dict[str, str] = {}  # one lookup per actor, however many labels
    settled: list[Grant] = []
    lost: list[str] = []
    for label in present:
        record = records.get(label)
        if record is not None and needs_role(record, now, latest.get(label)):
            record = replace(record, role=_role(port, repo, record.actor, roles))
        grant = settle(label, record, now, latest.get(label), policy.overrides.roles)
        old = records.get(label)
        if grant != old and not store.save(repo, pull.number, grant, _id(old)):
            lost.append(label)  # a newer claim arrived meanwhile: the next run decides it
            continue
        records[label] = grant
        settled.append(grant)
    _forget_removed(store, repo, pull, records, present, policy)
    return _summarise(settled, records, lost, pull, policy)


def _role(port: GitHubPort, repo: RepoRef, actor: str, known: dict[str, str]) -> str:
    # A grant is decided once and kept: the role is asked of GitHub now, never a cached one,
    # so a role revoked a minute ago cannot grant an override.
    if actor not in known:
        known[actor] = port.fetch_role(repo, actor, fresh=True) if actor else "none"
    return known[actor]


def _id(record: Grant | None) -> str | None:
    return None if record is None else record.delivery_id


def _forget_removed(
    store: GrantStore,
    repo: RepoRef,
    pull: PullInfo,
    records: dict[str, Grant],
    present: list[str],
    policy: Policy,
) -> None:
    """Drop records that explain nothing: a granted label someone took off, other labels."""
    for label, record in list(records.items()):
        stale = record.state == GRANTED and label not in present
        if stale or not is_grant_label(label, policy.labels):
            store.drop(repo, pull.number, label, record.delivery_id)
            del records[label]


def _summarise(
    settled: list[Grant],
    records: dict[str, Grant],
    lost: list[str],
    pull: PullInfo,
    policy: Policy,
) -> LabelGrants:
    allowed, now = policy.overrides.roles, Anchor(pull.head_sha, pull.base_ref)
    off = [g for g in settled if g.state in (REFUSED, SUSPENDED)]
    shown = [g for g in records.values() if g.state in (REFUSED, SUSPENDED)]
    overrides = []
    for grant in settled:
        tier = override_tier(grant.label, policy.labels)
        if tier is not None:
            why = granted_line(grant) if grant.state == GRANTED else grant.state
            overrides.append(Override(grant.label, tier, grant.actor, grant.state == GRANTED, why))
    return LabelGrants(
        overrides=tuple(overrides),
        uncounted=tuple([g.label for g in off] + lost),
        remove=tuple(g.label for g in off),
        granted=tuple(granted_line(g) for g in settled if g.state == GRANTED),
        notices=tuple(notice(g, now, allowed) for g in sorted(shown, key=_order)),
        reasons=tuple(suspension_reasons(off, now)),
        settled=tuple(settled),
    )


def _order(grant: Grant) -> str:
    return grant.label
