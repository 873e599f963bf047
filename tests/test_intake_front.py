"""The webhook route in front of Flask: signature before parsing, answers as Flask gave them."""

from __future__ import annotations

import io
from typing import Any

import orjson
import pytest
from flask import Flask
from flask.testing import FlaskClient

from bot.intake import web
from tests.test_web import (
    BODY,
    DELIVERY,
    Queue,
    app,
    client,
    log_lines,
    log_stream,
    post,
    queue,
    signature,
)

__all__ = ["app", "client", "log_stream", "queue"]  # fixtures shared with tests/test_web.py


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """Every body handed to the JSON parser."""
    seen: list[bytes] = []
    loads = orjson.loads

    def recording(data: Any) -> Any:
        seen.append(bytes(data))
        return loads(data)

    monkeypatch.setattr(web.orjson, "loads", recording)
    return seen


def test_a_bad_signature_is_refused_before_the_body_is_parsed(
    client: FlaskClient, queue: Queue, parsed: list[bytes], log_stream: io.StringIO
) -> None:
    bad = post(client, "pull_request", BODY, X_Hub_Signature_256=signature(BODY, "guess"))
    sha1 = post(client, "pull_request", BODY, X_Hub_Signature_256=signature(BODY, algorithm="sha1"))
    assert (bad.status_code, bad.json) == (401, {"status": "error", "reason": "invalid signature"})
    assert sha1.status_code == 401  # only X-Hub-Signature-256 counts
    assert parsed == [] and queue.requests == []
    assert post(client, "pull_request", BODY).status_code == 202
    assert parsed == [BODY]
    assert [line["http_status"] for line in log_lines(log_stream)] == [401, 401, 202]


@pytest.mark.parametrize(
    "body", [b"{not json", b"[1, 2]", b'{"a": 1e999999}x', b"\xff\xfe", b"[" * 2000 + b"]" * 2000]
)
def test_a_signed_body_that_is_no_json_object_is_a_400(
    client: FlaskClient, queue: Queue, body: bytes
) -> None:
    response = post(client, "pull_request", body)
    assert (response.status_code, response.json) == (
        400,
        {"status": "error", "reason": "body is not a JSON object"},
    )
    assert queue.requests == []


def test_answers_are_json_lines_with_their_length(client: FlaskClient) -> None:
    response = post(client, "pull_request", BODY)
    assert response.status_code == 202
    assert response.data == b'{"count":1,"status":"queued"}\n'
    assert response.headers["Content-Type"] == "application/json"
    assert response.headers["Content-Length"] == str(len(response.data))


def test_other_methods_and_paths_still_get_flask_answers(client: FlaskClient) -> None:
    wrong = client.get("/webhook")
    assert (wrong.status_code, wrong.json) == (
        405,
        {"status": "error", "reason": "method not allowed"},
    )
    assert "POST" in wrong.headers["Allow"]
    assert client.post("/webhook/").status_code == 404
    assert client.get("/healthz").json == {"status": "ok"}


def test_the_flask_view_answers_the_same_when_the_front_is_bypassed(
    app: Flask, queue: Queue
) -> None:
    app.wsgi_app = app.wsgi_app.flask_app  # type: ignore[attr-defined,method-assign]
    response = post(app.test_client(), "pull_request", BODY)
    assert (response.status_code, response.json) == (202, {"status": "queued", "count": 1})
    assert queue.requests[0].delivery_id == DELIVERY
