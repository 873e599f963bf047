"""How long a delivery waits for its check run, and what a burst of events on one PR costs.

Starts the GitHub simulator behind a proxy adding ``--delay`` (50 ms) to every request, and
``review-tiers serve`` and one ``review-tiers worker`` against the Redis database of REDIS_URL
(flushed; use one of its own, e.g. ``/12``)::

    REDIS_URL=redis://127.0.0.1:6379/12 .venv/bin/python bench/latency.py [--events 30]

Sends ``--events`` signed ``pull_request.opened`` deliveries, each on a new pull request and
each once the previous one's run has ended (lone events), and measures from the POST being
sent to the simulator receiving the check run's write: p50 and p95 of the warm ones, and the
first one (which mints the installation token) apart. Then prints where the time of one lone
event goes, the Redis commands of one, the time of one whose cached token is about to lapse
(an hour after its mint), and sends a burst of 50 events (synchronize, labeled, edited) on
one new pull request as fast as it can and counts the evaluations it cost. Exits 1 when a goal
is missed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from rq import Queue
from rq.job import Job
from rq.registry import FinishedJobRegistry

sys.path.insert(0, str(Path(__file__).resolve().parent))

from slowgithub import (
    RedisCommands,
    Stack,
    check_writes,
    check_written,
    epoch,
    open_pull,
    percentile,
    pull_event,
    slow_github_app,
    wait_for,
)

from bot.gh.auth import REFRESH_KEY
from bot.state.keys import TOKEN_KEY, PullKey
from bot.state.queueing import QUEUE_NAME
from tests.e2e.harness import INSTALLATION, OWNER, REPO, audit_records
from tests.ghsim.clients import app_key_pair

BURST = 50
BURST_ACTIONS = ("synchronize", "labeled", "edited")
GOALS = {"p50": 1.0, "p95": 2.0, "burst evaluations": 2}


@dataclass
class Sample:
    number: int
    sent: float
    answered: float
    written: float

    @property
    def seconds(self) -> float:
        return self.written - self.sent


def settled(stack: Stack, number: int) -> bool:
    """No events left for the PR and no run of it alive."""
    pull = PullKey(INSTALLATION, OWNER, REPO, number)
    keys = (pull.key("dirty"), pull.key("lease"), pull.key("queued"))
    return not stack.redis.exists(*keys)


def lone_event(stack: Stack, number: int) -> Sample:
    head = open_pull(stack.sim, number)
    sent = time.time()
    answer = stack.app.deliver("pull_request", pull_event(number, "opened"))
    answered = time.time()
    if answer.status_code != 202:
        raise SystemExit(f"the delivery for #{number} was answered {answer.status_code}")
    written = wait_for(lambda: check_written(stack.sim, head), 60)
    if written is None:
        raise SystemExit(f"no check run was written for #{number} within 60 s")
    if not wait_for(lambda: settled(stack, number), 60):
        raise SystemExit(f"the run of #{number} did not end within 60 s")
    return Sample(number, sent, answered, written)


def job_of(stack: Stack, number: int) -> Job | None:
    """The finished rq job that evaluated the PR (jobs are kept ten minutes after they end)."""
    queue = Queue(QUEUE_NAME, connection=stack.redis)
    ids = FinishedJobRegistry(queue=queue).get_job_ids()
    jobs = [j for j in Job.fetch_many(ids, connection=stack.redis) if j is not None]
    ours = [j for j in jobs if (j.kwargs or {}).get("number") == number]
    return min(ours, key=lambda j: j.enqueued_at or j.created_at) if ours else None


def breakdown(stack: Stack, sample: Sample, title: str) -> None:
    """Where the time of one lone event went, in milliseconds from the POST being sent."""

    def ms(moment: float) -> str:
        return f"{(moment - sample.sent) * 1000:7.0f}"

    job = job_of(stack, sample.number)
    queued = epoch(job.enqueued_at) if job else None
    started = epoch(job.started_at) if job else None
    ended = epoch(job.ended_at) if job else None
    print(f"\n{title}: #{sample.number}, {sample.seconds * 1000:.0f} ms to the check write")
    print(f"  {ms(sample.sent)} ms  delivery POST sent")
    if queued is not None:
        print(f"  {ms(queued)} ms  job queued by the intake")
    print(f"  {ms(sample.answered)} ms  intake answered 202")
    if started is not None:
        wait = (started - queued) * 1000 if queued is not None else float("nan")
        print(f"  {ms(started)} ms  job started (queue wait {wait:.0f} ms)")
    begin = started if started is not None else sample.sent
    spans = stack.proxy.spans_between(begin, sample.written + 0.001)
    cursor, computed = begin, 0.0
    for span in spans:
        gap = max(0.0, span.began - cursor)
        computed += gap
        what = "token mint" if "/access_tokens" in span.path else span.path.split("?")[0]
        print(
            f"  {ms(span.began)} ms  {span.method:<5} {what} "
            f"({(span.ended - span.began) * 1000:.0f} ms; {gap * 1000:.0f} ms in the worker before)"
        )
        cursor = max(cursor, span.ended)
    print(f"  {ms(sample.written)} ms  check run written")
    if ended is not None:
        after = stack.proxy.spans_between(sample.written + 0.001, ended)
        writes = ", ".join(f"{s.method} {s.path.split('?')[0]}" for s in after)
        print(f"  {ms(ended)} ms  job ended; {len(after)} requests after the check: {writes}")
    requests = len(spans)
    in_requests = sum(s.ended - s.began for s in spans)
    print(
        f"  in the worker before the check write: {requests} GitHub requests "
        f"({in_requests * 1000:.0f} ms), {computed * 1000:.0f} ms outside them"
    )


def round_trips(stack: Stack, number: int) -> None:
    """The Redis commands each process sent for one lone event, from delivery to run end."""
    watch = RedisCommands(stack)
    watch.start()
    sample = lone_event(stack, number)
    found = watch.stop()
    print(f"\nRedis commands for one lone event (#{number}, {sample.seconds * 1000:.0f} ms):")
    for name, commands in sorted(found.items()):
        kinds = Counter(command.split(" ", 1)[0].strip('"').upper() for command in commands)
        top = ", ".join(f"{kind} {n}" for kind, n in kinds.most_common())
        print(f"  {name}: {len(commands)} ({top})")


def token_lapse(stack: Stack, number: int) -> Sample:
    """A lone event once the cached token is about to lapse, as it is an hour after a mint:
    the cache lets it go in 2 s and its refresh is due now. Returns the event's sample."""
    redis = stack.redis
    redis.expire(TOKEN_KEY.format(installation_id=INSTALLATION), 2)
    redis.zadd(REFRESH_KEY, {str(INSTALLATION): time.time()})
    time.sleep(3.5)
    return lone_event(stack, number)


