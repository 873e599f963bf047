"""GitHub requests per evaluation of one pull request, before → after, side by side in one run.

Evaluates 20-, 300- and 3,000-file pull requests in-process through the real adapter against
the GitHub simulator and counts requests from the simulator's log, by kind: rate-limited reads
(a GraphQL query is one), free reads (answered 304), writes and token mints; reads of changed
files' contents (for interface and invariant rules) and of spec files are shown apart.
Three evaluations per size:

- ``cold``: nothing cached (a new installation, or Redis lost its data);
- ``first``: a new pull request in a repository already evaluated (its base files known);
- ``repeat``: the same pull request again, nothing changed but the App's own writes;
- ``again``: once more, nothing changed at all.

The 20-file case is also timed at 50 ms of latency per request (medians of five runs): until
the check run is written, and the whole evaluation.
``--before`` names a checkout of the code to compare with (e.g. a worktree of main); each tree
is measured in a process of its own, with that tree's adapter and simulator. It flushes the
Redis database named by REDIS_URL (use one of its own, e.g. ``/12``)::

    git worktree add --detach ../base main
    REDIS_URL=redis://127.0.0.1:6379/12 .venv/bin/python bench/github_requests.py \\
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
from types import SimpleNamespace
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
    if record.path == "/graphql":
        return "rate_limited"  # a query reads, and always costs (no 304 in GraphQL)
    if record.method != "GET":
        return "write"
    if record.status == 304:
        return "free"
    contents = f"/repos/{OWNER}/{NAME}/contents/"
    if record.path.startswith(contents) and record.query.get("ref") == head:
        return "content"
    return "rate_limited"


def load(root: str) -> SimpleNamespace:
    """The tree's adapter, pipeline and simulator; only APIs both trees share are used."""
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
    private, public = app_key_pair()
    return SimpleNamespace(
        config=(Path(root) / "tests/fixtures/configs/spec-example.yml").read_text(),
        redis=Redis.from_url(os.environ["REDIS_URL"]),
        private=private,
        public=public,
        repo=RepoRef(1, OWNER, NAME),
        evaluate_pull=evaluate_pull,
        RunInfo=RunInfo,
        PyGithubPort=PyGithubPort,
        AppSettings=AppSettings,
        FakeGrantStore=FakeGrantStore,
        GitHubSimulator=GitHubSimulator,
    )


def seed(api: SimpleNamespace, sim: Any, size: int, numbers: range) -> None:
    sim.add_repo(OWNER, NAME)
    sim.set_file(OWNER, NAME, "main", BASE_FILES[0], api.config)
    sim.set_file(OWNER, NAME, "main", BASE_FILES[1], "/src/ @acme/backend\n")
    for team in ("backend", "architects", "payments"):
        sim.add_team_member(OWNER, team, f"{team}-lead")
    patch = "@@ -0,0 +1,2 @@\n+a = 1\n+b = 2"
    files = [
        {"filename": f"src/pkg{i // 100}/mod_{i}.py", "additions": 2, "patch": patch}
        for i in range(size)
    ]
    for number in numbers:
        sim.add_pull(OWNER, NAME, number, author="dev", head_sha=f"{number:040x}", files=files)


def stamping(sim: Any, stamps: list[float]) -> None:
    """Note when each check run write was answered (before the simulator starts serving)."""
    inner = sim.wsgi_app

    def app(environ: dict[str, Any], start_response: Any) -> Any:
        reply = inner(environ, start_response)
        if environ["REQUEST_METHOD"] != "GET" and environ["PATH_INFO"].endswith("/check-runs"):
            stamps.append(time.perf_counter())
        return reply

    sim.wsgi_app = app


def evaluate(api: SimpleNamespace, sim: Any, number: int, stamps: list[float]) -> dict[str, Any]:
    """One evaluation with a port of its own, as a worker's job has: requests by kind, its
    seconds, and the seconds until its check run was written (None: not written)."""
    settings = api.AppSettings(
        app_id=sim.app.id, private_key=api.private, webhook_secret="x" * 16, api_url=sim.url
    )
    port = api.PyGithubPort(settings, api.redis, 1)
    sim.reset_log()
    stamps.clear()
    started = time.perf_counter()
    run = api.RunInfo(f"d-{number}", (None,))
    api.evaluate_pull(port, api.repo, number, run, api.FakeGrantStore())
    seconds = time.perf_counter() - started
    port.close()
    counts: dict[str, Any] = dict.fromkeys(KINDS, 0)
    for record in list(sim.requests):
        counts[kind_of(record, f"{number:040x}")] += 1
    counts["seconds"] = seconds
    counts["check_seconds"] = stamps[0] - started if stamps else None
    return counts


def measure_size(api: SimpleNamespace, size: int) -> dict[str, Any]:
    api.redis.flushdb()
    timed = size == SIZES[0]
    sim = api.GitHubSimulator(app_public_key_pem=api.public, validate_responses=False)
    stamps: list[float] = []
    stamping(sim, stamps)
    sim.start()
    try:
        seed(api, sim, size, range(1, 3 + (TIMED_RUNS if timed else 0)))
        # A new installation's pull request 1, then pull request 2 three times.
        numbers = dict(zip(CASES, (1, 2, 2, 2), strict=True))
        case = {name: evaluate(api, sim, number, stamps) for name, number in numbers.items()}
        if timed:
            sim.inject(None, ".", status=None, times=10**6, delay=LATENCY)
            firsts = [evaluate(api, sim, 3 + n, stamps) for n in range(TIMED_RUNS)]
            agains = [evaluate(api, sim, 2, stamps) for _ in range(TIMED_RUNS)]
            case["timed"] = {
                "first_check": statistics.median(r["check_seconds"] for r in firsts),
                "first": statistics.median(r["seconds"] for r in firsts),
                "again": statistics.median(r["seconds"] for r in agains),
            }
        return case
    finally:
        sim.stop()


def measure(root: str) -> dict[str, Any]:
    api = load(root)
    out = {str(size): measure_size(api, size) for size in SIZES}
    api.redis.flushdb()
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
    print(f"{SIZES[0]} files at {LATENCY * 1000:.0f} ms a request, medians of {TIMED_RUNS}:")
    labels = {
        "first_check": "new pull request, until its check run is written",
        "first": "new pull request, whole evaluation",
        "again": "nothing changed, whole evaluation",
    }
    for key, label in labels.items():
        now = after[str(SIZES[0])]["timed"][key]
        if before:
            was = before[str(SIZES[0])]["timed"][key]
            print(f"  {label:<50} {was:.2f} s → {now:.2f} s (ratio {now / was:.2f})")
        else:
            print(f"  {label:<50} {now:.2f} s")


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
