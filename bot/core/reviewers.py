"""Plan the approval groups a tier requires: tier reviewers and touched areas' owners."""

from __future__ import annotations

from bot.core.config import TiersPolicy
from bot.core.models import PullFacts, ReviewerGroup, Tier

GROUP_NAMES = {Tier.L1: "L1 reviewers", Tier.L2: "team review", Tier.L3: "architecture review"}


def as_team(name: str) -> str:
    """Teams are "org/slug" in the config and "@org/slug" in CODEOWNERS: use "@org/slug"."""
    return name if name.startswith("@") else f"@{name}"


def is_account(owner: str) -> bool:
    """A user or team; an e-mail owner (allowed in CODEOWNERS) can neither be requested nor
    matched to an approval, so it cannot make up a group."""
    return "@" not in owner.lstrip("@")


def as_user(name: str) -> str:
    return name if name.startswith("@") or "@" in name else f"@{name}"


def plan_groups(tier: Tier, tiers: TiersPolicy, facts: PullFacts) -> tuple[ReviewerGroup, ...]:
    """The groups whose approvals the tier needs, each with its members and count.

    L3 without reviewers of its own asks L2's group (named as L2's), then every owning team
    of the touched invariants and interfaces.
    """
    source, reviewers = tiers.reviewers_for(tier)
    members = [as_team(t) for t in reviewers.teams] + [as_user(u) for u in reviewers.users]
    if reviewers.from_owners:
        members += [o for o in facts.owners if o not in members and is_account(o)]
    groups: list[ReviewerGroup] = []
    if reviewers.required_approvals > 0 and (source is not Tier.L1 or members):
        groups.append(
            ReviewerGroup(
                name=GROUP_NAMES[source],
                members=tuple(members),
                required=reviewers.required_approvals,
                kind="tier",
            )
        )
    if tier is Tier.L3:
        groups.extend(_area_owner_groups(facts))
    return tuple(groups)


def _area_owner_groups(facts: PullFacts) -> list[ReviewerGroup]:
    # L3 needs one approval from every team owning a touched invariant or interface.
    seen: dict[str, str] = {}
    for touch in facts.invariants + facts.interfaces:
        for owner in filter(is_account, touch.owners):
            seen.setdefault(owner, touch.id)
    return [
        ReviewerGroup(name=f"owner {owner} ({area})", members=(owner,), required=1, kind="owner")
        for owner, area in seen.items()
    ]
