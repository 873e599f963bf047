"""The system under fault: its own redis-server, the simulator behind the fault proxy, the web
process and workers, each one stoppable, killable and restarted when it exits on its own."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from redis import Redis
from redis.exceptions import RedisError

from tests.builders import free_port
from tests.e2e.harness import SECRET, Processes, app_env, seed_repository, wait_until
from tests.faults.proxy import FaultProxy
from tests.ghsim import GitHubSimulator

RESTART_BACKOFF = 2.0  # a supervisor's pause before restarting a process that exited
SHARED_REDIS_PORTS = frozenset({6379})


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (rq forks its scheduler), read from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue  # exited while we looked
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [], [pid]
    while frontier:
        children = [child for child, parent in parents.items() if parent in frontier]
        found += children
        frontier = children
    return found


@dataclass
class RedisServer:
    """A private redis-server on a free loopback port, restartable on the same port."""

    workdir: Path
    appendonly: bool = False
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        if self.port in SHARED_REDIS_PORTS:
            raise RuntimeError(f"port {self.port} belongs to a shared Redis")
        binary = shutil.which("redis-server") or "redis-server"
        args = [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        args += ["--appendonly", "yes" if self.appendonly else "no", "--dir", str(self.workdir)]
        with (self.workdir / "redis.log").open("ab") as out:
            self.proc = subprocess.Popen(args, stdout=out, stderr=out)
        wait_until(self.reachable, 10, "redis-server to answer")

    def reachable(self) -> bool:
        try:
            return bool(Redis.from_url(self.url, socket_connect_timeout=0.5).ping())
        except RedisError:
            return False

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """SIGTERM shuts down cleanly (an AOF is synced first); SIGKILL loses what it may."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(15)
        self.proc = None


@dataclass
class Cluster:
    """Everything one scenario runs against; ``exits`` lists processes that died unbidden."""

    workdir: Path
    keys: tuple[str, str]
    seed: int = 0
    appendonly: bool = False
    env_extra: dict[str, str] = field(default_factory=dict)
    sim: GitHubSimulator = field(init=False)
    proxy: FaultProxy = field(init=False)
    redis: RedisServer = field(init=False)
    procs: Processes = field(init=False)
    running: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    exits: list[str] = field(default_factory=list)
    _down_since: dict[str, float] = field(default_factory=dict)
    # Faults run in a thread of their own while the driver's thread supervises.
    _lock: threading.RLock = field(default_factory=threading.RLock)

    def start(self, workers: int = 2) -> None:
        self.sim = GitHubSimulator(app_public_key_pem=self.keys[1]).start()
        seed_repository(self.sim)
        self.proxy = FaultProxy(self.sim.url, self.seed).start()
        self.redis = RedisServer(self.workdir, self.appendonly)
        self.redis.start()
        env = app_env(self.sim, self.keys[0], self.redis.url, free_port())
        env.update(GITHUB_API_URL=self.proxy.url, REVIEW_TIERS_METRICS_PORT="0", **self.env_extra)
        self.procs = Processes(env, int(env["PORT"]), self.workdir)
        # GitHub's side sends the deliveries and logs each attempt, so that the App's recovery
        # loop can find the failed ones and ask for their redelivery.
        self.sim.set_webhook(f"{self.procs.url}/webhook", SECRET)
        self.start_process("web")
        for index in range(workers):
            self.start_process(f"worker-{index}")
        wait_until(self.web_ready, 30, "the web process to be ready")

    def stop(self) -> None:
        self.running.clear()
        self.procs.stop()
        self.proxy.stop()
        self.sim.stop()
        self.redis.stop()

    def start_process(self, name: str) -> None:
        kind = "web" if name == "web" else "worker"
        with self._lock:
            self.running[name] = self.procs.start(kind, name)
            self._down_since.pop(name, None)

    def web_ready(self) -> bool:
        import requests

        try:
            return requests.get(f"{self.procs.url}/readyz", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    def workers(self) -> dict[str, subprocess.Popen[bytes]]:
        with self._lock:
            return {n: p for n, p in self.running.items() if n.startswith("worker")}

    def halt(self, name: str, sig: int = signal.SIGTERM) -> None:
        """Stop ``name`` on purpose (and everything it forked, as a container's end does)."""
        with self._lock:
            proc = self.running.pop(name)
            self._down_since.pop(name, None)
        if sig == signal.SIGKILL:
            for pid in [proc.pid, *descendants(proc.pid)]:
                with contextlib.suppress(ProcessLookupError):  # exited meanwhile
                    os.kill(pid, signal.SIGKILL)
        else:
            proc.send_signal(sig)
        proc.wait(30)

    def supervise(self) -> None:
        """Restart what exited on its own, as a process manager would, after a short pause."""
        now = time.monotonic()
        with self._lock:
            for name, proc in list(self.running.items()):
                if proc.poll() is None:
                    continue
                if name not in self._down_since:
                    self.exits.append(f"{name} exited with {proc.returncode}")
                    self._down_since[name] = now
                elif now - self._down_since[name] >= RESTART_BACKOFF:
                    self.start_process(name)

    def redis_client(self) -> Redis:
        return Redis.from_url(self.redis.url, socket_connect_timeout=1, socket_timeout=5)
