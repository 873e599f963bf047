"""Decide the review tier with its reasons and what the App will apply."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.config import Policy
from bot.core.instructions import classify_instruction_files
from bot.core.interface_tiers import additive_reasons
from bot.core.models import Limits, Override, PullFacts, PullMeta, Reason, Tier, TierDecision
from bot.core.provenance import has_section
from bot.core.reviewers import plan_groups

EMPTY = "empty"


def classify_tier(facts: PullFacts, policy: Policy) -> tuple[Tier, list[Reason]]:
    """The computed tier before overrides: the highest any rule triggers."""
    if not facts.files:
        # Without this, "every changed file is low-risk" holds vacuously and reads as a docs change.
        return Tier.L1, [Reason(EMPTY, "no file changed: nothing to classify")]
    # The rules under tiers.L3.when and tiers.L1.when are the classes in bot/core/triggers.py.
    escalations = policy.tiers.l3_when.escalations(facts)
    steering = classify_instruction_files(facts, policy.ai.instruction_files)
    if escalations:
        return Tier.L3, escalations + steering + list(facts.ai_reasons)
    tier, reasons = Tier.L2, [Reason("default", "L2 team review is the default")]
    low = policy.tiers.l1_when.low_risk(facts)
    additive = additive_reasons(facts)
    if steering or additive:
        # Files that steer coding agents are never low-risk, whatever their extension; nor is
        # a contract change, even a non-breaking one.
        reasons = steering + additive
    elif low is not None:
        tier, reasons = Tier.L1, [low]
    if facts.ai_assisted and tier.rank < policy.ai.min_tier.rank:
        tier = policy.ai.min_tier
        reasons = [Reason("ai", f"AI-assisted changes get at least {tier.value}"), *steering]
        reasons += additive
    if facts.ai_assisted:
        reasons += list(facts.ai_reasons)
    return tier, reasons


def apply_overrides(tier: Tier, overrides: Sequence[Override]) -> tuple[Tier, list[Reason]]:
    """Honoured overrides may only lower the tier; with several, the highest one wins."""
    honoured = [o for o in overrides if o.honoured and o.tier.rank < tier.rank]
    if not honoured:
        return tier, []
    chosen = max(honoured, key=lambda o: o.tier.rank)
    why = f": {chosen.reason}" if chosen.reason else ""
    message = f"{chosen.label} by {chosen.actor} lowered {tier.value} to {chosen.tier.value}{why}"
    return chosen.tier, [Reason("override", message)]


def decide(
    facts: PullFacts,
    policy: Policy,
    meta: PullMeta,
    overrides: Sequence[Override] = (),
    size_exception: bool = False,
) -> TierDecision:
    """Decide the tier, then derive labels, reviewer groups, checks and limits from it."""
    computed, reasons = classify_tier(facts, policy)
    tier, override_reasons = apply_overrides(computed, overrides)
    limits = _limits(facts, policy, size_exception)
    needs_section = (
        facts.ai_assisted
        and tier.rank >= Tier.L2.rank
        and policy.ai.require_section is not None
        and not has_section(meta.body, policy.ai.require_section)
    )
    return TierDecision(
        tier=tier,
        computed_tier=computed,
        reasons=(
            *override_reasons,
            *reasons,
            *facts.size.refused_markers,
            *_limit_reasons(facts, policy, limits),
        ),
        labels=(
            policy.labels.tier_prefix + tier.value,
            policy.labels.size_prefix + facts.size.label,
        ),
        groups=plan_groups(tier, policy.tiers, facts),
        checks=policy.tiers.checks_for(tier),
        limits=limits,
        invalidate_on_push=policy.tiers.reviewers_for(tier)[1].invalidate_on_push,
        overrides=tuple(overrides),
        missing_generation_context=needs_section,
    )


def _limits(facts: PullFacts, policy: Policy, size_exception: bool) -> Limits:
    soft, hard = policy.size.soft_limit, policy.size.hard_limit
    return Limits(
        soft_exceeded=facts.size.lines > soft.lines or facts.size.files > soft.files,
        hard_exceeded=facts.size.lines > hard.lines or facts.size.files > hard.files,
        size_exception=size_exception,
    )


def _limit_reasons(facts: PullFacts, policy: Policy, limits: Limits) -> list[Reason]:
    size = f"{facts.size.lines} lines in {facts.size.files} files"
    hard = policy.size.hard_limit
    if limits.hard_exceeded:
        granted = " (size exception granted)" if limits.size_exception else ""
        return [
            Reason(
                "hard-limit",
                f"{size} exceed the hard limit of {hard.lines} lines or "
                f"{hard.files} files{granted}",
            )
        ]
    soft = policy.size.soft_limit
    if limits.soft_exceeded:
        return [
            Reason(
                "soft-limit",
                f"{size} exceed the soft limit of {soft.lines} lines or "
                f"{soft.files} files: consider splitting",
            )
        ]
    return []
