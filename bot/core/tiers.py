"""Decide the review tier with its reasons and what the App will apply."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.config import L1When, L3When, Policy
from bot.core.globs import GlobSet
from bot.core.instructions import classify_instruction_files
from bot.core.models import Limits, Override, PullFacts, PullMeta, Reason, Tier, TierDecision
from bot.core.provenance import has_section
from bot.core.reviewers import plan_groups
from bot.core.size import bucket_rank

EMPTY = "empty"


def l3_triggers(facts: PullFacts, when: L3When) -> list[Reason]:
    """Any-of: every trigger that fires, each with its reasons."""
    reasons: list[Reason] = []
    if when.invariants:
        reasons += [r for t in facts.invariants for r in t.reasons]
    if when.interfaces:
        reasons += [r for t in facts.interfaces for r in t.reasons]
    if when.min_size is not None and bucket_rank(facts.size.label) >= bucket_rank(when.min_size):
        reasons.append(
            Reason(
                "size",
                f"{facts.size.lines} counted lines: size {facts.size.label} "
                f"reaches the L3 threshold {when.min_size}",
            )
        )
    if when.min_owners is not None and len(facts.owner_areas) >= when.min_owners:
        reasons.append(_owners_reason(facts.owner_areas, when.min_owners))
    if when.paths:
        hits = facts.paths_matching(GlobSet.from_patterns(when.paths).matches)
        if hits:
            reasons.append(Reason("path", f"{hits[0]} is under an L3 path ({len(hits)} file(s))"))
    if facts.truncated:
        reasons.append(
            Reason(
                "truncated",
                "the file listing was truncated: unseen files may touch invariants or interfaces",
            )
        )
    return reasons


def _owners_reason(areas: Sequence[tuple[str, ...]], threshold: int) -> Reason:
    count = "1 owned area reaches" if len(areas) == 1 else f"{len(areas)} owned areas reach"
    listed = "; ".join(", ".join(area) for area in areas)
    return Reason("owners", f"{count} the L3 threshold of {threshold}: {listed}")


def l1_holds(facts: PullFacts, when: L1When) -> Reason | None:
    """All-of: a reason when every L1 condition holds, None otherwise."""
    if when.max_size is not None and bucket_rank(facts.size.label) > bucket_rank(when.max_size):
        return None
    if when.only_paths:
        globs = GlobSet.from_patterns(when.only_paths)
        # A rename stays low-risk only when both its old and its new path are.
        touched = [*facts.files, *facts.previous_paths.values()]
        if not all(globs.matches(p) for p in touched):
            return None
    scope = ", ".join(when.only_paths) or "any path"
    return Reason(
        "low-risk",
        f"only {scope} changed and size {facts.size.label} is within {when.max_size or 'any size'}",
    )


def classify_tier(facts: PullFacts, policy: Policy) -> tuple[Tier, list[Reason]]:
    """The computed tier before overrides: the highest any rule triggers."""
    if not facts.files:
        # Without this, "every changed file is low-risk" holds vacuously and reads as a docs change.
        return Tier.L1, [Reason(EMPTY, "no file changed: nothing to classify")]
    escalations = l3_triggers(facts, policy.tiers.l3_when)
    steering = classify_instruction_files(facts, policy.ai.instruction_files)
    if escalations:
        return Tier.L3, escalations + steering + list(facts.ai_reasons)
    tier, reasons = Tier.L2, [Reason("default", "L2 team review is the default")]
    low = l1_holds(facts, policy.tiers.l1_when)
    if steering:
        # Files that steer coding agents are never low-risk, whatever their extension.
        reasons = steering
    elif low is not None:
        tier, reasons = Tier.L1, [low]
    if facts.ai_assisted and tier.rank < policy.ai.min_tier.rank:
        tier = policy.ai.min_tier
        reasons = [Reason("ai", f"AI-assisted changes get at least {tier.value}"), *steering]
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
