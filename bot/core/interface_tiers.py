"""What an interface with ``escalate: breaking`` asks of the tier, from its rated changes.

A breaking change makes L3 (reason ``interface-breaking``, one per change, naming the element);
a touch whose changes are all non-breaking keeps the pull request at L2 at least (reason
``interface-additive``): it is not low-risk, but it needs no architecture review.
"""

from __future__ import annotations

from bot.core.models import PullFacts, Reason, Touch
from bot.core.severity import BREAKING, ESCALATE_BREAKING, worst

# Reasons listed per interface before the rest is counted; the check lists every change.
MAX_REASONS = 10


def breaking_reasons(touch: Touch) -> list[Reason]:
    """One ``interface-breaking`` reason per breaking change of ``touch``, then how many more."""
    breaking = [c for c in touch.changes if c.severity == BREAKING]
    reasons = [
        Reason("interface-breaking", f"{touch.id}: {c.path}: {c.what}")
        for c in breaking[:MAX_REASONS]
    ]
    if len(breaking) > MAX_REASONS:
        more = len(breaking) - MAX_REASONS
        reasons.append(
            Reason("interface-breaking", f"{touch.id}: and {more} more breaking change(s)")
        )
    return reasons


def additive_reasons(facts: PullFacts) -> list[Reason]:
    """Why a pull request that reached no L3 trigger still needs L2 for its interfaces.

    ``interface-additive`` for each interface with ``escalate: breaking`` touched only by
    non-breaking changes; and when the L3 trigger for interfaces is off, a breaking change keeps
    L2 too (``interface-breaking``): it must never be rated lower than an additive one.
    """
    reasons: list[Reason] = []
    for touch in facts.interfaces:
        if touch.escalate != ESCALATE_BREAKING:
            continue
        if worst(touch.changes) == BREAKING:
            message = f"{touch.id}: breaking change(s) while the L3 trigger is off: at least L2"
            reasons.append(Reason("interface-breaking", message))
            continue
        count = len(touch.changes)
        files = ", ".join(touch.files[:3]) + (" …" if len(touch.files) > 3 else "")
        message = f"{touch.id}: {count} non-breaking change(s) in {files}: at least L2"
        reasons.append(Reason("interface-additive", message))
    return reasons
