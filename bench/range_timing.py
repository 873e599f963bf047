"""Time `review-tiers evaluate` on a real large range against `git diff --numstat` on it.

Used by bench/classify.py (``--repo``, ``--project``); see its docstring. Prints medians and
ratios measured side by side in one run, and peak memory against the size of the patch text;
never a pass/fail gate.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.backtest_releases import build  # noqa: E402
from bot.core.diff import parse_unified_diff  # noqa: E402
from bot.core.evaluate import evaluate  # noqa: E402
from bot.core.models import PullMeta  # noqa: E402
from bot.local import local_git  # noqa: E402
from bot.local.offline import LocalRequest, gather_context, load_policy, run_local  # noqa: E402

CACHE = ROOT / "bench" / ".cache"


def release_range(project: str, old: str, new: str, work: Path) -> tuple[Path, str, str]:
    """A scratch repository with one commit per release: (repo, base commit, head commit)."""
    sdists = [_download(project, version) for version in (old, new)]
    repo = work / "repo"
    build(repo, project, sdists)
    return repo, "main~1", "main"


def _download(project: str, version: str) -> Path:
    CACHE.mkdir(parents=True, exist_ok=True)
    found = _cached(project, version)
    if found is None:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:"]
        cmd += ["--dest", str(CACHE), f"{project}=={version}"]
        subprocess.run(cmd, capture_output=True, check=True)
        found = _cached(project, version)
    assert found is not None, f"no sdist of {project} {version} in {CACHE}"
    return found


def _cached(project: str, version: str) -> Path | None:
    wanted = f"{project}-{version}.tar.gz".lower().replace("_", "-")
    return next((p for p in CACHE.iterdir() if p.name.lower().replace("_", "-") == wanted), None)


# Spawns the measured command from a small process: a child forked from this (large) process
# would report this process's memory as its own peak.
_RUNNER = """
import os, sys, time
start = time.perf_counter()
devnull = [(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0)]
pid = os.posix_spawnp(sys.argv[1], sys.argv[1:], os.environ, file_actions=devnull)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
cpu = usage.ru_utime + usage.ru_stime
print(wall, cpu, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status))
"""


def run_child(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak RSS (MiB) of one run of ``cmd``, the processes it
    waited for (git) included in the CPU time."""
    done = subprocess.run(
        [sys.executable, "-c", _RUNNER, *cmd], capture_output=True, text=True, env=env, check=True
    )
    wall, cpu, peak, status = done.stdout.split()
    assert status == "0", f"{cmd[:4]} failed: {done.stderr[-300:]}"
    return float(wall), float(cpu), float(peak)


def patch_bytes(repo: Path, base: str, head: str) -> int:
    """The size of `git diff A B`, read in chunks."""
    proc = subprocess.Popen(["git", "-C", str(repo), "diff", base, head], stdout=subprocess.PIPE)
    stdout = proc.stdout
    assert stdout is not None
    size = sum(len(chunk) for chunk in iter(lambda: stdout.read(1 << 20), b""))
    proc.wait()
    return size


def cli_command(checkout: Path | None) -> tuple[list[str], dict[str, str] | None]:
    """`review-tiers` as installed next to this interpreter, or `python -m bot` from a checkout."""
    if checkout is not None:
        # -P: the checkout on PYTHONPATH, not the current directory, provides `bot`.
        return [sys.executable, "-P", "-m", "bot"], {**os.environ, "PYTHONPATH": str(checkout)}
    script = Path(sys.executable).with_name("review-tiers")
    found = str(script) if script.exists() else shutil.which("review-tiers")
    return ([found] if found else [sys.executable, "-m", "bot"]), None


def whole_diff_evaluation(repo: Path, base: str, head: str) -> object:
    """The evaluation as it was made before the patch was streamed: one whole-diff parse."""
    req = LocalRequest(repo=repo, base=base, head=head)
    rng = local_git.pick_range(repo, base, head)
    policy = load_policy(req, repo, rng.base).policy
    assert policy is not None
    changes = parse_unified_diff(local_git.diff_text(repo, rng))
    read = lambda ref, paths: local_git.read_files(repo, ref, paths)  # noqa: E731
    return evaluate(changes, gather_context(read, rng, changes, policy), PullMeta(), policy)


def median_of(repeat: int, run: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def time_range(repo: Path, base: str, head: str, repeat: int, compare: Path | None) -> None:
    """Print the medians, the ratios to `git diff --numstat` and peak memory per patch byte."""
    size = patch_bytes(repo, base, head)
    stat = subprocess.run(
        ["git", "-C", str(repo), "diff", "--shortstat", base, head],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    print(f"range {base}..{head} in {repo}: {stat}; patch text {size / 2**20:.1f} MiB")
    commands = {
        "git diff --numstat": (["git", "-C", str(repo), "diff", "--numstat", base, head], None)
    }
    targets = [("review-tiers evaluate", None)] + (
        [(f"evaluate of {compare}", compare)] if compare else []
    )
    start_up: dict[str, float] = {}
    for name, checkout in targets:
        cmd, env = cli_command(checkout)
        start_up[name] = max(run_child([*cmd, "evaluate", "--help"], env)[2] for _ in range(2))
        commands[name] = (
            [*cmd, "evaluate", "--repo", str(repo), "--base", base, "--head", head],
            env,
        )
    # One round runs each command once, so a change in the machine's load hits all alike.
    runs: dict[str, list[tuple[float, float, float]]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, (argv, environ) in commands.items():
            runs[name].append(run_child(argv, environ))
    rows: list[tuple[str, float, float | None, float | None]] = []
    for name, measured in runs.items():
        wall, cpu = (statistics.median(r[i] for r in measured) for i in (0, 1))
        rows.append((name, wall, cpu, max(r[2] for r in measured) if rows else None))
    cpu_floor = rows[0][2] or 1.0
    req = LocalRequest(repo=repo, base=base, head=head)
    streamed = median_of(repeat, lambda: run_local(req))
    whole = median_of(repeat, lambda: whole_diff_evaluation(repo, base, head))
    rows += [("in process: streamed", streamed, None, None)]
    rows += [("in process: whole-diff parse", whole, None, None)]
    floor = rows[0][1]
    for name, seconds, cpu, peak in rows:
        used = f"; CPU {cpu:5.2f} s  {cpu / cpu_floor:5.2f}x numstat's" if cpu is not None else ""
        print(f"  {name:30} median {seconds:6.2f} s  {seconds / floor:5.2f}x numstat{used}")
        if peak:
            grown = (peak - start_up[name]) * 2**20 / size
            print(
                f"  {'':30} peak RSS {peak:.0f} MiB = {peak * 2**20 / size:.2f}x the patch; "
                f"{peak - start_up[name]:.0f} MiB = {grown:.2f}x the patch above the "
                f"{start_up[name]:.0f} MiB of its bare start-up (evaluate --help)"
            )
