"""`review-tiers serve` as several processes: their number, limits, metrics and stop."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from bot.intake import prefork
from bot.intake.serving import server_options
from tests.builders import free_port
from tests.e2e.harness import ROOT, payload, procfile_command, sign, wait_until

SECRET = "processes-webhook-secret"
BODY = json.dumps(payload("pull_request.opened")).encode()


def opened(number: int) -> bytes:
    """A distinct delivery for each pull request: the signed body is a replay's other key."""
    body = payload("pull_request.opened")
    body["number"] = body["pull_request"]["number"] = number
    return json.dumps(body).encode()


@dataclass
class Served:
    proc: subprocess.Popen[bytes]
    port: int
    metrics_port: int
    log: Path

    def children(self) -> list[int]:
        path = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        return [int(pid) for pid in path.read_text().split()]

    def deliver(self, body: bytes = BODY) -> requests.Response:
        headers = {
            "X-GitHub-Event": "pull_request",
            "X-GitHub-Delivery": str(uuid.uuid4()),
            "X-Hub-Signature-256": sign(body, SECRET),
            "Content-Type": "application/json",
        }
        url = f"http://127.0.0.1:{self.port}/webhook"
        return requests.post(url, data=body, headers=headers, timeout=10)

    def deliveries_counted(self) -> float:
        text = requests.get(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=5).text
        return sum(
            float(line.rsplit(" ", 1)[1])
            for line in text.splitlines()
            if line.startswith("review_tiers_deliveries_total{")
        )


def start_serve(keys: tuple[str, str], redis_url: str, tmp_path: Path, processes: str) -> Served:
    port, metrics_port = free_port(), free_port()
    env = {
        "PATH": os.environ["PATH"],
        "GITHUB_APP_ID": "42",
        "GITHUB_PRIVATE_KEY": keys[0],
        "GITHUB_WEBHOOK_SECRET": SECRET,
        "REDIS_URL": redis_url,
        "PORT": str(port),
        "REVIEW_TIERS_WEB_METRICS_PORT": str(metrics_port),
        "REVIEW_TIERS_WEB_PROCESSES": processes,
    }
    log = tmp_path / "web.log"
    with log.open("ab") as out:
        proc = subprocess.Popen(procfile_command("web"), env=env, stdout=out, stderr=out, cwd=ROOT)
    served = Served(proc, port, metrics_port, log)
    wait_until(lambda: healthy(served) or proc.poll() is not None, 30, "serve to answer")
    assert proc.poll() is None, log.read_text()
    return served


def healthy(served: Served) -> bool:
    try:
        url = f"http://127.0.0.1:{served.port}/healthz"
        return requests.get(url, timeout=1).status_code == 200
    except requests.RequestException:
        return False


@pytest.fixture
def three(keys: tuple[str, str], redis_url: str, tmp_path: Path) -> Iterator[Served]:
    served = start_serve(keys, redis_url, tmp_path, "3")
    try:
        yield served
    finally:
        if served.proc.poll() is None:
            served.proc.send_signal(signal.SIGTERM)
            served.proc.wait(15)


def test_the_process_count_comes_from_the_environment(three: Served) -> None:
    wait_until(lambda: len(three.children()) == 3, 20, "three web processes")
    assert prefork.count_from({}, prefork.PROCESSES_VARIABLE, 5) == 5
    name = prefork.PROCESSES_VARIABLE
    assert prefork.count_from({name: " 4 "}, name, 1) == 4
    for bad in ("0", "-1", "two", "1000"):
        with pytest.raises(ValueError, match=prefork.PROCESSES_VARIABLE):
            prefork.count_from({prefork.PROCESSES_VARIABLE: bad}, prefork.PROCESSES_VARIABLE, 1)
    assert server_options(4)["threads"] == 2 and server_options(1)["threads"] == 8
    assert server_options(2, {"REVIEW_TIERS_WEB_THREADS": "3"})["threads"] == 3


def test_a_bad_process_count_stops_serve_with_one_line(
    keys: tuple[str, str], redis_url: str
) -> None:
    env = {
        "PATH": os.environ["PATH"],
        "GITHUB_APP_ID": "42",
        "GITHUB_PRIVATE_KEY": keys[0],
        "GITHUB_WEBHOOK_SECRET": SECRET,
        "REDIS_URL": redis_url,
        "REVIEW_TIERS_WEB_PROCESSES": "many",
    }
    done = subprocess.run(
        procfile_command("web"), env=env, capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 1
    [error] = done.stderr.strip().splitlines()
    assert "REVIEW_TIERS_WEB_PROCESSES" in error


def test_every_process_counts_on_the_one_metrics_port(three: Served) -> None:
    wait_until(lambda: len(three.children()) == 3, 20, "three web processes")
    with ThreadPoolExecutor(8) as pool:  # a connection each: spread over the processes
        answers = list(pool.map(lambda n: three.deliver(opened(n)).status_code, range(1, 31)))
    assert answers == [202] * 30
    assert three.deliveries_counted() == 30
    victim = three.children()[0]
    os.kill(victim, signal.SIGKILL)  # its counts stay; a new process takes its place
    wait_until(
        lambda: victim not in three.children() and len(three.children()) == 3, 20, "a new one"
    )
    replaced = set(three.children())
    time.sleep(3)  # the replacement serves: it is not failing and being replaced again
    assert set(three.children()) == replaced
    assert three.log.read_text().count("starting another") == 1
    assert three.deliver(opened(31)).status_code == 202
    assert wait_until(lambda: three.deliveries_counted() == 31, 10, "31 counted")
    text = requests.get(f"http://127.0.0.1:{three.metrics_port}/metrics", timeout=5).text
    assert "review_tiers_queue_depth 31.0" in text  # read by the parent from Redis


def test_each_process_keeps_the_limits(three: Served) -> None:
    with ExitStack() as stack:
        for index in range(150):  # half-sent requests, spread over every process
            sock = stack.enter_context(socket.create_connection(("127.0.0.1", three.port), 5))
            sock.sendall(b"POST /webhook HTTP/1.1\r\nHost: x\r\nX-GitHub-Ev" if index % 2 else b"P")
        started = time.monotonic()
        assert all(three.deliver(opened(n)).status_code == 202 for n in range(1, 7))
        assert time.monotonic() - started < 5
        big = stack.enter_context(socket.create_connection(("127.0.0.1", three.port), 5))
        big.sendall(
            b"POST /webhook HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % (200 * 2**20)
        )
        assert big.recv(4096).startswith(b"HTTP/1.1 413 ")
        idle = stack.enter_context(socket.create_connection(("127.0.0.1", three.port), 25))
        idle.sendall(b"POST /webhook HTTP/1.1\r\n")
        started = time.monotonic()
        assert idle.recv(1024) == b""  # closed by whichever process took it
        assert 9 <= time.monotonic() - started <= 15


def test_sigterm_stops_every_process(three: Served) -> None:
    wait_until(lambda: len(three.children()) == 3, 20, "three web processes")
    children = three.children()
    with socket.create_connection(("127.0.0.1", three.port), 5):  # an idle client waits on
        three.proc.send_signal(signal.SIGTERM)
        assert three.proc.wait(10) == 0
    for pid in children:
        assert (
            not Path(f"/proc/{pid}").exists()
            or "zombie" in Path(f"/proc/{pid}/status").read_text().lower()
        )
    assert "Traceback" not in three.log.read_text()
