"""What one recovery scan costs in GitHub requests for an installation with 200 open pull requests.

Runs the scan in-process against the GitHub simulator and counts its requests from the
simulator's request log: in steady state (every pull request evaluated, listings unchanged),
with every pull request waiting for reviews for over ten minutes, and after Redis lost its data.
It flushes the Redis database named by REDIS_URL (use one of its own, e.g. ``/12``)::

    REDIS_URL=redis://127.0.0.1:6379/12 .venv/bin/python bench/recovery_cost.py
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from pathlib import Path

from redis import Redis

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.ops.settings import AppSettings
from bot.state.keys import PullKey
from bot.state.queueing import Dispatcher, EvaluationMark
from bot.worker.recovery import Recovery
from tests.ghsim import GitHubSimulator
from tests.ghsim.clients import app_key_pair

INSTALLATION, OWNER, REPO, PULLS = 4711, "acme", "shop", 200


def mark(head_sha: str, status: str, conclusion: str | None) -> EvaluationMark:
    """The mark a completed evaluation leaves, written now."""
    return EvaluationMark(head_sha, status, conclusion, time.time())


def category(path: str) -> str:
    if path.startswith("/app/hook"):
        return "delivery log"
    if path.startswith("/app/installations/"):
        return "token"
    if path.startswith("/app"):
        return "installations"
    if path.startswith("/installation"):
        return "repositories"
    return "check runs" if "check-runs" in path else "open pulls"


def measure(sim: GitHubSimulator, recovery: Recovery, label: str) -> None:
    sim.reset_log()
    before = sim.rate.remaining
    recovery.scan(label)
    counts = Counter(category(r.path) for r in sim.requests)
    not_modified = sum(1 for r in sim.requests if r.status == 304)
    detail = ", ".join(f"{name} {n}" for name, n in sorted(counts.items()))
    print(
        f"{label:<34} {len(sim.requests):>4} requests ({not_modified} x 304), "
        f"{before - sim.rate.remaining:>4} counted; {detail}"
    )


def main() -> None:
    redis = Redis.from_url(os.environ["REDIS_URL"])
    redis.flushdb()
    private, public = app_key_pair()
    with GitHubSimulator.serve(app_public_key_pem=public) as sim:
        sim.store.installations.discard(1)
        sim.add_installation(INSTALLATION)
        sim.add_repo(OWNER, REPO)
        for number in range(1, PULLS + 1):
            sim.add_pull(OWNER, REPO, number, author="dev", head_sha=f"{number:040x}")
        settings = AppSettings(
            app_id=sim.app.id, private_key=private, webhook_secret="x" * 16, api_url=sim.url
        )
        dispatcher = Dispatcher(redis, 0)
        recovery = Recovery(settings, dispatcher)
        for number in range(1, PULLS + 1):
            key = PullKey(INSTALLATION, OWNER, REPO, number)
            dispatcher.record_evaluation(key, mark(f"{number:040x}", "completed", "success"))
        measure(sim, recovery, "first scan (cold ETag cache)")
        measure(sim, recovery, "steady state")
        for number in range(1, PULLS + 1):
            head = f"{number:040x}"
            sim.add_check_run(
                OWNER,
                REPO,
                head,
                "review-tiers",
                status="in_progress",
                conclusion=None,
                app_id=sim.app.id,
            )
            waiting = EvaluationMark(head, "in_progress", None, time.time() - 3600)
            dispatcher.record_evaluation(PullKey(INSTALLATION, OWNER, REPO, number), waiting)
        measure(sim, recovery, "all waiting > 10 min (first look)")
        measure(sim, recovery, "all waiting > 10 min (steady)")
        redis.flushdb()
        measure(sim, recovery, "after Redis lost its data")
        queued = sum(
            1
            for n in range(1, PULLS + 1)
            if redis.exists(PullKey(INSTALLATION, OWNER, REPO, n).key("dirty"))
        )
        print(f"pull requests queued for evaluation after the data loss: {queued}")
    redis.flushdb()


if __name__ == "__main__":
    main()
