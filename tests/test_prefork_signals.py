"""The web processes' parent and SIGTERM at awkward moments: during start-up, and with a child
that does not stop. Each runs in a session of its own, so that nothing it forked can outlive
the test even when the parent dies first."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.builders import free_port
from tests.e2e.harness import ROOT

SECRET = "prefork-webhook-secret"

# `review-tiers serve` itself, with a SIGTERM arriving as it opens its metrics port: after the
# web processes were forked and before the parent waits on them.
SIGTERM_DURING_START = """
import os, signal, sys
from bot import service

open_metrics = service._serve_metrics

def open_then_sigterm(*args):
    open_metrics(*args)
    os.kill(os.getpid(), signal.SIGTERM)

service._serve_metrics = open_then_sigterm
sys.exit(service.run_or_exit(service.serve, "127.0.0.1", int(sys.argv[1])))
"""

# A child that ignores SIGTERM and asks its parent to stop: the parent must still end.
STUBBORN_CHILD = """
import os, signal, time
from bot.intake import prefork

prefork.STOP_SECONDS = 1.0

def stubborn():
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    os.kill(os.getppid(), signal.SIGTERM)
    while True:
        time.sleep(1)

parent = prefork.Parent(1, stubborn, lambda pid: None)
try:
    parent.start()
    parent.run()
finally:
    parent.stop()
"""


def run_in_session(script: str, env: dict[str, str], *args: str) -> tuple[int | None, list[int]]:
    """The script's exit code (None: still running after 20 s) and the processes of its
    session still alive when it ended; everything in the session is killed afterwards."""
    proc = subprocess.Popen(
        [sys.executable, "-c", script, *args], env=env, cwd=ROOT, start_new_session=True
    )
    try:
        try:
            code: int | None = proc.wait(20)
        except subprocess.TimeoutExpired:
            code = None
        return code, live_in_group(proc.pid)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)


def live_in_group(group: int) -> list[int]:
    """Processes of process group ``group`` that are not zombies."""
    live = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # ended meanwhile
        state, pgrp = fields[0], int(fields[2])
        if pgrp == group and state != "Z":
            live.append(int(stat.parent.name))
    return live


def test_sigterm_while_serve_starts_stops_every_process(
    keys: tuple[str, str], redis_url: str
) -> None:
    env = {
        "PATH": os.environ["PATH"],
        "GITHUB_APP_ID": "42",
        "GITHUB_PRIVATE_KEY": keys[0],
        "GITHUB_WEBHOOK_SECRET": SECRET,
        "REDIS_URL": redis_url,
        "REVIEW_TIERS_WEB_METRICS_PORT": str(free_port()),
        "REVIEW_TIERS_WEB_PROCESSES": "3",
    }
    code, left = run_in_session(SIGTERM_DURING_START, env, str(free_port()))
    assert (code, left) == (0, [])


def test_a_child_ignoring_sigterm_is_killed_after_the_stop_deadline() -> None:
    code, left = run_in_session(STUBBORN_CHILD, {"PATH": os.environ["PATH"]})
    assert (code, left) == (0, [])
