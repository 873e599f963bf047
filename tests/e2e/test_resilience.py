"""Nothing lost, end to end: a burst, a worker killed mid-evaluation, Redis restarted empty.

Each test runs serve and two workers against a private ``redis-server`` this module starts
on a free loopback port (without persistence), so that it can be stopped and started again.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from redis import Redis
from redis.exceptions import RedisError
from rq import Worker

from bot.state.jobkinds import PullJob, decode
from tests.builders import file_entry, free_port
from tests.e2e.harness import (
    INSTALLATION,
    OWNER,
    REPO,
    Processes,
    app_env,
    audit_records,
    payload,
    running_app,
    wait_until,
)
from tests.ghsim import GitHubSimulator

pytestmark = pytest.mark.e2e


class PrivateRedis:
    """A redis-server of this module's own, without persistence, that tests may restart."""

    def __init__(self, workdir: Path) -> None:
        binary = shutil.which("redis-server")
        assert binary is not None, "redis-server is needed for these tests"
        self.binary, self.workdir, self.port = binary, workdir, free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        args = ["--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        args += ["--appendonly", "no", "--dir", str(self.workdir)]
        self.proc = subprocess.Popen([self.binary, *args], stdout=subprocess.DEVNULL)
        wait_until(self.reachable, 10, "the private redis-server")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)

    def reachable(self) -> bool:
        try:
            return bool(Redis.from_url(self.url, socket_connect_timeout=1).ping())
        except RedisError:
            return False


@pytest.fixture(scope="module")
def private_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path_factory.mktemp("private-redis"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def app(
    sim: GitHubSimulator,
    keys: tuple[str, str],
    private_redis: PrivateRedis,
    tmp_path: Path,
) -> Iterator[Processes]:
    Redis.from_url(private_redis.url).flushdb()
    port = free_port()
    env = app_env(sim, keys[0], private_redis.url, port)
    env["REVIEW_TIERS_DEBOUNCE_SECONDS"] = "0"  # the default: no hold
    with running_app(env, port, tmp_path, [free_port(), free_port()]) as procs:
        yield procs


def open_pull(sim: GitHubSimulator, number: int, head: str) -> None:
    files = [file_entry("src/app.py", 5, "x = 1", numbered=True)]
    commits = [{"sha": head, "message": "Change things"}]
    sim.add_pull(OWNER, REPO, number, author="dev", head_sha=head, files=files, commits=commits)


def pull_event(number: int, action: str, head: str) -> dict[str, Any]:
    return payload(
        f"pull_request.{action}",
        pull_request__number=number,
        pull_request__state="open",
        pull_request__head__sha=head,
    )


def our_checks(sim: GitHubSimulator, head: str) -> list[Any]:
    return [r for r in sim.check_runs(OWNER, REPO, head) if r.name == "review-tiers"]


def settled(app: Processes, number: int) -> bool:
    """No events left for the PR and no run of it alive."""
    redis = Redis.from_url(app.env["REDIS_URL"])
    prefix = f"rt:pr:{INSTALLATION}:{OWNER}/{REPO}#{number}"
    return not redis.exists(f"{prefix}:dirty", f"{prefix}:lease", f"{prefix}:queued")


def test_a_lone_event_starts_at_once_and_a_burst_costs_two_runs(
    sim: GitHubSimulator, app: Processes
) -> None:
    open_pull(sim, 301, "1" * 40)
    sent = time.monotonic()
    assert app.deliver("pull_request", pull_event(301, "opened", "1" * 40)).status_code == 202
    wait_until(lambda: audit_records(app.env["REDIS_URL"], 301), 10, "the first evaluation")
    assert time.monotonic() - sent < 5  # no hold and no poll between delivery and worker
    before = len(audit_records(app.env["REDIS_URL"], 301))
    burst = [f"burst-{i:02d}" for i in range(50)]
    for delivery in burst:
        # Each event of a burst is a distinct signed body (GitHub's differ in ids and times).
        event = {**pull_event(301, "synchronize", "1" * 40), "x_test_event": delivery}
        assert app.deliver("pull_request", event, delivery=delivery).status_code == 202
    wait_until(lambda: settled(app, 301), 30, "the burst to be evaluated")
    records = audit_records(app.env["REDIS_URL"], 301)[before:]
    assert 1 <= len(records) <= 2, [r["deliveries"] for r in records]
    assert sorted(d for r in records for d in r["deliveries"]) == burst
    assert len(our_checks(sim, "1" * 40)) == 1


def busy_worker(app: Processes, number: int) -> int:
    """The pid of the worker process running the PR's job (one of ours)."""
    redis = Redis.from_url(app.env["REDIS_URL"])
    ours = {proc.pid for proc in app.procs}
    for worker in Worker.all(connection=redis):
        job = worker.get_current_job()
        ours_job = None if job is None else decode(job.func_name or "", job.kwargs)
        if isinstance(ours_job, PullJob) and ours_job.number == number and worker.pid in ours:
            return int(worker.pid)
    return 0


def test_a_worker_killed_mid_evaluation_loses_nothing(sim: GitHubSimulator, app: Processes) -> None:
    head = "2" * 40
    open_pull(sim, 302, head)
    # The killed run's listing of the files hangs; the next run's is served at once.
    sim.inject("GET", rf"/repos/{OWNER}/{REPO}/pulls/302/files", status=None, delay=20)
    started = time.monotonic()
    assert app.deliver("pull_request", pull_event(302, "opened", head)).status_code == 202
    pid = wait_until(lambda: busy_worker(app, 302), 10, "a worker to run the evaluation")
    os.kill(pid, signal.SIGKILL)
    records = wait_until(
        lambda: audit_records(app.env["REDIS_URL"], 302), 60, "the PR to be evaluated again"
    )
    assert time.monotonic() - started < 60
    assert len(records) == 1 and records[0]["outcome"] == "evaluated"
    (check,) = our_checks(sim, head)  # no duplicated effect
    assert check.status == "in_progress"
    assert "tier/L2" in sim.pull(OWNER, REPO, 302).labels


def ready(app: Processes) -> int:
    return requests.get(f"{app.url}/readyz", timeout=5).status_code


def test_workers_and_web_outlive_a_redis_restart_without_persistence(
    sim: GitHubSimulator, app: Processes, private_redis: PrivateRedis
) -> None:
    open_pull(sim, 303, "3" * 40)
    assert app.deliver("pull_request", pull_event(303, "opened", "3" * 40)).status_code == 202
    wait_until(lambda: our_checks(sim, "3" * 40), 20, "the first evaluation")
    private_redis.stop()
    assert ready(app) == 503
    sim.push(OWNER, REPO, 303, "4" * 40)
    event = pull_event(303, "synchronize", "4" * 40)
    refused = app.deliver("pull_request", event, delivery="during-the-outage")
    assert refused.status_code == 503  # GitHub records a failed delivery
    time.sleep(3)  # the workers meet the outage
    private_redis.start()
    wait_until(lambda: ready(app) == 200, 10, "the web process to be ready again")
    assert all(proc.poll() is None for proc in app.procs), "a process died"
    # GitHub's redelivery keeps the delivery id; it was never recorded, so it is queued.
    assert app.deliver("pull_request", event, delivery="during-the-outage").status_code == 202
    wait_until(lambda: our_checks(sim, "4" * 40), 45, "an evaluation after the restart")
    assert all(proc.poll() is None for proc in app.procs), "a process died"
    lines = app.log_lines()
    assert any("Redis" in line and "unreachable" in line for line in lines)
