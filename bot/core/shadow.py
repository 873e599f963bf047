"""Shadow mode: decide and show the would-be tier in a neutral check, and write nothing else.

Either the policy (``mode: shadow``) or the App's process (``REVIEW_TIERS_MODE=shadow``) puts an
evaluation in shadow. The plan is made as in enforce mode, then ``shadow_actions`` keeps only the
writes shadow allows, with a ``match`` that mypy checks for exhaustiveness: a new kind of action
cannot reach GitHub in shadow before someone decides here whether it may.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import assert_never

from bot.core.actions import (
    Action,
    AddLabels,
    CheckState,
    CreateCheck,
    CreateComment,
    DeleteComment,
    EditComment,
    RemoveLabel,
    RequestReviewers,
    UpdateCheck,
)
from bot.core.models import Mode, Tier
from bot.core.outcome import clip

TIER_NAMES = {Tier.L1: "automated", Tier.L2: "team review", Tier.L3: "architecture review"}


class ShadowSource(StrEnum):
    """A setting that put the evaluation in shadow mode."""

    POLICY = "policy"  # mode: shadow in the config file
    PROCESS = "process"  # REVIEW_TIERS_MODE=shadow for the App

    @property
    def setting(self) -> str:
        if self is ShadowSource.POLICY:
            return "`mode: shadow` in the configuration file"
        return "`REVIEW_TIERS_MODE=shadow` in the App's environment"


@dataclass(frozen=True)
class Shadow:
    """Which settings, if any, put an evaluation in shadow mode (none: it enforces)."""

    sources: tuple[ShadowSource, ...] = ()

    @property
    def active(self) -> bool:
        return bool(self.sources)

    @property
    def mode(self) -> Mode:
        return Mode.SHADOW if self.active else Mode.ENFORCE


def shadow_of(policy: Mode | None, process: Mode) -> Shadow:
    """Shadow when either the policy (None: no valid policy) or the process says so."""
    sources = [ShadowSource.POLICY] if policy is Mode.SHADOW else []
    sources += [ShadowSource.PROCESS] if process is Mode.SHADOW else []
    return Shadow(tuple(sources))


def kept_in_shadow(action: Action, recheck: str) -> bool:
    """Whether shadow mode lets ``action`` reach GitHub: the check, and taking off the recheck
    label the run acted on (left on, it would ask for the same run again and again).

    Everything else is dropped, removals included: shadow mode never touches what enforce mode
    (or a person) put on the pull request."""
    match action:
        case CreateCheck() | UpdateCheck():
            return True
        case RemoveLabel(name=name):
            return name == recheck
        case AddLabels() | RequestReviewers() | CreateComment() | EditComment() | DeleteComment():
            return False
        case _:
            assert_never(action)


def shadow_actions(actions: Sequence[Action], shadow: Shadow, recheck: str) -> tuple[Action, ...]:
    """The planned ``actions`` that may run: all of them unless ``shadow`` is active."""
    if not shadow.active:
        return tuple(actions)
    return tuple(a for a in actions if kept_in_shadow(a, recheck))


def shadow_check(enforced: CheckState, shadow: Shadow, tier: Tier | None) -> CheckState:
    """The neutral check shown instead of ``enforced`` (unchanged unless shadow is active).

    ``tier`` is the decided tier, None when none was decided (an invalid configuration)."""
    if not shadow.active:
        return enforced
    if tier is None:
        title = f"Shadow: {enforced.title}"
    else:
        title = f"Shadow: would be {tier.value} ({TIER_NAMES[tier]})"
    settings = " and ".join(source.setting for source in shadow.sources)
    would = enforced.conclusion or enforced.status.replace("_", " ")
    summary = (
        "## Shadow mode: nothing is enforced\n\n"
        f"review-tiers runs in shadow mode because of {settings}. This check is neutral and "
        "never blocks a merge; the App writes no labels, review requests or comments.\n\n"
        f"In enforce mode this check would be **{would}**: {enforced.title}.\n\n"
        f"{enforced.summary}"
    )
    return CheckState("completed", "neutral", title, clip(summary), enforced.text)
