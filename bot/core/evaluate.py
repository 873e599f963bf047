"""One entry point from inputs to facts and decision, shared by the CLI and the App."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.config import Policy
from bot.core.facts import compute_facts
from bot.core.models import ChangeSet, Override, PullFacts, PullMeta, RepoContext, TierDecision
from bot.core.tiers import decide


@dataclass(frozen=True)
class Evaluation:
    facts: PullFacts
    decision: TierDecision


def evaluate(
    changes: ChangeSet,
    context: RepoContext,
    meta: PullMeta,
    policy: Policy,
    overrides: Sequence[Override] = (),
) -> Evaluation:
    """Classify the change, then decide its tier (overrides already checked for roles)."""
    facts = compute_facts(changes, context, meta, policy)
    exception = policy.labels.size_exception in meta.labels
    decision = decide(facts, policy, meta, overrides, size_exception=exception)
    return Evaluation(facts, decision)
