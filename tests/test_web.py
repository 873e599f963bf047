"""The Flask intake, driven through its test client with signed real payloads."""

from __future__ import annotations

import copy
import hmac
import io
import json
import logging
import threading
import tracemalloc
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from bot.intake.web import MAX_BODY_BYTES, create_app
from bot.intake.webhook import Skip, route
from bot.ops.logs import configure_logging, log_context, redact
from bot.ops.settings import AppSettings
from bot.state.requests import EvaluateRequest, Request

WEBHOOKS = Path(__file__).parent / "fixtures/webhooks"
SECRET = "It's a Secret to Everybody"
APP_ID = 4242
DELIVERY = "72d3162e-cc78-11e3-81ab-4c9367dc0958"
SETTINGS = AppSettings(app_id=APP_ID, private_key="unused here", webhook_secret=SECRET)


@dataclass
class Queue:
    """A recording stand-in for the queue: keeps requests, or fails like a dead Redis.

    The real writer, with its replay record, is tested on Redis in tests/test_deliveries.py.
    """

    requests: list[Request] = field(default_factory=list)
    error: Exception | None = None
    healthy: bool | None = True

    def enqueue(self, delivery_id: str, body_sha256: str, requests: Sequence[Request]) -> bool:
        if self.error is not None:
            raise self.error
        assert {r.delivery_id for r in requests} <= {delivery_id} and len(body_sha256) == 64
        self.requests.extend(requests)
        return True

    def ready(self) -> bool:
        if self.healthy is None:
            raise ConnectionError("redis://:hunter2@cache:6379 refused")
        return self.healthy


@pytest.fixture
def log_stream() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    stream = io.StringIO()
    configure_logging("INFO", stream=stream)
    yield stream
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def queue() -> Queue:
    return Queue()


@pytest.fixture
def app(queue: Queue, log_stream: io.StringIO) -> Flask:
    return create_app(SETTINGS, queue.enqueue, queue.ready)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def log_lines(stream: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def signature(body: bytes, secret: str = SECRET, algorithm: str = "sha256") -> str:
    return f"{algorithm}=" + hmac.new(secret.encode(), body, algorithm).hexdigest()


def post(client: FlaskClient, event: str, body: bytes, **headers: str) -> TestResponse:
    sent = {
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": DELIVERY,
        "X-Hub-Signature-256": signature(body),
        "Content-Type": "application/json",
    }
    sent.update({name.replace("_", "-"): value for name, value in headers.items()})
    return client.post("/webhook", data=body, headers={k: v for k, v in sent.items() if v})


def fixture_body(name: str) -> bytes:
    payload = json.loads((WEBHOOKS / f"{name}.json").read_text(encoding="utf-8"))
    if "installation" not in payload and name.startswith("check_"):
        # These two examples come without an installation; a copy gets one, as GitHub sends.
        payload = copy.deepcopy(payload) | {"installation": {"id": 1}}
    return json.dumps(payload).encode()


FIXTURES = sorted(path.stem for path in WEBHOOKS.glob("*.json"))


@pytest.mark.parametrize("name", FIXTURES)
def test_signed_real_payload(
    name: str, client: FlaskClient, queue: Queue, log_stream: io.StringIO
) -> None:
    body = fixture_body(name)
    event = name.partition(".")[0]
    expected = route(event, DELIVERY, json.loads(body), app_id=APP_ID, app_slug="review-tiers")
    response = post(client, event, body)
    if isinstance(expected, Skip):
        assert (response.status_code, response.json) == (
            200,
            {"status": "ignored", "reason": expected.reason},
        )
        assert queue.requests == []
    else:
        assert response.status_code == 202
        assert response.json == {"status": "queued", "count": len(expected)}
        assert queue.requests == expected
    [line] = log_lines(log_stream)
    assert line["delivery_id"] == DELIVERY and line["event"] == event


def test_queued_pull_request(client: FlaskClient, queue: Queue, log_stream: io.StringIO) -> None:
    response = post(client, "pull_request", fixture_body("pull_request.synchronize"))
    assert response.status_code == 202
    assert queue.requests == [
        EvaluateRequest(DELIVERY, "pull_request", 1, "Codertocat", "Hello-World", 2)
    ]
    [line] = log_lines(log_stream)
    assert line["message"] == "webhook delivery queued"
    assert {k: line[k] for k in ("action", "installation_id", "repository", "pull_number")} == {
        "action": "synchronize",
        "installation_id": 1,
        "repository": "Codertocat/Hello-World",
        "pull_number": 2,
    }
    assert (line["outcome"], line["http_status"], line["level"]) == ("queued", 202, "INFO")
    assert isinstance(line["duration_ms"], float) and line["ts"].endswith("+00:00")


BODY = fixture_body("pull_request.opened")


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (signature(BODY, "wrong secret"), "invalid signature"),
        (signature(BODY + b"\n"), "invalid signature"),
        ("sha256=", "invalid signature"),
        ("", "missing X-Hub-Signature-256"),
    ],
    ids=["wrong secret", "other body", "empty", "missing"],
)
def test_bad_signature(
    header: str, reason: str, client: FlaskClient, queue: Queue, log_stream: io.StringIO
) -> None:
    response = post(client, "pull_request", BODY, X_Hub_Signature_256=header)
    assert (response.status_code, response.json) == (401, {"status": "error", "reason": reason})
    assert queue.requests == []
    [line] = log_lines(log_stream)
    assert (line["outcome"], line["level"], line["delivery_id"]) == (
        "rejected",
        "WARNING",
        DELIVERY,
    )


