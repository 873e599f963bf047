"""The grant decision: a label counts only on the head it was granted on, by an allowed role."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.core.config import LabelPolicy
from bot.core.grants import (
    GRANTED,
    REFUSED,
    SUSPENDED,
    Grant,
    granted_line,
    is_grant_label,
    needs_role,
    notice,
    settle,
    suspension_reasons,
)

ROLES = ("maintain", "admin")
CLAIM = Grant("tier-override/L1", "a" * 40, "lead", "2026-05-04T10:00:00+00:00", "d-1")


@pytest.mark.parametrize(
    ("record", "head", "latest", "state", "why"),
    [
        (replace(CLAIM, role="maintain"), "a" * 40, "lead", GRANTED, "maintainer, same head"),
        (replace(CLAIM, role="maintain"), "a" * 40, None, GRANTED, "events silent: trust claim"),
        (replace(CLAIM, role="write"), "a" * 40, "lead", REFUSED, "role not allowed"),
        (replace(CLAIM, role="maintain"), "b" * 40, "lead", SUSPENDED, "the head moved"),
        (CLAIM, "b" * 40, "lead", SUSPENDED, "moved before the role was looked up"),
        (replace(CLAIM, role="maintain"), "a" * 40, "other", SUSPENDED, "an earlier addition"),
        (None, "a" * 40, "lead", SUSPENDED, "no record"),
        (replace(CLAIM, state=REFUSED), "a" * 40, "lead", REFUSED, "removal not done yet"),
        (replace(CLAIM, state=GRANTED, role="admin"), "a" * 40, None, GRANTED, "stays granted"),
    ],
)
def test_settle(record: Grant | None, head: str, latest: str | None, state: str, why: str) -> None:
    assert settle("tier-override/L1", record, head, latest, ROLES).state == state, why


def test_a_suspended_record_keeps_who_granted_it_on_which_head() -> None:
    granted = replace(CLAIM, role="maintain", state=GRANTED)
    suspended = settle(granted.label, granted, "b" * 40, "lead", ROLES)
    assert (suspended.actor, suspended.role, suspended.head_sha) == ("lead", "maintain", "a" * 40)
    sentence = notice(suspended, "b" * 40, ROLES)
    assert "granted by @lead on aaaaaaa, but the head is now bbbbbbb" in sentence
    assert "`grant-suspended`" in sentence and "renew" in sentence
    (reason,) = suspension_reasons([suspended, granted], "b" * 40)
    assert reason.code == "grant-suspended"


def test_a_label_without_a_record_names_no_grantor() -> None:
    lost = settle("size-exception", None, "a" * 40, None, ROLES)
    assert (lost.state, lost.actor, lost.delivery_id) == (SUSPENDED, "", "")
    assert "has no grant record" in notice(lost, "a" * 40, ROLES)


def test_roles_are_needed_only_for_a_fresh_claim_on_this_head() -> None:
    assert needs_role(CLAIM, "a" * 40, None)
    assert needs_role(CLAIM, "a" * 40, "lead")
    assert not needs_role(CLAIM, "b" * 40, "lead")  # suspended without asking
    assert not needs_role(CLAIM, "a" * 40, "other")
    assert not needs_role(replace(CLAIM, role="maintain"), "a" * 40, None)  # asked once
    assert not needs_role(None, "a" * 40, None)


def test_lines_for_people() -> None:
    granted = replace(CLAIM, role="maintain", state=GRANTED)
    assert granted_line(granted) == (
        "`tier-override/L1` granted by @lead (maintain) on aaaaaaa at 2026-05-04T10:00:00+00:00"
    )
    refused = replace(CLAIM, role="write", state=REFUSED)
    assert "whose role is `write`; only maintain, admin may apply it" in notice(refused, "", ROLES)


def test_grant_labels_follow_the_policy_names() -> None:
    names = LabelPolicy()
    assert is_grant_label("tier-override/L2", names) and is_grant_label("size-exception", names)
    assert not is_grant_label("tier-override/L3", names) and not is_grant_label("bug", names)
