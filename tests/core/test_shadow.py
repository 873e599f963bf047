"""Shadow mode's filter decides for every kind of write, and its check never blocks."""

from __future__ import annotations

import ast
import inspect
from typing import get_args

import pytest

from bot.core import shadow
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
from bot.core.outcome import OUTPUT_LIMIT
from bot.core.plan import check_actions
from bot.core.shadow import (
    Shadow,
    ShadowSource,
    kept_in_shadow,
    shadow_actions,
    shadow_check,
    shadow_of,
)
from tests.builders import sample_action

RECHECK = "review-tiers/recheck"
POLICY = Shadow((ShadowSource.POLICY,))
PROCESS = Shadow((ShadowSource.PROCESS,))
WAITING = CheckState("in_progress", None, "L3: waiting for 2 approval(s)", "## L3\n\nreasons")

# What shadow mode does with each kind of write. A kind missing here fails the first test: decide
# whether shadow mode may make it, in bot/core/shadow.py and here.
KEPT = {
    CreateCheck: True,
    UpdateCheck: True,
    RemoveLabel: False,  # only the recheck label, tested below
    AddLabels: False,
    RequestReviewers: False,
    CreateComment: False,
    EditComment: False,
    DeleteComment: False,
}


def test_every_kind_of_write_has_a_shadow_decision() -> None:
    assert set(KEPT) == set(get_args(Action))


@pytest.mark.parametrize("kind", get_args(Action), ids=lambda k: k.__name__)
def test_shadow_keeps_only_the_check(kind: type) -> None:
    action = sample_action(kind)
    assert kept_in_shadow(action, RECHECK) is KEPT[kind]
    assert shadow_actions([action], Shadow(), RECHECK) == (action,)


def test_the_filter_ends_in_an_exhaustiveness_check() -> None:
    """mypy reports a kind of write without a branch only while the match ends this way."""
    tree = ast.parse(inspect.getsource(shadow.kept_in_shadow))
    [match] = [node for node in ast.walk(tree) if isinstance(node, ast.Match)]
    last = match.cases[-1]
    assert isinstance(last.pattern, ast.MatchAs) and last.pattern.pattern is None
    assert ast.unparse(last.body[0]) == "assert_never(action)"


def test_shadow_takes_off_the_recheck_label_and_nothing_else() -> None:
    planned = [
        CreateCheck(WAITING),
        AddLabels(("tier/L3", "size/XS")),
        RemoveLabel("tier/L2"),
        RemoveLabel(RECHECK),
        RemoveLabel("tier-override/L1"),
        RequestReviewers(("arch",), ("acme/architects",)),
        DeleteComment(9),
    ]
    assert shadow_actions(planned, POLICY, RECHECK) == (CreateCheck(WAITING), RemoveLabel(RECHECK))
    assert shadow_actions(planned, Shadow(), RECHECK) == tuple(planned)


@pytest.mark.parametrize(
    ("policy", "process", "sources"),
    [
        (Mode.ENFORCE, Mode.ENFORCE, ()),
        (None, Mode.ENFORCE, ()),
        (Mode.SHADOW, Mode.ENFORCE, (ShadowSource.POLICY,)),
        (None, Mode.SHADOW, (ShadowSource.PROCESS,)),
        (Mode.SHADOW, Mode.SHADOW, (ShadowSource.POLICY, ShadowSource.PROCESS)),
    ],
)
def test_either_setting_puts_an_evaluation_in_shadow(
    policy: Mode | None, process: Mode, sources: tuple[ShadowSource, ...]
) -> None:
    found = shadow_of(policy, process)
    assert found.sources == sources
    assert found.mode is (Mode.SHADOW if sources else Mode.ENFORCE)


def test_the_shadow_check_is_neutral_and_names_the_would_be_tier() -> None:
    check = shadow_check(WAITING, POLICY, Tier.L3)
    assert (check.status, check.conclusion) == ("completed", "neutral")
    assert check.title == "Shadow: would be L3 (architecture review)"
    assert "nothing is enforced" in check.summary
    assert "`mode: shadow` in the configuration file" in check.summary
    assert "REVIEW_TIERS_MODE" not in check.summary
    assert "would be **in progress**: L3: waiting for 2 approval(s)." in check.summary
    assert check.summary.endswith(WAITING.summary)
    both = shadow_check(WAITING, Shadow((ShadowSource.POLICY, ShadowSource.PROCESS)), Tier.L1)
    assert both.title == "Shadow: would be L1 (automated)"
    assert "configuration file and `REVIEW_TIERS_MODE=shadow` in the App" in both.summary


def test_a_failing_check_becomes_neutral_and_says_it_would_fail() -> None:
    over = CheckState("completed", "failure", "L2: over the hard size limit", "x" * OUTPUT_LIMIT)
    check = shadow_check(over, PROCESS, Tier.L2)
    assert (check.conclusion, check.title) == ("neutral", "Shadow: would be L2 (team review)")
    assert "would be **failure**: L2: over the hard size limit" in check.summary
    assert len(check.summary) <= OUTPUT_LIMIT


def test_without_a_tier_the_title_keeps_the_reason() -> None:
    invalid = CheckState("completed", "failure", "Invalid configuration", "errors")
    check = shadow_check(invalid, PROCESS, None)
    assert (check.conclusion, check.title) == ("neutral", "Shadow: Invalid configuration")


def test_enforce_leaves_the_check_as_it_is() -> None:
    assert shadow_check(WAITING, Shadow(), Tier.L3) is WAITING


def test_a_shadow_check_converges() -> None:
    check = shadow_check(WAITING, POLICY, Tier.L3)
    assert check_actions(check, None, None) == [CreateCheck(check)]
    assert check_actions(check, 4, check) == []
    # Back to enforce: a completed run cannot be reopened, so a new run replaces it.
    assert check_actions(WAITING, 4, check) == [CreateCheck(WAITING)]
