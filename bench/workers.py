"""Evaluations per second with one worker and with two, side by side, at 50 ms GitHub latency.

For each worker count, starts the GitHub simulator behind a proxy adding ``--delay`` to every
request, ``review-tiers serve`` and that many ``review-tiers worker`` processes against the
Redis database of REDIS_URL (flushed before each; use one of its own, e.g. ``/12``)::

    REDIS_URL=redis://127.0.0.1:6379/12 .venv/bin/python bench/workers.py [--pulls 60]

then sends one signed ``pull_request.opened`` delivery for each of ``--pulls`` new pull requests
at once, and measures from the first delivery to the last check run written. Prints the
throughput of each count, per worker, and the ratio of two workers to one; ``--rounds`` repeats
the pair (alternating) and reports medians.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from slowgithub import (
    Stack,
    check_written,
    open_pull,
    pull_event,
    slow_github_app,
    wait_for,
)

from tests.ghsim.clients import app_key_pair


def batch(stack: Stack, pulls: int) -> float:
    """Seconds from the first delivery to the last of ``pulls`` check runs written."""
    heads = {number: open_pull(stack.sim, number) for number in range(1, pulls + 1)}
    # One evaluation first, so that both counts start with the token minted and code loaded.
    warm = pulls + 1
    warm_head = open_pull(stack.sim, warm)
    stack.app.deliver("pull_request", pull_event(warm, "opened"))
    if not wait_for(lambda: check_written(stack.sim, warm_head), 60):
        raise SystemExit("the warm-up evaluation did not finish within 60 s")
    first = time.time()
    for number in heads:
        answer = stack.app.deliver("pull_request", pull_event(number, "opened"))
        if answer.status_code != 202:
            raise SystemExit(f"the delivery for #{number} was answered {answer.status_code}")

    def last_written() -> float | None:
        times = [check_written(stack.sim, head) for head in heads.values()]
        return None if None in times else max(t for t in times if t is not None)

    last = wait_for(last_written, 600, step=0.1)
    if last is None:
        raise SystemExit(f"{pulls} evaluations did not finish within 600 s")
    return float(last) - first


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pulls", type=int, default=60)
    parser.add_argument("--delay", type=float, default=0.05, help="seconds added per request")
    parser.add_argument("--rounds", type=int, default=1, help="pairs of runs (default 1)")
    args = parser.parse_args(argv)
    redis_url = os.environ["REDIS_URL"]
    keys = app_key_pair()
    seconds: dict[int, list[float]] = {1: [], 2: []}
    for _ in range(args.rounds):
        for workers in (1, 2):
            with (
                tempfile.TemporaryDirectory() as logs,
                slow_github_app(keys, redis_url, workers, args.delay, Path(logs)) as stack,
            ):
                took = batch(stack, args.pulls)
            seconds[workers].append(took)
            rate = args.pulls / took
            print(
                f"{workers} worker(s): {args.pulls} evaluations in {took:.2f} s, "
                f"{rate:.2f}/s, {rate / workers:.2f}/s per worker"
            )
    one, two = (statistics.median(seconds[n]) for n in (1, 2))
    print(
        f"GitHub latency {args.delay * 1000:.0f} ms per request; median of {args.rounds}: "
        f"1 worker {args.pulls / one:.2f}/s, 2 workers {args.pulls / two:.2f}/s, "
        f"scaling {one / two:.2f}x"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
