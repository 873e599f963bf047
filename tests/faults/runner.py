"""Run one fault scenario end to end and compare every PR's final state with a fault-free run."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.faults.cluster import Cluster
from tests.faults.workload import (
    Delivery,
    PullPlan,
    PullState,
    build_plans,
    duplicated_effects,
    interleave,
    seed_pulls,
    snapshot,
)

QUIET_SECONDS = 2.0  # no GitHub request for this long, nothing queued: the App is idle
SETTLE_LIMIT = 30.0  # after converging, how long to wait for stragglers before counting
TICK = 0.25


@dataclass
class Scenario:
    """A workload, and a fault started in a thread once ``at`` of the deliveries are sent."""

    name: str
    fault: Callable[[Run], None] | None = None
    at: float = 0.3
    pulls: int = 30
    pace: float = 0.1  # seconds between deliveries; 0 sends them as fast as possible
    appendonly: bool = False
    converge: float = 180.0  # how long after the last fault every PR may take to converge
    recovery: float = 60.0  # REVIEW_TIERS_RECOVERY_SECONDS, shortened from its default
    extra_deliveries: Callable[[list[Delivery]], list[Delivery]] | None = None


@dataclass
class Outcome:
    name: str
    correct: int
    total: int
    evaluations: int
    requests: int
    duplicates: Counter[str]
    exits: list[str]
    converge_seconds: float | None
    deliveries: int
    refused: int
    wrong: dict[int, str] = field(default_factory=dict)
    fault_error: str | None = None  # the fault could not be injected as planned

    @property
    def ok(self) -> bool:
        clean = not sum(self.duplicates.values()) and not self.exits and not self.fault_error
        return self.correct == self.total and clean


@dataclass
class Run:
    """What a fault function works with; ``log`` records every delivery GitHub tried."""

    cluster: Cluster
    plans: list[PullPlan]
    log: list[dict[str, object]] = field(default_factory=list)
    fault_error: str | None = None

    def inject(self, fault: Callable[[Run], None]) -> None:
        """Run ``fault``; a failure to inject it is kept for the outcome, never swallowed."""
        try:
            fault(self)
        except Exception as err:
            self.fault_error = f"{type(err).__name__}: {err}"

    def deliver(self, item: Delivery) -> int:
        """Send one signed delivery through the simulator's delivery log, as GitHub does; the
        status the web process answered (502 when it did not answer)."""
        if item.before is not None:
            item.before()
        attempt = self.cluster.sim.deliver(item.event, item.body)
        # GitHub's delivery log keeps failed deliveries for redelivery; so does this one.
        status = attempt.status_code
        self.log.append({"guid": attempt.guid, "event": item.event, "status": status})
        return status

    def pause(self, seconds: float) -> None:
        """Sleep while the supervisor keeps restarting what exits."""
        end = time.monotonic() + seconds
        self.cluster.supervise()
        while time.monotonic() < end:
            self.cluster.supervise()
            time.sleep(min(TICK, max(0.0, end - time.monotonic())))


def run_scenario(
    scenario: Scenario, keys: tuple[str, str], workdir: Path, baseline: dict[int, PullState] | None
) -> tuple[Outcome, dict[int, PullState]]:
    """Run ``scenario``; without a baseline it is the fault-free run that makes one."""
    workdir.mkdir(parents=True, exist_ok=True)
    env = {"REVIEW_TIERS_RECOVERY_SECONDS": str(int(scenario.recovery))}
    cluster = Cluster(workdir, keys, seed=7, appendonly=scenario.appendonly, env_extra=env)
    cluster.start()
    try:
        plans = build_plans(scenario.pulls, seed=7)
        seed_pulls(cluster.sim, plans)
        run = Run(cluster, plans)
        last_fault = drive(scenario, run)
        converged = converge(run, baseline, last_fault + scenario.converge)
        if baseline is not None and converged != float("inf"):
            settle(run)
        final = snapshot(cluster.sim, plans)
        if baseline is None:
            check_tiers(plans, final)
        return outcome(scenario, run, final, baseline, converged - last_fault), final
    finally:
        cluster.stop()


def drive(scenario: Scenario, run: Run) -> float:
    """Send the deliveries, starting the fault part-way; returns when the fault ended."""
    deliveries = interleave(run.cluster.sim, run.plans)
    if scenario.extra_deliveries is not None:
        deliveries = scenario.extra_deliveries(deliveries)
    start_at = int(len(deliveries) * scenario.at)  # at 1.0: once the last one is sent
    thread: threading.Thread | None = None
    for index, item in enumerate([*deliveries, None]):
        if index == start_at and scenario.fault is not None:
            args = (scenario.fault,)
            thread = threading.Thread(target=run.inject, args=args, name=scenario.name, daemon=True)
            thread.start()
        if item is not None:
            run.deliver(item)
            run.pause(scenario.pace)
    while thread is not None and thread.is_alive():
        run.pause(TICK)
    return time.monotonic()


def converge(run: Run, baseline: dict[int, PullState] | None, deadline: float) -> float:
    """When every PR matched the baseline (or, making one, when the App went idle)."""
    sim, plans = run.cluster.sim, run.plans
    while time.monotonic() < deadline:
        run.pause(1.0)
        if baseline is None and idle(run) and all(s.check for s in snapshot(sim, plans).values()):
            return time.monotonic()
        if baseline is not None and snapshot(sim, plans) == baseline:
            return time.monotonic()
    return float("inf")


def idle(run: Run) -> bool:
    """Nothing queued or running, and no GitHub request for a few seconds."""
    from rq import Queue

    proxy = run.cluster.proxy
    before = proxy.counts["requests"]
    try:
        queue = Queue("review-tiers", connection=run.cluster.redis_client())
        busy = len(queue) + queue.started_job_registry.count + queue.scheduled_job_registry.count
    except Exception:  # Redis away: not idle, whatever the cause
        return False
    run.pause(QUIET_SECONDS)
    return busy == 0 and proxy.counts["requests"] == before


def settle(run: Run) -> None:
    """Let late runs finish before counting, so a late duplicate is seen."""
    deadline = time.monotonic() + SETTLE_LIMIT
    while time.monotonic() < deadline and not idle(run):
        pass


def check_tiers(plans: list[PullPlan], final: dict[int, PullState]) -> None:
    """A fault-free run must give each kind of PR its tier, or nothing can be compared."""
    wrong = [p.number for p in plans if f"tier/{p.tier}" not in final[p.number].labels]
    if wrong:
        raise RuntimeError(f"the fault-free run gave PRs {wrong} an unexpected tier")


def evaluations(workdir: Path) -> int:
    """Evaluation outcome lines in the workers' logs, which outlive killed processes."""
    count = 0
    for path in workdir.glob("worker-*.log"):
        for line in path.read_text(errors="replace").splitlines():
            if '"message": "evaluated:' in line:
                count += 1
    return count


def outcome(
    scenario: Scenario,
    run: Run,
    final: dict[int, PullState],
    baseline: dict[int, PullState] | None,
    converge_seconds: float,
) -> Outcome:
    expected = baseline or final
    wrong = {n: describe(expected[n], final[n]) for n in final if final[n] != expected[n]}
    return Outcome(
        name=scenario.name,
        correct=len(final) - len(wrong),
        total=len(final),
        evaluations=evaluations(run.cluster.workdir),
        requests=run.cluster.proxy.counts["requests"],
        duplicates=duplicated_effects(run.cluster.sim, run.plans),
        exits=list(run.cluster.exits),
        converge_seconds=None if converge_seconds == float("inf") else converge_seconds,
        deliveries=len(run.log),
        refused=sum(1 for d in run.log if not 200 <= int(str(d["status"])) < 300),
        wrong=wrong,
        fault_error=run.fault_error,
    )


def describe(want: PullState, got: PullState) -> str:
    parts = [
        f"{name}: {getattr(got, name)!r} (fault-free: {getattr(want, name)!r})"
        for name in ("check", "labels", "users", "teams")
        if getattr(got, name) != getattr(want, name)
    ]
    if got.comment != want.comment:
        parts.append("comment differs")
    return "; ".join(parts)
