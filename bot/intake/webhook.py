"""Webhook handling without I/O: the signature check, and routing a delivery to requests
through the event handlers of bot.intake.events."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

from bot.intake.events import EVENTS, Delivery, Skip
from bot.intake.payload import PayloadError, optional_at
from bot.state.requests import Request


def verify_signature(secret: str, body: bytes, header: str | None) -> bool:
    """Check an ``X-Hub-Signature-256`` header against the raw body, in constant time."""
    if not secret:
        return False
    return signature_matches(hmac.new(secret.encode(), body, hashlib.sha256).hexdigest(), header)


def signature_matches(expected: str, header: str | None) -> bool:
    """Compare an HMAC-SHA256 hex digest with an ``X-Hub-Signature-256`` header, in constant
    time."""
    if header is None:
        return False
    prefix, _, received = header.strip().partition("=")
    if prefix != "sha256" or not received:
        return False
    # compare_digest refuses non-ASCII str, so compare bytes; header values may hold anything.
    return hmac.compare_digest(expected.encode(), received.lower().encode("utf-8", "replace"))


def route(
    event: str, delivery_id: str, payload: Mapping[str, Any], *, app_id: int, app_slug: str
) -> list[Request] | Skip:
    """Decide what a delivery asks for (see EVENTS), or why it needs nothing."""
    if not isinstance(payload, Mapping):
        raise PayloadError("payload is not a JSON object")
    entry = EVENTS.get(event)
    if entry is None and event.startswith("installation"):
        return Skip("installation event logged")
    app_level = entry is not None and entry.app_level
    if not app_level and optional_at(payload, "sender.login", str) == f"{app_slug}[bot]":
        return Skip("event caused by the app itself")
    if entry is None:
        return Skip(f"event {event} is not handled")
    routed = entry.handle(Delivery(event, delivery_id, payload, app_id))
    if isinstance(routed, Skip) and not app_level:
        return Skip(f"{event}: {routed.reason}")
    return routed
