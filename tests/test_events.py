"""The event table covers every event the App subscribes to, and skips any other with a
reason."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.intake.events import EVENTS
from bot.intake.webhook import Skip, route

MANIFEST = Path(__file__).resolve().parent.parent / "app.yml"
SUBSCRIBED = yaml.safe_load(MANIFEST.read_text())["default_events"]
PAYLOAD = {"action": "created", "installation": {"id": 1}, "sender": {"login": "dev"}}


@pytest.mark.parametrize("event", SUBSCRIBED)
def test_every_subscribed_event_has_a_handler(event: str) -> None:
    assert event in EVENTS


def test_github_sends_every_app_these_without_a_subscription() -> None:
    assert {"ping", "installation", "installation_repositories"} <= set(EVENTS)
    assert all(EVENTS[e].app_level for e in ("ping", "installation", "installation_repositories"))
    assert not any(EVENTS[e].app_level for e in SUBSCRIBED)


@pytest.mark.parametrize(
    ("event", "reason"),
    [
        ("deployment_status", "event deployment_status is not handled"),
        ("deployment", "event deployment is not handled"),
        ("installation_target", "installation event logged"),
    ],
)
def test_an_unknown_event_is_skipped_with_a_reason(event: str, reason: str) -> None:
    assert route(event, "d-1", PAYLOAD, app_id=1, app_slug="review-tiers") == Skip(reason)
