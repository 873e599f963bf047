"""The fault scenarios: a faulty network, killed workers, Redis restarts and outages of the web
process and the workers, each a function run in its own thread while deliveries arrive."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from itertools import cycle, islice

from redis.exceptions import RedisError

from bot.state.jobkinds import PullJob, decode
from tests.e2e.harness import wait_until
from tests.faults.cluster import RESTART_BACKOFF, descendants
from tests.faults.runner import Run, Scenario
from tests.faults.workload import Delivery

QUEUE = "review-tiers"
SCHEDULER_LOCK = f"rq:scheduler-lock:{QUEUE}"
SLOW_SECONDS = 3.0  # per request of a slowed PR: an evaluation then takes well over 10 s


def http_faults(seconds: float, rate: float = 0.2) -> Callable[[Run], None]:
    """``rate`` of GitHub requests fail (every kind the proxy has) for ``seconds``."""

    def fault(run: Run) -> None:
        run.cluster.proxy.set_faults(rate)
        time.sleep(seconds)
        run.cluster.proxy.set_faults(0.0)

    return fault


def worker_of_pid(run: Run, pid: int) -> str | None:
    for name, proc in run.cluster.workers().items():
        if pid == proc.pid or pid in descendants(proc.pid):
            return name
    return None


def busy_worker(run: Run, number: int) -> str | None:
    """The worker whose current job evaluates PR ``number``, if any."""
    from rq import Worker

    try:
        workers = Worker.all(connection=run.cluster.redis_client())
        for worker in workers:
            job = worker.get_current_job()
            ours = None if job is None else decode(job.func_name or "", job.kwargs)
            if isinstance(ours, PullJob) and ours.number == number and worker.pid:
                return worker_of_pid(run, worker.pid)
    except RedisError:
        return None
    return None


def kill_and_restart(run: Run, name: str) -> None:
    """SIGKILL a worker and all it forked, then start it again as its supervisor would."""
    run.cluster.halt(name, signal.SIGKILL)
    time.sleep(RESTART_BACKOFF)
    run.cluster.start_process(name)


def kill_busy_workers(count: int) -> Callable[[Run], None]:
    """SIGKILL the worker in the middle of evaluating a slowed PR, for ``count`` PRs."""

    def fault(run: Run) -> None:
        targets = [plan.number for plan in run.plans[:count]]
        proxy = run.cluster.proxy
        rules = [proxy.slow(rf"/(pulls|issues)/{n}(\D|$)", SLOW_SECONDS) for n in targets]
        try:
            for number in targets:
                name = wait_until(lambda n=number: busy_worker(run, n), 90, f"a run of #{number}")
                time.sleep(SLOW_SECONDS / 2)  # well inside the run
                kill_and_restart(run, name)
        finally:
            for rule in rules:
                proxy.unslow(rule)

    return fault


def kill_scheduler_worker(run: Run) -> None:
    """SIGKILL the worker whose process holds rq's scheduler lock (any worker if none does)."""
    redis = run.cluster.redis_client()
    name = None
    holder = redis.get(SCHEDULER_LOCK)
    if holder is not None:
        pid = redis.hget(f"rq:scheduler:{holder.decode()}", "pid")
        name = worker_of_pid(run, int(pid)) if pid else None
    kill_and_restart(run, name or sorted(run.cluster.workers())[0])


def redis_restart(sig: int, down: float = 5.0) -> Callable[[Run], None]:
    """Stop Redis with ``sig`` (SIGTERM: a clean shutdown), keep it down, start it again."""

    def fault(run: Run) -> None:
        run.cluster.redis.stop(sig)
        time.sleep(down)
        run.cluster.redis.start()

    return fault


def workers_stopped(seconds: float) -> Callable[[Run], None]:
    def fault(run: Run) -> None:
        names = sorted(run.cluster.workers())
        for name in names:
            run.cluster.halt(name, signal.SIGTERM)
        time.sleep(seconds)
        for name in names:
            run.cluster.start_process(name)

    return fault


def web_down(seconds: float) -> Callable[[Run], None]:
    """The web process is away: GitHub's deliveries fail and stay failed in its log."""

    def fault(run: Run) -> None:
        run.cluster.halt("web", signal.SIGTERM)
        time.sleep(seconds)
        run.cluster.start_process("web")
        wait_until(run.cluster.web_ready, 30, "the web process to be back")

    return fault


def flood(total: int) -> Callable[[list[Delivery]], list[Delivery]]:
    """The workload's deliveries, then repeats of the ones that change nothing, up to ``total``."""

    def more(deliveries: list[Delivery]) -> list[Delivery]:
        repeatable = [d for d in deliveries if d.before is None]
        return deliveries + list(islice(cycle(repeatable), max(0, total - len(deliveries))))

    return more


def scenarios(pulls: int = 30) -> dict[str, Scenario]:
    """Every scenario by name, for ``pulls`` pull requests."""
    table = [
        Scenario("fault-free", pulls=pulls),
        Scenario("http-20pct", http_faults(40.0), at=0.0, pulls=pulls),
        Scenario("kill-busy-worker-twice", kill_busy_workers(2), at=0.0, pulls=pulls),
        Scenario("kill-scheduler-worker", kill_scheduler_worker, pulls=pulls),
        Scenario("redis-restart", redis_restart(signal.SIGTERM), at=0.4, pulls=pulls),
        Scenario(
            "redis-restart-aof", redis_restart(signal.SIGTERM), at=0.4, pulls=pulls, appendonly=True
        ),
        Scenario("workers-stopped-60s", workers_stopped(60.0), pulls=pulls),
        Scenario("flood-500", pulls=pulls, pace=0.0, extra_deliveries=flood(500)),
        Scenario("web-down-2min", web_down(120.0), pulls=pulls),
        Scenario(
            "redis-sigkill", redis_restart(signal.SIGKILL), at=0.4, pulls=pulls, appendonly=True
        ),
        Scenario("http-20pct-10min", http_faults(600.0), at=0.0, pulls=pulls),
    ]
    return {scenario.name: scenario for scenario in table}