def test_sha1_signature_alone_is_refused(client: FlaskClient, queue: Queue) -> None:
    response = post(
        client,
        "pull_request",
        BODY,
        X_Hub_Signature_256="",
        X_Hub_Signature=signature(BODY, algorithm="sha1"),
    )
    assert response.status_code == 401
    assert queue.requests == []


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[1, 2]", b"\xff\xfe{}", b"", b"null", b"[" * 100_000 + b"]" * 100_000],
    ids=["broken", "array", "bad utf-8", "empty", "null", "deeply nested"],
)
def test_body_that_is_not_a_json_object(body: bytes, client: FlaskClient, queue: Queue) -> None:
    response = post(client, "pull_request", body)
    assert (response.status_code, response.json) == (
        400,
        {"status": "error", "reason": "body is not a JSON object"},
    )
    assert queue.requests == []


@pytest.mark.parametrize("missing", ["X_GitHub_Event", "X_GitHub_Delivery"])
def test_missing_github_header(missing: str, client: FlaskClient, queue: Queue) -> None:
    response = post(client, "pull_request", BODY, **{missing: ""})
    assert response.status_code == 400
    assert "X-GitHub-Event or X-GitHub-Delivery" in response.json["reason"]
    assert queue.requests == []


def test_malformed_payload(client: FlaskClient, queue: Queue, log_stream: io.StringIO) -> None:
    payload = json.loads(BODY)
    del payload["installation"]
    response = post(client, "pull_request", json.dumps(payload).encode())
    assert response.status_code == 400
    assert response.json["reason"] == "no installation id: is this delivery for a GitHub App?"
    assert queue.requests == []
    [line] = log_lines(log_stream)
    assert line["reason"] == response.json["reason"]


def test_body_over_the_cap(client: FlaskClient, queue: Queue, log_stream: io.StringIO) -> None:
    body = b" " * (MAX_BODY_BYTES + 1)
    response = post(client, "pull_request", body)
    assert (response.status_code, response.json) == (
        413,
        {"status": "error", "reason": "payload too large"},
    )
    assert queue.requests == []
    assert client.get("/healthz").status_code == 200
    assert post(client, "pull_request", BODY).status_code == 202
    assert [line["http_status"] for line in log_lines(log_stream)] == [413, 202]


