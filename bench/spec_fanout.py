"""What a spec repository's change costs in GitHub requests: a push to acme/spec's default
branch re-evaluates 20 dependent repositories (in two installations) with 10 open pull requests
each.

Runs in-process against the GitHub simulator: the push job (listing the open pull requests of
each dependent through its own installation), then every evaluation it queued, each counted
from the simulator's request log and its rate limit (a 304 counts nothing). The pull requests
were evaluated once before the push, as they would be in a running App. It also reads the spec
file the way an evaluation of a dependent does, cold and warm. It flushes the Redis database
named by REDIS_URL (use one of its own, e.g. ``/12``)::

    REDIS_URL=redis://127.0.0.1:6379/12 .venv/bin/python bench/spec_fanout.py

Measured: the listing costs one request per dependent (20; 22 with two installation tokens when
none is cached; 304s, free, while no pull request changed), the 200 re-evaluations 2,800
requests of which 2,400 count against the rate limit (12 per pull request: the policy and
CODEOWNERS reads are 304s). bot.worker.pushes.EVALUATION_REQUESTS reserves that per evaluation.
A spec read costs 3 requests cold and two free 304s once cached.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from redis import Redis
from rq import Queue

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.core.specs import SpecRef
from bot.evaluation.ports import RepoRef
from bot.evaluation.spec_source import spec_loader_for
from bot.ops.audit import AuditLog
from bot.ops.settings import AppSettings
from bot.state.jobkinds import PullJob, PushJob, decode
from bot.state.queueing import QUEUE_NAME, Dispatcher
from bot.worker import jobs
from bot.worker.pushes import fan_out_push
from bot.worker.runtime import Runtime, install
from tests.builders import file_entry
from tests.ghsim import GitHubSimulator
from tests.ghsim.clients import app_key_pair

INSTALLATIONS, REPOS, PULLS = (4711, 4712), 20, 10
ROOT = Path(__file__).resolve().parents[1]
POLICY = (ROOT / "tests/fixtures/configs/spec-example.yml").read_text()  # the README's example
FILES = [file_entry("src/app.py", 3, numbered=True), file_entry("billing/ledger.py", 2)]


def seed(sim: GitHubSimulator) -> list[RepoRef]:
    sim.store.installations.discard(1)
    dependents = []
    for index in range(REPOS):
        installation = INSTALLATIONS[index % len(INSTALLATIONS)]
        sim.add_installation(installation)
        if index == 0:
            sim.add_repo("acme", "spec")
            sim.set_file("acme", "spec", "main", "review-tiers.yml", POLICY)
        owner = f"org{installation}"
        name = f"repo{index:02}"
        sim.add_repo(owner, name, installation_id=installation)
        sim.set_file(owner, name, "main", ".github/review-tiers.yml", POLICY)
        sim.set_file(owner, name, "main", ".github/CODEOWNERS", "* @acme/backend\n")
        for number in range(1, PULLS + 1):
            head = f"{index:02}{number:038x}"
            sim.add_pull(owner, name, number, author="dev", head_sha=head, files=FILES)
        dependents.append(RepoRef(installation, owner, name))
    return dependents


def evaluate_queued(redis: Redis) -> int:
    queue = Queue(QUEUE_NAME, connection=redis)
    found = [decode(job.func_name, job.kwargs) for job in queue.get_jobs()]
    queue.empty()
    pulls = [job for job in found if isinstance(job, PullJob)]
    outcomes = Counter(jobs.run_pull_job(**job.fields()) for job in pulls)
    return ", ".join(f"{n} {outcome}" for outcome, n in sorted(outcomes.items()))


def measure(sim: GitHubSimulator, label: str, work: Callable[[], object]) -> None:
    sim.reset_log()
    before = sim.rate.remaining
    result = work()
    kinds = Counter(
        "token" if r.path.startswith("/app") else r.template or r.path for r in sim.requests
    )
    top = ", ".join(f"{t.rsplit('/', 1)[-1] or t} {n}" for t, n in kinds.most_common(6))
    free = sum(1 for r in sim.requests if r.status == 304)
    print(
        f"{label:<40} {len(sim.requests):>5} requests ({free} x 304), "
        f"{before - sim.rate.remaining:>5} counted [{result}]; {top}"
    )


def main() -> None:
    redis = Redis.from_url(os.environ["REDIS_URL"])
    redis.flushdb()
    private, public = app_key_pair()
    with GitHubSimulator.serve(app_public_key_pem=public) as sim:
        sim.rate.limit = sim.rate.remaining = 1_000_000  # measure, do not stop
        settings = AppSettings(
            app_id=sim.app.id, private_key=private, webhook_secret="x" * 16, api_url=sim.url
        )
        runtime = Runtime(settings, redis, Dispatcher(redis), AuditLog(redis))
        install(runtime)
        for dependent in seed(sim):
            runtime.dependents.record("acme/spec", dependent)
        push = PushJob(
            installation_id=INSTALLATIONS[0],
            owner="acme",
            repo="spec",
            branch="main",
            policy=False,
            spec=True,
            trigger="push-1",
        )
        measure(sim, "listing, cold ETags (before the App ran)", lambda: fan_out_push(push))
        measure(sim, "first evaluations (setup, not the cost)", lambda: evaluate_queued(redis))
        measure(sim, "fan-out listing after a spec push", lambda: fan_out_push(push))
        measure(sim, "re-evaluations it queued", lambda: evaluate_queued(redis))
        shop = RepoRef(INSTALLATIONS[0], "org4711", "repo00")
        load = spec_loader_for(runtime.port_for(shop.installation_id), shop)
        for label in ("spec read, cold", "spec read, warm"):
            measure(sim, label, lambda: load(SpecRef("acme/spec")).sha[:7])
        install(None)
    redis.flushdb()


if __name__ == "__main__":
    main()