def mints(stack: Stack, start: float, end: float) -> int:
    spans = stack.proxy.spans_between(start, end)
    return sum(1 for s in spans if s.path.endswith(f"/{INSTALLATION}/access_tokens"))


def burst(stack: Stack, number: int) -> tuple[int, int, float]:
    """50 events on one new PR as fast as they go; (evaluations, check writes, seconds)."""
    head = open_pull(stack.sim, number)
    before = len(check_writes(stack.sim))
    sent = time.time()
    for index in range(BURST):
        action = BURST_ACTIONS[index % len(BURST_ACTIONS)]
        answer = stack.app.deliver("pull_request", pull_event(number, action))
        if answer.status_code != 202:
            raise SystemExit(f"a burst delivery was answered {answer.status_code}")
    if not wait_for(lambda: check_written(stack.sim, head) and settled(stack, number), 120):
        raise SystemExit("the burst was not evaluated within 120 s")
    seconds = time.time() - sent
    evaluations = len(audit_records(stack.app.env["REDIS_URL"], number))
    return evaluations, len(check_writes(stack.sim)) - before, seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=30, help="lone events (default 30)")
    parser.add_argument("--delay", type=float, default=0.05, help="seconds added per request")
    parser.add_argument("--gap", type=float, default=0.3, help="seconds between lone events")
    args = parser.parse_args(argv)
    redis_url = os.environ["REDIS_URL"]
    keys = app_key_pair()
    with (
        tempfile.TemporaryDirectory() as logs,
        slow_github_app(keys, redis_url, 1, args.delay, Path(logs)) as stack,
    ):
        samples = []
        for number in range(1, args.events + 2):
            samples.append(lone_event(stack, number))
            time.sleep(args.gap)
        cold, warm = samples[0], samples[1:]
        seconds = [s.seconds for s in warm]
        p50, p95 = percentile(seconds, 0.5), percentile(seconds, 0.95)
        answers = sorted(s.answered - s.sent for s in warm)
        print(f"GitHub latency {args.delay * 1000:.0f} ms per request, 1 worker")
        print(
            f"delivery -> check run written, {len(warm)} lone events: "
            f"p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, max {max(seconds) * 1000:.0f} ms; "
            f"first event (token mint) {cold.seconds * 1000:.0f} ms"
        )
        print(f"intake answer: median {percentile(answers, 0.5) * 1000:.0f} ms")
        breakdown(stack, cold, "first event")
        typical = sorted(warm, key=lambda s: s.seconds)[len(warm) // 2]
        breakdown(stack, typical, "median event")
        round_trips(stack, 900)
        lapse = token_lapse(stack, 901)
        print(
            f"\nan event after the cached token's hour: {lapse.seconds * 1000:.0f} ms, "
            f"{mints(stack, lapse.sent, lapse.written)} mint(s) on its path"
        )
        evaluations, writes, took = burst(stack, 1000)
        print(
            f"\nburst of {BURST} events on one PR: {evaluations} evaluations, "
            f"{writes} check writes, {took:.1f} s to settle"
        )
    missed = [
        name
        for name, value in (("p50", p50), ("p95", p95), ("burst evaluations", evaluations))
        if value > GOALS[name]
    ]
    print("goals met" if not missed else f"goals missed: {', '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
