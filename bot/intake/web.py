"""The Flask intake: verify a webhook delivery, route it, enqueue its ids, answer at once."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import orjson
from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge
from werkzeug.wrappers import Response as BaseResponse
from werkzeug.wsgi import get_content_length, get_input_stream

from bot.intake.events import Skip
from bot.intake.outcome import Result, log_delivery
from bot.intake.payload import PayloadError, summarize
from bot.intake.signed_body import Body, BodyTooLarge, read_body
from bot.intake.webhook import route
from bot.ops.logs import log_context
from bot.ops.metrics import Metrics, event_label
from bot.ops.settings import AppSettings
from bot.state.requests import Request

# GitHub caps webhook payloads at 25 MB; anything larger did not come from GitHub.
MAX_BODY_BYTES = 25 * 1024 * 1024
MAX_HEADER_CHARS = 128

# Queues all requests of one delivery (its id, then the SHA-256 of its signed body, since the id
# header is not signed); False when that delivery was queued before.
Enqueue = Callable[[str, str, Sequence[Request]], bool]
Ready = Callable[[], bool]

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


def create_app(
    settings: AppSettings, enqueue: Enqueue, ready: Ready, metrics: Metrics | None = None
) -> Flask:
    """Build the web app around injected settings, a queue writer, a readiness probe and
    (optionally) the process's metrics; those are served on a port of their own, never here.

    ``POST /webhook`` is answered by a plain WSGI handler in front of Flask: a delivery needs
    none of Flask's request machinery, which cost more than the delivery's own work.
    """
    app = Flask(__name__)
    # Werkzeug stops reading a chunked body past this size; _read_signed_body answers 413.
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    intake = WebhookIntake(settings, enqueue, metrics)

    @app.post("/webhook")
    def webhook() -> Response:  # the same handler, for a mount that bypasses the front
        status, body = intake.answer(request.environ)
        return Response(body, status, mimetype="application/json")

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
    app.wsgi_app = _Front(app.wsgi_app, intake)  # type: ignore[method-assign]
    return app


class _Front:
    """WSGI: ``POST /webhook`` to the intake, everything else (and its errors) to Flask."""

    def __init__(self, flask_app: WSGIApplication, intake: WebhookIntake) -> None:
        self.flask_app = flask_app
        self.intake = intake

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/webhook" and environ.get("REQUEST_METHOD") == "POST":
            status, body = self.intake.answer(environ)
            headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
            start_response(_STATUS_LINES[status], headers)
            return [body]
        return self.flask_app(environ, start_response)


_STATUS_LINES = {status.value: f"{status.value} {status.phrase}" for status in HTTPStatus}


class WebhookIntake:
    """One delivery from its WSGI environ to its answer: status code and JSON body."""

    def __init__(self, settings: AppSettings, enqueue: Enqueue, metrics: Metrics | None) -> None:
        self.settings = settings
        self.enqueue = enqueue
        self.metrics = metrics

    def answer(self, environ: WSGIEnvironment) -> tuple[int, bytes]:
        summary: dict[str, Any] = {}
        result = _deliver(self.settings, self.enqueue, environ, summary)
        if self.metrics is not None:
            event = event_label(environ.get("HTTP_X_GITHUB_EVENT", ""), summary["verified"])
            self.metrics.deliveries.labels(event, result.outcome).inc()
        return result.status, orjson.dumps(result.body(), option=_JSON_OPTIONS)


# As Flask's jsonify writes it: sorted keys, one line.
_JSON_OPTIONS = orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE


def _http_error(error: HTTPException) -> BaseResponse:
    """Flask's own errors (413, 404, 405) as JSON, keeping headers such as Allow."""
    response = error.get_response()
    response.set_data(json.dumps({"status": "error", "reason": (error.name or "error").lower()}))
    response.content_type = "application/json"
    return response


