"""The Flask intake: verify a webhook delivery, route it, enqueue its ids, answer at once."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.wrappers import Response as BaseResponse

from bot.intake.events import Skip
from bot.intake.payload import PayloadError, summarize
from bot.intake.signed_body import Body, BodyTooLarge, read_body
from bot.intake.webhook import route
from bot.ops.logs import log_context
from bot.ops.metrics import Metrics, event_label
from bot.ops.settings import AppSettings
from bot.state.requests import CommitRequest, MergeGroupRequest, PushRequest, Request

# GitHub caps webhook payloads at 25 MB; anything larger did not come from GitHub.
MAX_BODY_BYTES = 25 * 1024 * 1024
MAX_HEADER_CHARS = 128

# Queues all requests of one delivery (its id, then the SHA-256 of its signed body, since the id
# header is not signed); False when that delivery was queued before.
Enqueue = Callable[[str, str, Sequence[Request]], bool]
Ready = Callable[[], bool]

log = logging.getLogger(__name__)


@dataclass
class _Result:
    """What one delivery came to: the HTTP answer and the fields of its log line."""

    status: int
    outcome: str
    reason: str
    requests: list[Request] = field(default_factory=list)
    error: BaseException | None = None

    def body(self) -> dict[str, Any]:
        if self.outcome == "queued":
            return {"status": "queued", "count": len(self.requests)}
        if self.outcome in ("ignored", "duplicate"):
            return {"status": "ignored", "reason": self.reason}
        return {"status": "error", "reason": self.reason}


def create_app(
    settings: AppSettings, enqueue: Enqueue, ready: Ready, metrics: Metrics | None = None
) -> Flask:
    """Build the web app around injected settings, a queue writer, a readiness probe and
    (optionally) the process's metrics; those are served on a port of their own, never here."""
    app = Flask(__name__)
    # Werkzeug stops reading a chunked body past this size; _read_signed_body answers 413.
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES

    @app.post("/webhook")
    def webhook() -> tuple[Response, int]:
        summary: dict[str, Any] = {}
        response, result = _deliver(settings, enqueue, summary)
        if metrics is not None:
            event = event_label(request.headers.get("X-GitHub-Event", ""), summary["verified"])
            metrics.deliveries.labels(event, result.outcome).inc()
        return response, result.status

    @app.get("/healthz")
    def healthz() -> tuple[Response, int]:
        return jsonify(status="ok"), 200

    @app.get("/readyz")
    def readyz() -> tuple[Response, int]:
        try:
            is_ready = bool(ready())
        except Exception:  # the probe must answer even when its dependency is broken
            log.warning("readiness check failed", exc_info=True)
            is_ready = False
        if is_ready:
            return jsonify(status="ready"), 200
        return jsonify(status="unavailable"), 503

    app.register_error_handler(HTTPException, _http_error)
    return app


def _http_error(error: HTTPException) -> BaseResponse:
    """Flask's own errors (413, 404, 405) as JSON, keeping headers such as Allow."""
    response = error.get_response()
    response.set_data(json.dumps({"status": "error", "reason": (error.name or "error").lower()}))
    response.content_type = "application/json"
    return response


def _deliver(
    settings: AppSettings, enqueue: Enqueue, summary: dict[str, Any]
) -> tuple[Response, _Result]:
    """Handle one delivery and write its single log line, whatever happens; ``summary`` says
    whether its signature was verified (even when a later step raised)."""
    started = time.monotonic()
    delivery_id = request.headers.get("X-GitHub-Delivery", "")[:MAX_HEADER_CHARS]
    event = request.headers.get("X-GitHub-Event", "")[:MAX_HEADER_CHARS]
    summary["verified"] = False
    with log_context(delivery_id=delivery_id or None, event=event or None):
        try:
            result = _process(settings, enqueue, summary)
        except Exception as err:  # the view is the boundary: answer 500 as JSON
            result = _Result(500, "error", "internal error", error=err)
        _log_delivery(result, summary, started)
    return jsonify(result.body()), result