def test_chunked_body_over_the_cap(client: FlaskClient, queue: Queue) -> None:
    # Without Content-Length the cap is enforced while reading the stream.
    response = client.post(
        "/webhook",
        input_stream=io.BytesIO(b" " * (MAX_BODY_BYTES + 1)),
        headers={"Transfer-Encoding": "chunked", "X-GitHub-Event": "pull_request"},
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert (response.status_code, response.json["reason"]) == (413, "payload too large")
    assert client.get("/healthz").json == {"status": "ok"}


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_an_unsigned_body_costs_its_size_once(client: FlaskClient, declared: bool) -> None:
    # Several threads may each hold a body as large as the cap: each must cost it once.
    body = b"a" * (5 * 2**20)
    headers = {"X-GitHub-Event": "push", "X-GitHub-Delivery": "d", "X-Hub-Signature-256": "x"}
    headers |= {"Content-Length": str(len(body))} if declared else {"Transfer-Encoding": "chunked"}
    # waitress declares the length even of a chunked body; a server that does not must say
    # that it ends the stream itself.
    environ = {} if declared else {"wsgi.input_terminated": True}
    stream = io.BytesIO(body)
    tracemalloc.start()
    try:
        response = client.post("/webhook", data=stream, headers=headers, environ_overrides=environ)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 401
    assert peak < 1.3 * len(body), f"peak {peak / 2**20:.1f} MiB for a 5 MiB body"


def test_queue_down(client: FlaskClient, queue: Queue, log_stream: io.StringIO) -> None:
    queue.error = ConnectionError("Error 111 connecting to redis:6379 (token ghs_" + "a" * 36 + ")")
    response = post(client, "pull_request", BODY)
    assert (response.status_code, response.json) == (
        503,
        {"status": "error", "reason": "queue unavailable"},
    )
    [line] = log_lines(log_stream)
    assert (line["level"], line["outcome"], line["delivery_id"]) == ("ERROR", "error", DELIVERY)
    assert "ConnectionError" in line["exc"] and "ghs_" not in line["exc"]
    assert "[redacted]" in line["exc"]


def test_unexpected_error_is_a_json_500(
    client: FlaskClient, queue: Queue, log_stream: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_route(*args: object, **kwargs: object) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr("bot.intake.web.route", broken_route)
    response = post(client, "pull_request", BODY)
    assert (response.status_code, response.json) == (
        500,
        {"status": "error", "reason": "internal error"},
    )
    assert queue.requests == []
    [line] = log_lines(log_stream)
    assert line["level"] == "ERROR" and "RuntimeError: bug" in line["exc"]
    assert client.get("/healthz").status_code == 200


def test_wrong_type_in_payload_is_a_400(client: FlaskClient) -> None:
    response = post(client, "status", b'{"sha": 7, "installation": {"id": 1}}')
    assert response.status_code == 400
    assert response.json["reason"] == "payload field sha is integer, not string"


@pytest.mark.parametrize(
    ("healthy", "status"), [(True, 200), (False, 503), (None, 503)], ids=["up", "down", "raising"]
)
def test_readyz(
    healthy: bool | None, status: int, client: FlaskClient, queue: Queue, log_stream: io.StringIO
) -> None:
    queue.healthy = healthy
    response = client.get("/readyz")
    assert response.status_code == status
    assert "hunter2" not in log_stream.getvalue()


def test_healthz(client: FlaskClient) -> None:
    assert (client.get("/healthz").status_code, client.get("/healthz").json) == (
        200,
        {"status": "ok"},
    )


def test_framework_errors_are_json(client: FlaskClient) -> None:
    missing = client.get("/nowhere")
    assert (missing.status_code, missing.json) == (404, {"status": "error", "reason": "not found"})
    wrong_method = client.get("/webhook")
    assert wrong_method.status_code == 405 and wrong_method.json["status"] == "error"
    assert "POST" in wrong_method.headers["Allow"]


def test_log_line_never_holds_the_secret_or_body(
    client: FlaskClient, log_stream: io.StringIO
) -> None:
    post(client, "pull_request", BODY)
    post(client, "pull_request", BODY, X_Hub_Signature_256=signature(BODY, "nope"))
    post(client, "ping", fixture_body("ping"))
    text = log_stream.getvalue()
    assert len(log_lines(log_stream)) == 3
    assert SECRET not in text and signature(BODY) not in text
    assert "pretty simple change" not in text  # a phrase from the pull request body


JWT = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiI0MiJ9.c2lnbmF0dXJl"
PEM_BLOCK = "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nAAAA\n-----END RSA PRIVATE KEY-----"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("token ghs_16C7e42F292c6912E7710c838347Ae178B4a ok", "token [redacted] ok"),
        ("ghp_abcdefghijklmnopqrstuvwxyz0123456789", "[redacted]"),
        ("github_pat_11ABCDEFG0123456789_abcdefghijklmnop", "[redacted]"),
        (f"Bearer {JWT}", "Bearer [redacted]"),
        (f"key={PEM_BLOCK}!", "key=[redacted]!"),
        ("-----BEGIN PRIVATE KEY-----\nMIIEvQ cut here", "[redacted]"),
        ("redis://:hunter2@cache:6379/0", "redis://:[redacted]@cache:6379/0"),
        ("pull request #2 by ghost, sha 6113728f", "pull request #2 by ghost, sha 6113728f"),
    ],
    ids=["ghs", "ghp", "github_pat", "jwt", "pem", "cut pem", "url password", "plain"],
)
def test_redact(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_log_line_format(log_stream: io.StringIO) -> None:
    logger = logging.getLogger("review_tiers.test")
    with log_context(delivery_id="d-1", repository="o/r"), log_context(pull_number=2):
        logger.info("token %s", "ghs_" + "x" * 36, extra={"outcome": "done"})
    logger.info("outside")
    try:
        raise ValueError(f"bad key\n{PEM_BLOCK}")
    except ValueError:
        logger.exception("failed")
    first, second, third = log_lines(log_stream)
    assert first["message"] == "token [redacted]" and first["logger"] == "review_tiers.test"
    assert {k: first[k] for k in ("delivery_id", "repository", "pull_number", "outcome")} == {
        "delivery_id": "d-1",
        "repository": "o/r",
        "pull_number": 2,
        "outcome": "done",
    }
    assert "delivery_id" not in second
    assert third["level"] == "ERROR" and third["exc"].startswith("Traceback")
    assert "ValueError: bad key" in third["exc"] and "MIIEow" not in third["exc"]
    assert len(log_stream.getvalue().splitlines()) == 3


def test_log_context_stays_in_its_thread(log_stream: io.StringIO) -> None:
    logger = logging.getLogger("review_tiers.test")
    ready, done = threading.Event(), threading.Event()

    def other_thread() -> None:
        with log_context(delivery_id="thread"):
            ready.set()
            done.wait(5)
            logger.info("from thread")

    worker = threading.Thread(target=other_thread)
    worker.start()
    ready.wait(5)
    with log_context(delivery_id="main"):
        logger.info("from main")
    done.set()
    worker.join(5)
    by_message = {line["message"]: line["delivery_id"] for line in log_lines(log_stream)}
    assert by_message == {"from main": "main", "from thread": "thread"}
