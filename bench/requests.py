"""GitHub requests per evaluation of one pull request, before → after, side by side in one run.

Evaluates 20-, 300- and 3,000-file pull requests in-process through the real adapter against
the GitHub simulator and counts requests from the simulator's log, by kind: rate-limited reads,
free reads (answered 304), writes and token mints; reads of changed files' contents (for
interface and invariant rules) and of spec files are shown apart. Three evaluations per size:

- ``cold``: nothing cached (a new installation, or Redis lost its data);
- ``first``: a new pull request in a repository already evaluated (its base files known);
- ``repeat``: the same pull request again, nothing changed but the App's own writes;
- ``again``: once more, nothing changed at all.

The 20-file case is also timed at 50 ms of latency per request (median of five runs).
``--before`` names a checkout of the code to compare with (e.g. a worktree of main); each tree
is measured in a process of its own, with that tree's adapter and simulator. It flushes the
Redis database named by REDIS_URL (use one of its own, e.g. ``/12``)::

    git worktree add --detach ../base main
    REDIS_URL=redis://127.0.0.1:6379/12 .venv/bin/python bench/requests.py \\
        --before ../base
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parents[1]
SIZES = (20, 300, 3000)
LATENCY = 0.05
TIMED_RUNS = 5
OWNER, NAME = "acme", "shop"
BASE_FILES = (".github/review-tiers.yml", ".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")
CASES = ("cold", "first", "repeat", "again")
KINDS = ("rate_limited", "free", "write", "mint", "content")


def kind_of(record: Any, head: str) -> str:
    if record.path.endswith("/access_tokens"):
        return "mint"
    if record.method != "GET":
        return "write"
    if record.status == 304:
        return "free"
    contents = f"/repos/{OWNER}/{NAME}/contents/"
    if record.path.startswith(contents) and record.query.get("ref") == head:
        return "content"
    return "rate_limited"


def measure(root: str) -> dict[str, Any]:
    """Runs inside the tree at ``root``: only APIs both trees share are used."""
    # This file's own directory would shadow the ``requests`` package PyGithub imports.
    sys.path[:] = [root] + [p for p in sys.path if Path(p or ".").resolve() != HERE / "bench"]
    from redis import Redis

    import bot
    from bot.evaluation.pipeline import evaluate_pull
    from bot.evaluation.ports import RepoRef
    from bot.evaluation.record import RunInfo
    from bot.gh.client import PyGithubPort
    from bot.ops.settings import AppSettings
    from tests.fakes import FakeGrantStore
    from tests.ghsim import GitHubSimulator
    from tests.ghsim.clients import app_key_pair

    if not Path(bot.__file__).resolve().is_relative_to(Path(root).resolve()):
        raise SystemExit(f"measuring {bot.__file__}, not the tree at {root}")
    config = (Path(root) / "tests/fixtures/configs/spec-example.yml").read_text()
    redis = Redis.from_url(os.environ["REDIS_URL"])
    private, public = app_key_pair()
    repo = RepoRef(1, OWNER, NAME)
    out: dict[str, Any] = {}

    def evaluate(sim: Any, number: int) -> tuple[dict[str, int], float]:
        settings = AppSettings(
            app_id=sim.app.id, private_key=private, webhook_secret="x" * 16, api_url=sim.url
        )
        port = PyGithubPort(settings, redis, 1)  # a new port per evaluation, as a worker has
        sim.reset_log()
        started = time.perf_counter()
        evaluate_pull(port, repo, number, RunInfo(f"d-{number}", (None,)), FakeGrantStore())
        seconds = time.perf_counter() - started
        port.close()
        head = f"{number:040x}"
        counts = dict.fromkeys(KINDS, 0)
        for record in list(sim.requests):
            counts[kind_of(record, head)] += 1
        return counts, seconds

    for size in SIZES:
        redis.flushdb()
        with GitHubSimulator.serve(app_public_key_pem=public, validate_responses=False) as sim:
            sim.add_repo(OWNER, NAME)
            sim.set_file(OWNER, NAME, "main", BASE_FILES[0], config)
            sim.set_file(OWNER, NAME, "main", BASE_FILES[1], "/src/ @acme/backend\n")
            for team in ("backend", "architects", "payments"):
                sim.add_team_member(OWNER, team, f"{team}-lead")
            patch = "@@ -0,0 +1,2 @@\n+a = 1\n+b = 2"
            files = [
                {"filename": f"src/pkg{i // 100}/mod_{i}.py", "additions": 2, "patch": patch}
                for i in range(size)
            ]
            for number in (1, 2):
                sim.add_pull(
                    OWNER, NAME, number, author="dev", head_sha=f"{number:040x}", files=files
                )
            cold, _ = evaluate(sim, 1)
            first, _ = evaluate(sim, 2)
            repeat, _ = evaluate(sim, 2)
            again, _ = evaluate(sim, 2)
            case: dict[str, Any] = {"cold": cold, "first": first, "repeat": repeat, "again": again}
            if size == SIZES[0]:
                sim.inject(None, ".", status=None, times=10**6, delay=LATENCY)
                case["seconds_again"] = statistics.median(
                    evaluate(sim, 2)[1] for _ in range(TIMED_RUNS)
                )
            out[str(size)] = case
    redis.flushdb()
    return out


def run_tree(root: Path) -> dict[str, Any]:
    command = [sys.executable, str(Path(__file__).resolve()), "--measure", str(root)]
    done = subprocess.run(command, check=True, capture_output=True, text=True, cwd=root)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def cell(counts: dict[str, int]) -> str:
    return "{rate_limited:>3} rl {free:>3} free {write:>2} w {mint} m {content:>2} c".format(
        **counts
    )


def ratio(now: int, was: int | None) -> str:
    return f"{now / was:.2f}" if was else "-"


def report(before: dict[str, Any] | None, after: dict[str, Any]) -> None:
    print("rl: rate-limited reads, free: 304s, w: writes, m: token mints, c: content reads")
    print(f"{'files':>5} {'case':<7} {'before':<30} {'after':<30} rate-limited after/before")
    for size in SIZES:
        for case in CASES:
            now = after[str(size)][case]
            was = before[str(size)][case] if before else None
            old = cell(was) if was else "-"
            share = ratio(now["rate_limited"], was["rate_limited"] if was else None)
            print(f"{size:>5} {case:<7} {old:<30} {cell(now):<30} {share}")
    seconds = after[str(SIZES[0])]["seconds_again"]
    line = f"{SIZES[0]} files, nothing changed, {LATENCY * 1000:.0f} ms/request, median: "
    if before:
        was_s = before[str(SIZES[0])]["seconds_again"]
        line += f"{was_s:.2f} s → {seconds:.2f} s (ratio {seconds / was_s:.2f})"
    else:
        line += f"{seconds:.2f} s"
    print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--before", type=Path, help="a checkout to compare with")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure)))
        return
    before = run_tree(args.before.resolve()) if args.before else None
    report(before, run_tree(HERE))


if __name__ == "__main__":
    main()
