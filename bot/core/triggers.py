"""Tier rules: the conditions under ``tiers.L1.when`` and the triggers under ``tiers.L3.when``.

A rule is one frozen dataclass. Its fields are its keys in the config file, declared with
``doc`` metadata like every field of the model, so the JSON Schema, the parser and the defaults
follow from them; its method judges a pull request's facts. Listing the class in its tier's
registry (``L1_CONDITIONS`` or ``L3_TRIGGERS``) is the only other step, and tests fail for a
rule class that is not listed. docs/config-model.md walks through adding one.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from bot.core.configfile.fields import Check, doc
from bot.core.configfile.rules import Rule, RuleSet
from bot.core.globs import GlobSet
from bot.core.interface_tiers import breaking_reasons
from bot.core.models import BUCKET_ORDER, PullFacts, Reason, bucket_rank
from bot.core.severity import ESCALATE_BREAKING


@dataclass(frozen=True)
class Condition(Rule, ABC):
    """An L1 condition; L1 needs all of them to hold. Left out of a written ``when``, its
    keys take their off values (false, null, an empty list), which constrain nothing."""

    @abstractmethod
    def holds(self, facts: PullFacts) -> str | None:
        """The clause saying why it holds ("only docs/** changed"), None when it does not."""


@dataclass(frozen=True)
class Trigger(Rule, ABC):
    """An L3 trigger; any one firing makes L3. Left out of a written ``when``, its keys take
    their off values (false, null, an empty list), which never fire."""

    @abstractmethod
    def fire(self, facts: PullFacts) -> list[Reason]:
        """The reasons it fires for, [] when it does not."""


# --- L1: all of -------------------------------------------------------------------------------


@dataclass(frozen=True)
class OnlyPaths(Condition):
    only_paths: tuple[str, ...] = field(
        default=("docs/**", "**/*.md"),
        metadata=doc("Every changed file matches one of these globs.", check=Check.GLOB),
    )

    def holds(self, facts: PullFacts) -> str | None:
        if self.only_paths:
            globs = GlobSet.from_patterns(self.only_paths)
            # A rename stays low-risk only when both its old and its new path are.
            touched = [*facts.files, *facts.previous_paths.values()]
            if not all(globs.matches(p) for p in touched):
                return None
        return f"only {', '.join(self.only_paths) or 'any path'} changed"


@dataclass(frozen=True)
class SizeAtMost(Condition):
    max_size: str | None = field(
        default="S", metadata=doc("Size bucket at most this; null: any.", choices=BUCKET_ORDER)
    )

    def holds(self, facts: PullFacts) -> str | None:
        if self.max_size is not None and bucket_rank(facts.size.label) > bucket_rank(self.max_size):
            return None
        return f"size {facts.size.label} is within {self.max_size or 'any size'}"


# --- L3: any of -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TouchesInvariant(Trigger):
    invariants: bool = field(default=True, metadata=doc("Touching an invariant."))

    def fire(self, facts: PullFacts) -> list[Reason]:
        return [r for t in facts.invariants for r in t.reasons] if self.invariants else []


@dataclass(frozen=True)
class TouchesInterface(Trigger):
    interfaces: bool = field(default=True, metadata=doc("Touching an interface."))

    def fire(self, facts: PullFacts) -> list[Reason]:
        if not self.interfaces:
            return []
        reasons: list[Reason] = []
        for touch in facts.interfaces:
            if touch.escalate == ESCALATE_BREAKING:
                reasons += breaking_reasons(touch)
            else:
                reasons += touch.reasons
        return reasons


@dataclass(frozen=True)
class SizeAtLeast(Trigger):
    min_size: str | None = field(
        default="XXL", metadata=doc("Size bucket at least this; null: off.", choices=BUCKET_ORDER)
    )

    def fire(self, facts: PullFacts) -> list[Reason]:
        size = facts.size
        if self.min_size is None or bucket_rank(size.label) < bucket_rank(self.min_size):
            return []
        message = f"reaches the L3 threshold {self.min_size}"
        return [Reason("size", f"{size.lines} counted lines: size {size.label} {message}")]


@dataclass(frozen=True)
class OwnedAreasAtLeast(Trigger):
    min_owners: int | None = field(
        default=3,
        metadata=doc(
            "At least this many owned areas (distinct owner sets of the CODEOWNERS entries"
            " deciding the changed files); null: off.",
            minimum=1,
        ),
    )

    def fire(self, facts: PullFacts) -> list[Reason]:
        areas = facts.owner_areas
        if self.min_owners is None or len(areas) < self.min_owners:
            return []
        count = "1 owned area reaches" if len(areas) == 1 else f"{len(areas)} owned areas reach"
        listed = "; ".join(", ".join(area) for area in areas)
        return [Reason("owners", f"{count} the L3 threshold of {self.min_owners}: {listed}")]


@dataclass(frozen=True)
class UnderPaths(Trigger):
    paths: tuple[str, ...] = field(
        default=(), metadata=doc("Any changed file matches one of these globs.", check=Check.GLOB)
    )

    def fire(self, facts: PullFacts) -> list[Reason]:
        hits = facts.paths_matching(GlobSet.from_patterns(self.paths).matches)
        if not hits:
            return []
        return [Reason("path", f"{hits[0]} is under an L3 path ({len(hits)} file(s))")]


@dataclass(frozen=True)
class ListingTruncated(Trigger):
    """Always on: it has no key."""

    def fire(self, facts: PullFacts) -> list[Reason]:
        if not facts.truncated:
            return []
        unseen = "unseen files may touch invariants or interfaces"
        return [Reason("truncated", f"the file listing was truncated: {unseen}")]


# --- the registries: a rule class takes effect once it is listed here ---------------------------

L1_CONDITIONS: tuple[type[Condition], ...] = (OnlyPaths, SizeAtMost)
L3_TRIGGERS: tuple[type[Trigger], ...] = (
    TouchesInvariant,
    TouchesInterface,
    SizeAtLeast,
    OwnedAreasAtLeast,
    UnderPaths,
    ListingTruncated,
)


@dataclass(frozen=True, init=False)
class L1When(RuleSet[Condition]):
    """All-of: every condition must hold for L1; empty only_paths or None max_size: no limit."""

    @classmethod
    def registry(cls) -> tuple[type[Condition], ...]:
        return L1_CONDITIONS

    def low_risk(self, facts: PullFacts) -> Reason | None:
        """A reason when every condition holds, None otherwise."""
        clauses = [condition.holds(facts) for condition in self.rules]
        held = [clause for clause in clauses if clause is not None]
        return Reason("low-risk", " and ".join(held)) if len(held) == len(clauses) else None


@dataclass(frozen=True, init=False)
class L3When(RuleSet[Trigger]):
    """Any-of: each key present is a trigger; None disables it."""

    @classmethod
    def registry(cls) -> tuple[type[Trigger], ...]:
        return L3_TRIGGERS

    def escalations(self, facts: PullFacts) -> list[Reason]:
        """Every trigger that fires, each with its reasons, in registry order."""
        return [reason for trigger in self.rules for reason in trigger.fire(facts)]
