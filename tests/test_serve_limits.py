"""A real `review-tiers serve` under hostile connections: idle sockets, oversized bodies."""

from __future__ import annotations

import json
import resource
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest
import requests

from bot.intake import serving
from bot.intake.serving import IDLE_TIMEOUT_SECONDS
from bot.intake.web import MAX_BODY_BYTES
from tests.builders import free_port
from tests.e2e.harness import ROOT, payload, procfile_command, sign, wait_until

SECRET = "limits-webhook-secret"
IDLE_CONNECTIONS = 150
BODY = json.dumps(payload("pull_request.opened")).encode()


@pytest.fixture
def port(keys: tuple[str, str], redis_url: str, tmp_path: Path) -> Iterator[int]:
    """`review-tiers serve` as the Procfile starts it, with nothing but the required settings."""
    port = free_port()
    env = {
        "GITHUB_APP_ID": "42",
        "GITHUB_PRIVATE_KEY": keys[0],
        "GITHUB_WEBHOOK_SECRET": SECRET,
        "REDIS_URL": redis_url,
        "PORT": str(port),
        "REVIEW_TIERS_WEB_METRICS_PORT": "0",
    }
    with (tmp_path / "web.log").open("ab") as out:
        proc = subprocess.Popen(procfile_command("web"), env=env, stdout=out, stderr=out, cwd=ROOT)
    try:
        wait_until(lambda: healthy(port) or proc.poll() is not None, 20, "serve to answer")
        assert proc.poll() is None, (tmp_path / "web.log").read_text()
        yield port
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)


def healthy(port: int) -> bool:
    try:
        return requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200
    except requests.RequestException:
        return False


def github_headers(body: bytes) -> dict[str, str]:
    return {
        "X-GitHub-Event": "pull_request",
        "X-GitHub-Delivery": str(uuid.uuid4()),
        "X-Hub-Signature-256": sign(body, SECRET),
        "Content-Type": "application/json",
    }


def request_head(body: bytes, framing: str) -> bytes:
    """A delivery's request line and headers, with ``framing`` saying how its body comes."""
    fields = [f"{name}: {value}" for name, value in github_headers(body).items()]
    lines = ["POST /webhook HTTP/1.1", "Host: 127.0.0.1", *fields, framing]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def connect(port: int, stack: ExitStack, timeout: float) -> socket.socket:
    return stack.enter_context(socket.create_connection(("127.0.0.1", port), timeout=timeout))


def test_a_delivery_gets_through_150_idle_half_sent_requests(port: int) -> None:
    with ExitStack() as stack:
        for index in range(IDLE_CONNECTIONS):
            sock = connect(port, stack, 5)
            if index % 2:  # part of the headers, then nothing
                sock.sendall(b"POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nX-GitHub-Ev")
            else:  # whole headers declaring a body, then nothing
                sock.sendall(request_head(BODY, f"Content-Length: {len(BODY)}"))
        started = time.monotonic()
        response = requests.post(
            f"http://127.0.0.1:{port}/webhook",
            data=BODY,
            headers=github_headers(BODY),
            timeout=5,
        )
        elapsed = time.monotonic() - started
    assert response.status_code == 202, response.text
    assert elapsed < 5


def test_an_idle_connection_is_closed_after_the_timeout(port: int) -> None:
    with ExitStack() as stack:
        sock = connect(port, stack, IDLE_TIMEOUT_SECONDS + 10)
        sock.sendall(b"POST /webhook HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        started = time.monotonic()
        assert sock.recv(1024) == b""  # closed by the server, nothing answered
        elapsed = time.monotonic() - started
    assert IDLE_TIMEOUT_SECONDS - 1 <= elapsed <= IDLE_TIMEOUT_SECONDS + 5


def test_a_declared_200_mb_body_is_refused_before_it_is_read(port: int) -> None:
    with ExitStack() as stack:
        sock = connect(port, stack, 5)
        started = time.monotonic()
        sock.sendall(request_head(b"", f"Content-Length: {200 * 1024 * 1024}"))
        answer = sock.recv(4096)
        elapsed = time.monotonic() - started
    assert answer.startswith(b"HTTP/1.1 413 "), answer
    assert elapsed < 2


def test_a_chunked_body_is_cut_at_the_cap(port: int) -> None:
    chunk = b"%x\r\n%s\r\n" % (1024 * 1024, b" " * (1024 * 1024))
    with ExitStack() as stack:
        sock = connect(port, stack, 10)
        sock.sendall(request_head(b"", "Transfer-Encoding: chunked"))
        sent = 0
        while sent <= MAX_BODY_BYTES:  # the server stops reading at the cap
            sock.sendall(chunk)
            sent += len(chunk)
        answer = sock.recv(4096)
    assert answer.startswith(b"HTTP/1.1 413 "), answer
    assert healthy(port)


def test_the_connection_limit_fits_the_open_file_limit(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    limits = {"soft": 256, "hard": 512}

    def setrlimit(kind: int, value: tuple[int, int]) -> None:
        limits["soft"] = value[0]

    monkeypatch.setattr(resource, "getrlimit", lambda kind: (limits["soft"], limits["hard"]))
    monkeypatch.setattr(resource, "setrlimit", setrlimit)
    assert serving.connection_limit() == (512 - serving.FD_RESERVE) // 3  # raised to the hard one
    assert limits["soft"] == 512 and "raise ulimit -n" in caplog.text
    limits.update(soft=1024, hard=resource.RLIM_INFINITY)
    assert serving.connection_limit() == serving.CONNECTION_LIMIT
    assert limits["soft"] == serving.CONNECTION_LIMIT * 3 + serving.FD_RESERVE
    options = serving.server_options()
    assert options["max_request_body_size"] == MAX_BODY_BYTES + 1
    assert options["channel_timeout"] == IDLE_TIMEOUT_SECONDS and options["asyncore_use_poll"]
