"""Fault-injection runs of the whole App: every PR's final GitHub state against a fault-free run.

Run: .venv/bin/python bench/faults.py [SCENARIO ...] [--pulls 30] [--deadline 5400] [--list]
Each scenario starts its own redis-server on a free loopback port, the GitHub simulator behind a
fault proxy, `review-tiers serve` and two `review-tiers worker` processes, drives the pull
requests with signed deliveries and prints: PRs correct / total, evaluations, GitHub requests,
duplicated effects, worker exits and the seconds to converge after the last fault. Exits 1 when
a scenario is not all-correct (or did not run before the deadline). All traffic stays on
loopback; the proxy stops forwarding beyond a request budget.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the scenarios live with the tests

from tests.faults.runner import Outcome, run_scenario  # noqa: E402
from tests.faults.scenarios import scenarios  # noqa: E402
from tests.ghsim.clients import app_key_pair  # noqa: E402

HEADER = f"{'scenario':<24} {'correct':>8} {'evals':>6} {'requests':>8} {'dupes':>6} "
HEADER += f"{'exits':>5} {'refused':>7} {'converged':>10}"


def row(result: Outcome) -> str:
    seconds = "never" if result.converge_seconds is None else f"{result.converge_seconds:.0f} s"
    return (
        f"{result.name:<24} {result.correct:>3}/{result.total:<4} {result.evaluations:>6} "
        f"{result.requests:>8} {sum(result.duplicates.values()):>6} {len(result.exits):>5} "
        f"{result.refused:>3}/{result.deliveries:<3} {seconds:>10}"
    )


def details(result: Outcome) -> list[str]:
    lines = [f"    #{number}: {why}" for number, why in sorted(result.wrong.items())]
    lines += [f"    duplicated {kind}: {n}" for kind, n in result.duplicates.items() if n]
    lines += [f"    {exit}" for exit in result.exits]
    if result.fault_error:
        lines.append(f"    the fault was not injected as planned: {result.fault_error}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="scenarios to run (default: all)")
    parser.add_argument("--pulls", type=int, default=30)
    parser.add_argument("--deadline", type=float, default=5400.0, help="seconds for the whole run")
    parser.add_argument("--logs", type=Path, help="keep each scenario's logs under this folder")
    parser.add_argument("--list", action="store_true", help="print the scenario names and exit")
    args = parser.parse_args(argv)
    table = scenarios(args.pulls)
    if args.list:
        print("\n".join(table))
        return 0
    unknown = [name for name in args.names if name not in table]
    if unknown:
        parser.error(f"unknown scenario(s): {', '.join(unknown)}; see --list")
    return run_all(table, args.names or list(table), args)


def run_all(table: dict, names: list[str], args: argparse.Namespace) -> int:
    end = time.monotonic() + args.deadline
    logs = args.logs or Path(tempfile.mkdtemp(prefix="review-tiers-faults-"))
    keys = app_key_pair()
    _, baseline = run_scenario(table["fault-free"], keys, logs / "baseline", None)
    print(f"logs in {logs}\n{HEADER}", flush=True)
    failed = 0
    for name in names:
        left = end - time.monotonic()
        if left <= 0:
            print(f"{name:<24} not run: the {args.deadline:.0f} s deadline passed")
            failed += 1
            continue
        scenario = replace(table[name], converge=min(table[name].converge, left))
        result, _ = run_scenario(scenario, keys, logs / name, baseline)
        print(row(result), *details(result), sep="\n", flush=True)
        failed += not result.ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
