"""Short fault runs for CI: a busy worker SIGKILLed and Redis restarted without persistence.

Both run at once, each against its own Redis, simulator and processes, and compare 8 pull
requests with one fault-free run of the same workload.
"""

from __future__ import annotations

import signal
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.faults.runner import Outcome, Scenario, run_scenario
from tests.faults.scenarios import kill_busy_workers, redis_restart

pytestmark = pytest.mark.faults

# A killed run's PR is due again within a minute of the fault, and work lost with Redis's data
# is found again by the recovery pass at reconnection; the recovery period is shortened too.
SHORT: dict[str, Any] = {"pulls": 8, "pace": 0.05, "converge": 40.0, "recovery": 15.0}
RUNS = {
    "kill-busy-worker": Scenario("kill-busy-worker", kill_busy_workers(1), at=0.0, **SHORT),
    # Once the last delivery is accepted: the debounced work is queued, none is refused.
    "redis-restart": Scenario("redis-restart", redis_restart(signal.SIGTERM), at=1.0, **SHORT),
}


@pytest.fixture(scope="module")
def outcomes(keys: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("faults")
    _, baseline = run_scenario(Scenario("fault-free", **SHORT), keys, root / "baseline", None)
    with ThreadPoolExecutor(len(RUNS)) as pool:
        futures = {
            name: pool.submit(run_scenario, run, keys, root / name, baseline)
            for name, run in RUNS.items()
        }
        return {name: future.result()[0] for name, future in futures.items()}


def assert_converged(outcome: Outcome) -> None:
    assert outcome.fault_error is None, outcome.fault_error
    assert outcome.correct == outcome.total, outcome.wrong
    assert not sum(outcome.duplicates.values()), outcome.duplicates
    assert outcome.exits == []
    assert outcome.converge_seconds is not None


def test_a_busy_worker_sigkilled_loses_nothing(outcomes: dict[str, Outcome]) -> None:
    assert_converged(outcomes["kill-busy-worker"])


def test_a_redis_restart_without_persistence_loses_nothing(
    outcomes: dict[str, Outcome],
) -> None:
    assert_converged(outcomes["redis-restart"])
