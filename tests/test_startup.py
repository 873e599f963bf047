"""Start-up checks: a missing setting or an unreachable Redis stops a process with one line."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from tests.ghsim.clients import app_key_pair


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # nothing listens once the socket is closed


@pytest.fixture(scope="module")
def good_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "REDIS_"))}
    env.update(
        GITHUB_APP_ID="42",
        GITHUB_PRIVATE_KEY=app_key_pair()[0],
        GITHUB_WEBHOOK_SECRET="s3cret-value",
        REVIEW_TIERS_METRICS_PORT="0",
    )
    return env


def start(command: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", command],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("command", ["serve", "worker"])
@pytest.mark.parametrize(
    ("change", "needle"),
    [
        ({"GITHUB_APP_ID": None}, "GITHUB_APP_ID"),
        ({"GITHUB_APP_ID": "abc"}, "GITHUB_APP_ID"),
        ({"GITHUB_PRIVATE_KEY": "not a key"}, "GITHUB_PRIVATE_KEY"),
        ({"GITHUB_WEBHOOK_SECRET": None}, "GITHUB_WEBHOOK_SECRET"),
        ({"REDIS_URL": "http://nope"}, "REDIS_URL"),
        ({"REDIS_URL": f"redis://127.0.0.1:{closed_port()}/0"}, "Redis is unreachable"),
        # A password holding '@' must not leak its tail into the message.
        (
            {"REDIS_URL": f"redis://:s3cret@-value@127.0.0.1:{closed_port()}/0"},
            "Redis is unreachable",
        ),
        ({"REVIEW_TIERS_WEB_METRICS_PORT": "web"}, "REVIEW_TIERS_WEB_METRICS_PORT"),
        ({"GITHUB_WEBHOOK_SECRET_PREVIOUS": " "}, "GITHUB_WEBHOOK_SECRET_PREVIOUS"),
        ({"REVIEW_TIERS_MODE": "observe"}, "REVIEW_TIERS_MODE must be enforce or shadow"),
    ],
    ids=[
        "missing-id",
        "bad-id",
        "bad-key",
        "missing-secret",
        "bad-redis-url",
        "redis-down",
        "redis-down-password",
        "bad-web-metrics-port",
        "blank-previous-secret",
        "bad-mode",
    ],
)
def test_bad_start_stops_with_one_line(
    command: str, change: dict[str, str | None], needle: str, good_env: dict[str, str]
) -> None:
    env = dict(good_env)
    for key, value in change.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    done = start(command, env)
    assert done.returncode == 1
    errors = done.stderr.strip().splitlines()
    assert len(errors) == 1 and needle in errors[0], done.stderr
    assert "Traceback" not in done.stderr
    assert "s3cret-value" not in done.stderr + done.stdout
    assert "-value@" not in done.stderr + done.stdout
    assert "PRIVATE KEY" not in done.stderr + done.stdout


def test_busy_web_metrics_port_stops_serve_with_one_line(
    good_env: dict[str, str], redis_url: str
) -> None:
    with socket.socket() as busy:
        busy.bind(("0.0.0.0", 0))
        busy.listen()
        port = busy.getsockname()[1]
        env = good_env | {"REDIS_URL": redis_url, "REVIEW_TIERS_WEB_METRICS_PORT": str(port)}
        done = start("serve", env)
    assert done.returncode == 1
    [error] = done.stderr.strip().splitlines()
    assert f"cannot serve metrics on port {port}" in error
    assert "REVIEW_TIERS_WEB_METRICS_PORT" in error