def _deliver(
    settings: AppSettings, enqueue: Enqueue, environ: WSGIEnvironment, summary: dict[str, Any]
) -> Result:
    """Handle one delivery and write its single log line, whatever happens; ``summary`` says
    whether its signature was verified (even when a later step raised)."""
    started = time.monotonic()
    delivery_id = environ.get("HTTP_X_GITHUB_DELIVERY", "")[:MAX_HEADER_CHARS]
    event = environ.get("HTTP_X_GITHUB_EVENT", "")[:MAX_HEADER_CHARS]
    summary["verified"] = False
    with log_context(delivery_id=delivery_id or None, event=event or None):
        try:
            result = _process(settings, enqueue, environ, summary)
        except Exception as err:  # the handler is the boundary: answer 500 as JSON
            result = Result(500, "error", "internal error", error=err)
        log_delivery(result, summary, started)
    return result


def _process(
    settings: AppSettings, enqueue: Enqueue, environ: WSGIEnvironment, summary: dict[str, Any]
) -> Result:
    """Body, headers, JSON, route, enqueue: each step can end the delivery."""
    body = _read_signed_body(environ, settings.webhook_secrets)
    if isinstance(body, Result):
        return body
    summary["verified"] = True
    delivery_id = environ.get("HTTP_X_GITHUB_DELIVERY", "")
    event = environ.get("HTTP_X_GITHUB_EVENT", "")
    if not delivery_id or not event:
        return Result(400, "rejected", "missing X-GitHub-Event or X-GitHub-Delivery header")
    payload = _parse(body.data)
    if payload is None:
        return Result(400, "rejected", "body is not a JSON object")
    summary.update(summarize(payload))
    try:
        routed = route(
            event, delivery_id, payload, app_id=settings.app_id, app_slug=settings.app_slug
        )
    except PayloadError as err:
        return Result(400, "rejected", str(err))
    if isinstance(routed, Skip):
        return Result(200, "ignored", routed.reason)
    return _enqueue_all(enqueue, (delivery_id, body.sha256), routed)


def _read_signed_body(environ: WSGIEnvironment, secrets: Sequence[str]) -> Body | Result:
    """The raw body once its size and signature pass, else the rejection.

    The body is read once, in pieces, into one buffer while its signature is computed, so an
    unsigned request costs its size in memory and nothing more; nothing in it is trusted, or
    parsed, before the signature matches.
    """
    signature = environ.get("HTTP_X_HUB_SIGNATURE_256")
    length = get_content_length(environ)
    try:
        if length is not None and length > MAX_BODY_BYTES:
            raise BodyTooLarge  # refused before a byte of the body is read
        # Werkzeug's stream, as Flask's: bounded by the declared length, or by the cap when
        # the server says that it ends a chunked stream itself.
        stream = get_input_stream(environ, max_content_length=MAX_BODY_BYTES)
        body = read_body(stream, length, MAX_BODY_BYTES, secrets, signature)
    except (BodyTooLarge, RequestEntityTooLarge):
        return Result(413, "rejected", "payload too large")
    if not body.signed:
        reason = "missing X-Hub-Signature-256" if signature is None else "invalid signature"
        return Result(401, "rejected", reason)
    return body


def _parse(body: bytes | bytearray) -> dict[str, Any] | None:
    """The JSON object in ``body``, or None when it is not one."""
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        # Bad JSON, bad UTF-8, nesting deeper than 1024, integers beyond 64 bits.
        return None
    return payload if isinstance(payload, dict) else None


def _enqueue_all(enqueue: Enqueue, delivery: tuple[str, str], requests: list[Request]) -> Result:
    try:
        fresh = enqueue(*delivery, requests)
    except Exception as err:  # any queue failure: GitHub marks the delivery failed for redelivery
        return Result(503, "error", "queue unavailable", requests, err)
    if not fresh:
        # A replay, or GitHub's redelivery of one already answered 202: queue nothing again.
        return Result(200, "duplicate", "duplicate delivery", requests)
    return Result(202, "queued", f"{len(requests)} evaluation(s) queued", requests)
