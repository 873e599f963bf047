"""The grant decision: a label counts only on the head and base it was granted on, by an
allowed role."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.core.config import LabelPolicy
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

ROLES = ("maintain", "admin")
CLAIM = Grant(
    "tier-override/L1", "a" * 40, "lead", "2026-05-04T10:00:00+00:00", "d-1", base_ref="main"
)
HERE = Anchor("a" * 40, "main")
MOVED = Anchor("b" * 40, "main")
RETARGETED = Anchor("a" * 40, "release")


@pytest.mark.parametrize(
    ("record", "now", "latest", "state", "why"),
    [
        (replace(CLAIM, role="maintain"), HERE, "lead", GRANTED, "maintainer, same head"),
        (replace(CLAIM, role="maintain"), HERE, None, GRANTED, "events silent: trust claim"),
        (replace(CLAIM, role="write"), HERE, "lead", REFUSED, "role not allowed"),
        (replace(CLAIM, role="maintain"), MOVED, "lead", SUSPENDED, "the head moved"),
        (CLAIM, MOVED, "lead", SUSPENDED, "moved before the role was looked up"),
        (replace(CLAIM, role="maintain"), RETARGETED, "lead", SUSPENDED, "the base changed"),
        (CLAIM, RETARGETED, "lead", SUSPENDED, "retargeted before the role was looked up"),
        (replace(CLAIM, state=GRANTED, role="admin"), RETARGETED, None, SUSPENDED, "was granted"),
        (replace(CLAIM, role="maintain", base_ref=""), HERE, "lead", SUSPENDED, "base unknown"),
        (replace(CLAIM, role="maintain"), HERE, "other", SUSPENDED, "an earlier addition"),
        (None, HERE, "lead", SUSPENDED, "no record"),
        (replace(CLAIM, state=REFUSED), HERE, "lead", REFUSED, "removal not done yet"),
        (replace(CLAIM, state=GRANTED, role="admin"), HERE, None, GRANTED, "stays granted"),
    ],
)
def test_settle(
    record: Grant | None, now: Anchor, latest: str | None, state: str, why: str
) -> None:
    assert settle("tier-override/L1", record, now, latest, ROLES).state == state, why


def test_a_suspended_record_keeps_who_granted_it_on_which_head() -> None:
    granted = replace(CLAIM, role="maintain", state=GRANTED)
    suspended = settle(granted.label, granted, MOVED, "lead", ROLES)
    assert (suspended.actor, suspended.role, suspended.head_sha) == ("lead", "maintain", "a" * 40)
    sentence = notice(suspended, MOVED, ROLES)
    assert "granted by @lead on aaaaaaa, but the head is now bbbbbbb" in sentence
    assert "`grant-suspended`" in sentence and "renew" in sentence
    (reason,) = suspension_reasons([suspended, granted], MOVED)
    assert reason.code == "grant-suspended"


def test_a_retarget_suspends_with_a_sentence_naming_both_bases() -> None:
    granted = replace(CLAIM, role="maintain", state=GRANTED)
    suspended = settle(granted.label, granted, RETARGETED, "lead", ROLES)
    assert suspended.state == SUSPENDED and suspended.base_ref == "main"
    (reason,) = suspension_reasons([suspended], RETARGETED)
    assert reason.code == "grant-suspended"
    assert "against base `main`, but the pull request now targets `release`" in reason.message
    assert "renew" in reason.message


def test_a_label_without_a_record_names_no_grantor() -> None:
    lost = settle("size-exception", None, HERE, None, ROLES)
    assert (lost.state, lost.actor, lost.delivery_id) == (SUSPENDED, "", "")
    assert "has no grant record" in notice(lost, HERE, ROLES)


def test_roles_are_needed_only_for_a_fresh_claim_on_this_head_and_base() -> None:
    assert needs_role(CLAIM, HERE, None)
    assert needs_role(CLAIM, HERE, "lead")
    assert not needs_role(CLAIM, MOVED, "lead")  # suspended without asking
    assert not needs_role(CLAIM, RETARGETED, "lead")
    assert not needs_role(CLAIM, HERE, "other")
    assert not needs_role(replace(CLAIM, role="maintain"), HERE, None)  # asked once
    assert not needs_role(None, HERE, None)


def test_lines_for_people() -> None:
    granted = replace(CLAIM, role="maintain", state=GRANTED)
    assert granted_line(granted) == (
        "`tier-override/L1` granted by @lead (maintain) on aaaaaaa at 2026-05-04T10:00:00+00:00"
    )
    refused = replace(CLAIM, role="write", state=REFUSED)
    assert "whose role is `write`; only maintain, admin may apply it" in notice(
        refused, HERE, ROLES
    )


def test_grant_labels_follow_the_policy_names() -> None:
    names = LabelPolicy()
    assert is_grant_label("tier-override/L2", names) and is_grant_label("size-exception", names)
    assert not is_grant_label("tier-override/L3", names) and not is_grant_label("bug", names)
