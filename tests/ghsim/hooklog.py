"""The App's webhook delivery log: each delivery sent to its webhook URL, and what it answered."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import requests

# GitHub gives a webhook ten seconds to answer.
DELIVERY_TIMEOUT = 10.0
# A delivery that never reached the App: the REST description's own example pairs this status
# text with 502.
UNREACHABLE = (502, "failed to connect")


def _now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Delivery:
    """One attempt to deliver an event: a first delivery or a redelivery of the same guid."""

    id: int
    guid: str
    event: str
    body: bytes
    status_code: int
    status: str
    redelivery: bool = False
    duration: float = 0.0
    delivered_at: str = field(default_factory=_now_iso)

    def _payload(self) -> dict[str, Any]:
        try:
            data = json.loads(self.body)
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    def item(self) -> dict[str, Any]:
        """GitHub's ``hook-delivery-item``: the attempt without its request and response."""
        data = self._payload()
        installation = data.get("installation") or {}
        repository = data.get("repository") or {}
        return {
            "id": self.id,
            "guid": self.guid,
            "delivered_at": self.delivered_at,
            "redelivery": self.redelivery,
            "duration": self.duration,
            "status": self.status,
            "status_code": self.status_code,
            "event": self.event,
            "action": data.get("action"),
            "installation_id": installation.get("id"),
            "repository_id": repository.get("id"),
            "throttled_at": None,
        }


def signature(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class DeliveryLog:
    """Sends deliveries to the configured webhook URL, logs every attempt, and redelivers."""

    def __init__(self) -> None:
        self.url: str | None = None
        self.secret = ""
        self.items: list[Delivery] = []
        self.lock = threading.Lock()
        self._ids = itertools.count(7_000_001)
        self._threads: list[threading.Thread] = []

    def target(self, url: str, secret: str) -> None:
        self.url, self.secret = url, secret

    def record(
        self, guid: str, event: str, body: bytes, answer: tuple[int, str], redelivery: bool = False
    ) -> Delivery:
        """Log an attempt made elsewhere (or by ``send``) with its status code and text."""
        with self.lock:
            item = Delivery(next(self._ids), guid, event, body, *answer, redelivery=redelivery)
            self.items.append(item)
            return item

    def send(
        self, event: str, body: bytes, guid: str | None = None, redelivery: bool = False
    ) -> Delivery:
        """POST a freshly signed delivery to the webhook URL, as GitHub does, and log it."""
        if self.url is None:
            raise RuntimeError("no webhook URL: call set_webhook() first")
        guid = guid or str(uuid.uuid4())
        headers = {
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": guid,
            "X-Hub-Signature-256": signature(body, self.secret),
            "Content-Type": "application/json",
            "User-Agent": "GitHub-Hookshot/simulator",
        }
        started = time.monotonic()
        try:
            reply = requests.post(self.url, data=body, headers=headers, timeout=DELIVERY_TIMEOUT)
            answer = (
                reply.status_code,
                "OK" if reply.ok else f"Invalid HTTP Response: {reply.status_code}",
            )
        except requests.RequestException:
            answer = UNREACHABLE
        item = self.record(guid, event, body, answer, redelivery)
        item.duration = round(time.monotonic() - started, 3)
        return item

    def find(self, delivery_id: int) -> Delivery | None:
        with self.lock:
            return next((d for d in self.items if d.id == delivery_id), None)

    def redeliver(self, original: Delivery) -> None:
        """Send ``original`` again in the background: GitHub accepts the request (202) first."""
        thread = threading.Thread(
            target=self.send, args=(original.event, original.body, original.guid, True), daemon=True
        )
        with self.lock:
            self._threads.append(thread)
        thread.start()

    def settle(self, timeout: float = 15.0) -> None:
        """Wait until every redelivery started so far has been answered and logged."""
        with self.lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(timeout)

    def newest_first(self) -> list[Delivery]:
        with self.lock:
            return sorted(self.items, key=lambda d: d.id, reverse=True)
