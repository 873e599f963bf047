"""The ``tiers`` section of the config model: each tier's rules, checks and reviewers."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.core.check_requirements import (
    CheckRequirement,
    check_entry_schema,
    requirement_from_config,
)
from bot.core.configfile.fields import Codec, doc
from bot.core.defaults import LOGIN, TEAM
from bot.core.models import Tier
from bot.core.triggers import L1When, L3When

CHECKS = doc(
    "Automated checks the tier requires, each by name and source.",
    codec=Codec(check_entry_schema(), requirement_from_config),
)


@dataclass(frozen=True)
class Reviewers:
    teams: tuple[str, ...] = field(default=(), metadata=doc("Teams to request.", pattern=TEAM))
    users: tuple[str, ...] = field(default=(), metadata=doc("Users to request.", pattern=LOGIN))
    required_approvals: int = field(default=1, metadata=doc("Approvals needed.", minimum=0))
    from_owners: bool = field(default=False, metadata=doc("Also request owners of touched files."))
    invalidate_on_push: bool = field(default=False, metadata=doc("Only head approvals count."))


@dataclass(frozen=True)
class L1Tier:
    when: L1When = field(
        default=L1When(),
        metadata=doc("All-of: L1 only when every condition holds; omitted keys impose nothing."),
    )
    checks: tuple[CheckRequirement, ...] = field(default=(), metadata=CHECKS)

    @property
    def reviewers(self) -> Reviewers:
        """L1 names no reviewers of its own."""
        return Reviewers()


@dataclass(frozen=True)
class L2Tier:
    checks: tuple[CheckRequirement, ...] = field(default=(), metadata=CHECKS)
    reviewers: Reviewers = field(
        default=Reviewers(from_owners=True), metadata=doc("Whose approvals the tier needs.")
    )


@dataclass(frozen=True)
class L3Tier:
    when: L3When = field(
        default=L3When(),
        metadata=doc("Any-of: each key is a trigger; omitted keys are not triggers."),
    )
    checks: tuple[CheckRequirement, ...] = field(default=(), metadata=CHECKS)
    # None while the policy names no tiers.L3.reviewers: L3 then asks what L2 asks, so the
    # deeper tier never requires less than the shallower one.
    reviewers: Reviewers | None = field(
        default=None,
        metadata=doc(
            "Whose approvals L3 needs; omitted: what L2 needs. Either way, plus one approval"
            " from each owner of a touched invariant or interface."
        ),
    )


@dataclass(frozen=True)
class TiersPolicy:
    l1: L1Tier = field(default=L1Tier(), metadata=doc("Automated tier.", key="L1"))
    l2: L2Tier = field(default=L2Tier(), metadata=doc("Team review.", key="L2"))
    l3: L3Tier = field(default=L3Tier(), metadata=doc("Architecture review.", key="L3"))

    @property
    def l1_when(self) -> L1When:
        return self.l1.when

    @property
    def l3_when(self) -> L3When:
        return self.l3.when

    @property
    def l3_reviewers_configured(self) -> bool:
        return self.l3.reviewers is not None

    def for_tier(self, tier: Tier) -> L1Tier | L2Tier | L3Tier:
        sections: dict[Tier, L1Tier | L2Tier | L3Tier] = {
            Tier.L1: self.l1,
            Tier.L2: self.l2,
            Tier.L3: self.l3,
        }
        return sections[tier]

    def reviewers_for(self, tier: Tier) -> tuple[Tier, Reviewers]:
        """The reviewers a tier requires and the tier they are configured under."""
        reviewers = self.for_tier(tier).reviewers
        if reviewers is None:
            return Tier.L2, self.l2.reviewers
        return tier, reviewers

    def checks_for(self, tier: Tier) -> tuple[CheckRequirement, ...]:
        """The checks a tier requires: its own, then each shallower tier's that it does not
        name itself, so a deeper tier never requires fewer checks than a shallower one and
        its own entry (a pinned source, say) decides for a name both list."""
        found: dict[str, CheckRequirement] = {}
        for rank in range(tier.rank, 0, -1):
            for check in self.for_tier(Tier(f"L{rank}")).checks:
                found.setdefault(check.name, check)
        return tuple(found.values())
