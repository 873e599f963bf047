"""End-to-end harness: the simulator, a real Redis, and the serve and worker processes."""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import os
import shlex
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from redis import Redis

from tests.ghsim import GitHubSimulator

ROOT = Path(__file__).resolve().parents[2]
WEBHOOKS = ROOT / "tests" / "fixtures" / "webhooks"
SECRET = "e2e-webhook-secret"
INSTALLATION = 4711
OWNER, REPO = "acme", "shop"
SPEC_CONFIG = ROOT / "tests" / "fixtures" / "configs" / "spec-example.yml"


def seed_repository(sim: GitHubSimulator) -> None:
    """The installation and repository every end-to-end run uses: the README's example
    config, CODEOWNERS, three teams and collaborators with their roles."""
    sim.add_installation(INSTALLATION)
    sim.add_repo(OWNER, REPO)
    sim.set_file(OWNER, REPO, "main", ".github/review-tiers.yml", SPEC_CONFIG.read_text())
    sim.set_file(OWNER, REPO, "main", ".github/CODEOWNERS", "* @acme/backend\n")
    for team, user in (("architects", "arch"), ("payments", "payer"), ("backend", "backer")):
        sim.add_team_member(OWNER, team, user)
    for user, role in (
        ("arch", "write"),
        ("payer", "write"),
        ("backer", "write"),
        ("dev", "write"),
        ("writer", "write"),
        ("lead", "maintain"),
    ):
        sim.set_role(OWNER, REPO, user, role)


def sign(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def wait_until(check: Callable[[], Any], timeout: float = 20.0, what: str = "condition") -> Any:
    """Poll until ``check`` returns something truthy; processes run on their own clock."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


def payload(name: str, **changes: Any) -> dict[str, Any]:
    """A real payload from @octokit/webhooks-examples, pointed at the simulator's repository."""
    data = json.loads((WEBHOOKS / f"{name}.json").read_text())
    data["installation"] = {"id": INSTALLATION, "node_id": "MDIzOkludGVncmF0aW9u"}
    repo = data["repository"]
    repo["name"], repo["full_name"] = REPO, f"{OWNER}/{REPO}"
    repo["owner"]["login"] = OWNER
    for key, value in changes.items():
        target = data
        *path, last = key.split("__")
        for part in path:
            target = target[part]
        target[last] = value
    return data


@dataclass
class Processes:
    """The App's processes, started exactly as the Procfile and the image start them."""

    env: dict[str, str]
    port: int
    logs: Path
    worker_metrics_ports: list[int] = field(default_factory=list)
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(
        self, kind: str, name: str, env: Mapping[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        """Start a process of the Procfile's ``kind`` (web or worker), exactly as it says."""
        with (self.logs / f"{name}.log").open("ab") as out:  # the child keeps its own copy
            proc = subprocess.Popen(
                procfile_command(kind),
                env={**self.env, **(env or {})},
                stdout=out,
                stderr=out,
                cwd=ROOT,
            )
        self.procs.append(proc)
        return proc

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)

    def log_lines(self) -> list[str]:
        return [ln for f in sorted(self.logs.glob("*.log")) for ln in f.read_text().splitlines()]

    def deliver(
        self,
        event: str,
        body: Mapping[str, Any] | bytes,
        delivery: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> requests.Response:
        """Send a signed delivery. Without ``delivery`` it is a new event: GitHub's payloads of
        two events always differ (ids, timestamps), and the App takes a signed body seen before
        for a replay, so a payload object gets a distinct ``x_test_event`` field (ignored by
        the App). With ``delivery``, or as bytes, the body is sent as given: a redelivery."""
        fresh = delivery is None
        delivery = delivery or str(uuid.uuid4())
        if isinstance(body, bytes):
            raw = body
        else:
            raw = json.dumps({**body, "x_test_event": delivery} if fresh else body).encode()
        sent = {
            "X-GitHub-Event": event,
            "X-GitHub-Delivery": delivery,
            "X-Hub-Signature-256": sign(raw),
            "Content-Type": "application/json",
            **(headers or {}),
        }
        return requests.post(f"{self.url}/webhook", data=raw, headers=sent, timeout=10)


def procfile_command(kind: str) -> list[str]:
    """The Procfile's command for ``kind``, with the console script from this environment."""
    for line in (ROOT / "deploy" / "Procfile").read_text().splitlines():
        name, _, command = line.partition(":")
        if name.strip() == kind:
            program, *args = shlex.split(command)
            return [str(Path(sys.executable).parent / program), *args]
    raise KeyError(f"no {kind!r} process in deploy/Procfile")


def app_env(sim: GitHubSimulator, private_key: str, redis_url: str, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "REDIS_"))}
    env.update(
        GITHUB_APP_ID=str(sim.app.id),
        GITHUB_PRIVATE_KEY=private_key,
        GITHUB_WEBHOOK_SECRET=SECRET,
        GITHUB_API_URL=sim.url,
        REDIS_URL=redis_url,
        PORT=str(port),
        LOG_LEVEL="INFO",
        REVIEW_TIERS_DEBOUNCE_SECONDS="1",
        REVIEW_TIERS_WEB_METRICS_PORT="0",  # a test that scrapes it picks a free port
    )
    return env


@contextmanager
def running_app(
    env: dict[str, str], port: int, logs: Path, metrics_ports: list[int]
) -> Iterator[Processes]:
    """The web process and one worker per metrics port, as the Procfile starts them."""
    procs = Processes(env, port, logs, metrics_ports)
    workers = len(metrics_ports)
    try:
        procs.start("web", name="web")
        for index, metrics_port in enumerate(metrics_ports):
            port_env = {"REVIEW_TIERS_METRICS_PORT": str(metrics_port)}
            procs.start("worker", name=f"worker-{index}", env=port_env)
        wait_until(lambda: _ready(procs.url), 60, "the web process to be ready")
        wait_until(lambda: _workers(env["REDIS_URL"]) >= workers, 60, "workers to register")
        yield procs
    finally:
        procs.stop()


def _ready(url: str) -> bool:
    try:
        return requests.get(f"{url}/readyz", timeout=1).status_code == 200
    except requests.RequestException:
        return False


def _workers(redis_url: str) -> int:
    from rq import Worker

    return len(Worker.all(connection=Redis.from_url(redis_url)))


def audit_records(redis_url: str, number: int | None = None) -> list[dict[str, Any]]:
    redis = Redis.from_url(redis_url)
    rows = redis.xrange("review-tiers:audit")
    records = [json.loads(fields[b"record"]) for _, fields in rows]
    return [r for r in records if number is None or r["pull_number"] == number]


def fresh(value: Any) -> Any:
    return copy.deepcopy(value)
