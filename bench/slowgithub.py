"""The App's processes against the GitHub simulator behind a proxy that adds a fixed latency.

Shared by ``bench/latency.py`` and ``bench/workers.py``. The simulator, the Redis database and
the serve and worker processes are set up by the end-to-end harness (``tests/e2e/harness.py``);
the workers' ``GITHUB_API_URL`` points at the proxy, which waits ``delay`` seconds before it
forwards each request (the fault proxy of ``tests/faults`` with one slowdown for every path)
and records when each request arrived and when its reply was ready.
"""

from __future__ import annotations

import math
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from redis import Redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the harness lives with the tests

from tests.builders import file_entry, free_port
from tests.e2e.harness import (
    OWNER,
    REPO,
    SECRET,
    Processes,
    app_env,
    payload,
    running_app,
    seed_repository,
)
from tests.faults.proxy import FaultProxy, Reply
from tests.ghsim import GitHubSimulator

CHECK_RUNS = "/repos/{owner}/{repo}/check-runs"


@dataclass(frozen=True)
class Span:
    """One proxied request: when it reached the proxy and when its reply was ready (epoch s)."""

    began: float
    ended: float
    method: str
    path: str
    status: int


class LatencyProxy(FaultProxy):
    """Forwards every request ``delay`` seconds after it arrived, and keeps its span."""

    def __init__(self, upstream: str, delay: float) -> None:
        super().__init__(upstream)
        self.delay = delay
        self.slow("", delay)  # an empty pattern matches every path
        self.spans: list[Span] = []
        self._spans_lock = threading.Lock()

    def forward(self, method: str, path: str, headers: list[tuple[str, str]], body: bytes) -> Reply:
        began = time.time() - self.delay
        reply = super().forward(method, path, headers, body)
        with self._spans_lock:
            self.spans.append(Span(began, time.time(), method, path, reply.status))
        return reply

    def spans_between(self, start: float, end: float) -> list[Span]:
        with self._spans_lock:
            return sorted((s for s in self.spans if start <= s.began <= end), key=lambda s: s.began)


@dataclass
class Stack:
    sim: GitHubSimulator
    proxy: LatencyProxy
    app: Processes

    @property
    def redis(self) -> Redis:
        return Redis.from_url(self.app.env["REDIS_URL"])


@contextmanager
def slow_github_app(
    keys: tuple[str, str], redis_url: str, workers: int, delay: float, logs: Path
) -> Iterator[Stack]:
    """serve and ``workers`` workers (no hold before a run) against the slowed simulator.

    The Redis database of ``redis_url`` is flushed first.
    """
    sim = GitHubSimulator(app_public_key_pem=keys[1]).start()
    seed_repository(sim)
    proxy = LatencyProxy(sim.url, delay).start()
    Redis.from_url(redis_url).flushdb()
    port = free_port()
    env = app_env(sim, keys[0], redis_url, port)
    env.update(GITHUB_API_URL=proxy.url, REVIEW_TIERS_DEBOUNCE_SECONDS="0")
    sim.set_webhook(f"http://127.0.0.1:{port}/webhook", SECRET)
    try:
        with running_app(env, port, logs, [free_port() for _ in range(workers)]) as app:
            yield Stack(sim, proxy, app)
    finally:
        proxy.stop()
        sim.stop()


def head_of(number: int) -> str:
    return f"{number:040x}"


def open_pull(sim: GitHubSimulator, number: int) -> str:
    """A pull request changing two files (one under src/, one test), as a typical one does."""
    head = head_of(number)
    files = [
        file_entry("src/app.py", 12, "x = 1", numbered=True),
        file_entry("tests/test_app.py", 8, "assert x", numbered=True),
    ]
    commits = [{"sha": head, "message": "Change things"}]
    sim.add_pull(OWNER, REPO, number, author="dev", head_sha=head, files=files, commits=commits)
    return head


def pull_event(number: int, action: str) -> dict[str, Any]:
    return payload(
        f"pull_request.{action}",
        pull_request__number=number,
        pull_request__state="open",
        pull_request__head__sha=head_of(number),
        pull_request__base__ref="main",
    )


def check_written(sim: GitHubSimulator, head: str) -> float | None:
    """When the simulator received the first write of our check run on ``head`` (epoch s)."""
    with sim.lock:
        for record in sim.requests:
            body = record.json if isinstance(record.json, dict) else {}
            if (
                record.method == "POST"
                and record.template == CHECK_RUNS
                and body.get("head_sha") == head
                and 200 <= record.status < 300
            ):
                return record.at
    return None


def check_writes(sim: GitHubSimulator) -> list[tuple[float, str]]:
    """Every successful write of a check run: when it arrived, and its method and path."""
    with sim.lock:
        return [
            (r.at, f"{r.method} {r.path}")
            for r in sim.requests
            if r.is_write and "/check-runs" in r.path and 200 <= r.status < 300
        ]


def socket_ports(pid: int) -> set[int]:
    """The local TCP ports of the sockets process ``pid`` holds (from /proc, Linux only)."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = fd.readlink().name
        except OSError:
            continue  # closed while we looked
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[9] in inodes:
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


class RedisCommands:
    """Counts the commands each of the App's processes sends to Redis (MONITOR), between
    ``start()`` and ``stop()``; commands a script runs are not round trips and not counted."""

    END = "bench-monitor-end"

    def __init__(self, stack: Stack) -> None:
        self.stack = stack
        self.seen: list[tuple[int, str]] = []
        self.db = int(stack.app.env["REDIS_URL"].rsplit("/", 1)[1] or 0)
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._ready = threading.Event()

    def _watch(self) -> None:
        with Redis.from_url(self.stack.app.env["REDIS_URL"]).monitor() as monitor:
            self._ready.set()
            for command in monitor.listen():
                if self.END in command["command"]:
                    return
                if command["client_type"] == "tcp" and command["db"] == self.db:
                    self.seen.append((int(command["client_port"]), command["command"]))

    def start(self) -> None:
        self._thread.start()
        self._ready.wait(5)

    def stop(self) -> dict[str, list[str]]:
        """The commands sent, by process (web, worker-0, ...)."""
        self.stack.redis.echo(self.END)
        self._thread.join(10)
        owners = {}
        for name, proc in zip(self.names(), self.stack.app.procs, strict=True):
            owners.update(dict.fromkeys(socket_ports(proc.pid), name))
        found: dict[str, list[str]] = {}
        for port, command in self.seen:
            if port in owners:
                found.setdefault(owners[port], []).append(command)
        return found

    def names(self) -> list[str]:
        return ["web"] + [f"worker-{i}" for i in range(len(self.stack.app.procs) - 1)]


def epoch(moment: datetime | None) -> float | None:
    """rq's naive UTC datetimes as epoch seconds."""
    if moment is None:
        return None
    return moment.replace(tzinfo=moment.tzinfo or UTC).timestamp()


def wait_for(check: Any, timeout: float, step: float = 0.01) -> Any:
    """Poll ``check`` until it returns something truthy, or None after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(step)
    return None


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile of ``values`` (share 0.5: the median)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(share * len(ordered))))
    return ordered[rank - 1]