def _process(settings: AppSettings, enqueue: Enqueue, summary: dict[str, Any]) -> _Result:
    """Body, headers, JSON, route, enqueue: each step can end the delivery."""
    body = _read_signed_body(settings.webhook_secrets)
    if isinstance(body, _Result):
        return body
    summary["verified"] = True
    delivery_id = request.headers.get("X-GitHub-Delivery", "")
    event = request.headers.get("X-GitHub-Event", "")
    if not delivery_id or not event:
        return _Result(400, "rejected", "missing X-GitHub-Event or X-GitHub-Delivery header")
    payload = _parse(body.data)
    if payload is None:
        return _Result(400, "rejected", "body is not a JSON object")
    summary.update(summarize(payload))
    try:
        routed = route(
            event, delivery_id, payload, app_id=settings.app_id, app_slug=settings.app_slug
        )
    except PayloadError as err:
        return _Result(400, "rejected", str(err))
    if isinstance(routed, Skip):
        return _Result(200, "ignored", routed.reason)
    return _enqueue_all(enqueue, (delivery_id, body.sha256), routed)


def _read_signed_body(secrets: Sequence[str]) -> Body | _Result:
    """The raw body once its size and signature pass, else the rejection.

    The body is read once, in pieces, into one buffer while its signature is computed, so an
    unsigned request costs its size in memory and nothing more; nothing in it is trusted, or
    parsed, before the signature matches.
    """
    signature = request.headers.get("X-Hub-Signature-256")
    length = request.content_length
    try:
        if length is not None and length > MAX_BODY_BYTES:
            raise BodyTooLarge  # refused before a byte of the body is read
        body = read_body(request.stream, length, MAX_BODY_BYTES, secrets, signature)
    except (BodyTooLarge, RequestEntityTooLarge):
        return _Result(413, "rejected", "payload too large")
    if not body.signed:
        reason = "missing X-Hub-Signature-256" if signature is None else "invalid signature"
        return _Result(401, "rejected", reason)
    return body


def _parse(body: bytes | bytearray) -> dict[str, Any] | None:
    """The JSON object in ``body``, or None when it is not one."""
    try:
        payload = json.loads(body)
    except (ValueError, RecursionError):
        # ValueError covers bad JSON and bad UTF-8; RecursionError deeply nested arrays.
        return None
    return payload if isinstance(payload, dict) else None


def _enqueue_all(enqueue: Enqueue, delivery: tuple[str, str], requests: list[Request]) -> _Result:
    try:
        fresh = enqueue(*delivery, requests)
    except Exception as err:  # any queue failure: GitHub marks the delivery failed for redelivery
        return _Result(503, "error", "queue unavailable", requests, err)
    if not fresh:
        # A replay, or GitHub's redelivery of one already answered 202: queue nothing again.
        return _Result(200, "duplicate", "duplicate delivery", requests)
    return _Result(202, "queued", f"{len(requests)} evaluation(s) queued", requests)


def _log_delivery(result: _Result, summary: dict[str, Any], started: float) -> None:
    """The one log line of a delivery; a metrics hook would read the same result."""
    numbers = {
        r.number
        for r in result.requests
        if not isinstance(r, CommitRequest | MergeGroupRequest | PushRequest)
    }
    fields = {
        "action": summary.get("action"),
        "installation_id": summary.get("installation_id"),
        "repository": summary.get("repository"),
        "pull_number": next(iter(numbers)) if len(numbers) == 1 else None,
        "outcome": result.outcome,
        "reason": result.reason,
        "http_status": result.status,
        "duration_ms": round((time.monotonic() - started) * 1000, 2),
    }
    level = logging.ERROR if result.status >= 500 else logging.INFO
    if 400 <= result.status < 500:
        level = logging.WARNING
    error = result.error
    exc_info = (type(error), error, error.__traceback__) if error is not None else None
    log.log(level, "webhook delivery %s", result.outcome, extra=fields, exc_info=exc_info)
