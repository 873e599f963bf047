"""Time `review-tiers backtest` over a history of 1,000 changes that it builds first.

Run: python bench/backtest.py [--changes 1000] [--sample 10]
The history (one `git fast-import`) mixes direct, squash and merge commits whose sizes follow
bench/classify.py's pull requests (33 lines per file, over its areas and policy): mostly a few
files, some 30 and 300, and a 3,000-file change every 250. Prints the backtest's wall and CPU
time per change, its peak memory and git processes, then the same per change for separate
`review-tiers evaluate` runs on a sample, and one `git diff` per change against the single
`git diff-tree --stdin` stream. Timings are for comparison on one machine, never a gate.
"""

from __future__ import annotations

import argparse
import io
import resource
import subprocess
import sys
import tempfile
import time
from contextlib import redirect_stdout
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.synthetic import AREAS, CODEOWNERS, CONFIG, LINES_PER_FILE  # noqa: E402
from bot.cli import main as cli  # noqa: E402
from bot.local import backtest_git  # noqa: E402

# Files per change, in turn; plus one 3,000-file change every 250.
FILES = (1, 1, 1, 2, 2, 3, 3, 5, 5, 8, 8, 13, 20, 30, 1, 2, 3, 5, 30, 300)
HUGE_EVERY = 250


def files_of(index: int) -> int:
    return 3000 if index % HUGE_EVERY == HUGE_EVERY - 1 else FILES[index % len(FILES)]


def _blob(path: str, text: str) -> bytes:
    data = text.encode()
    return f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n"


def _commit(ref: str, mark: int, when: int, message: str, parents: list[int]) -> bytes:
    head = f"commit {ref}\nmark :{mark}\ncommitter Bench <bench@example.com> {when} +0000\n"
    msg = message.encode()
    links = "".join(
        f"{'from' if n == 0 else 'merge'} :{p}\n" for n, p in enumerate(parents)
    ).encode()
    return head.encode() + f"data {len(msg)}\n".encode() + msg + b"\n" + links


def _files(index: int) -> bytes:
    count = files_of(index)
    out = []
    for n in range(count):
        slot = (index * 7 + n) % max(count, 60)  # come back to the same files over time
        area = AREAS[slot % len(AREAS)]
        body = "".join(f"value_{index}_{k} = compute({k})\n" for k in range(LINES_PER_FILE))
        out.append(_blob(f"{area}/module_{slot}.py", body))
    return b"".join(out)


def build(repo: Path, changes: int) -> None:
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    stream = io.BytesIO()
    start = 1_700_000_000
    stream.write(_commit("refs/heads/main", 1, start, "initial", []))
    stream.write(_blob(".github/review-tiers.yml", CONFIG.read_text()))
    stream.write(_blob(".github/CODEOWNERS", CODEOWNERS))
    main, mark = 1, 1
    for index in range(changes):
        when = start + (index + 1) * 3600
        kind = index % 3
        if kind == 2:  # a pull request merged with a merge commit
            mark += 1
            stream.write(_commit("refs/heads/topic", mark, when - 60, f"Work {index}", [main]))
            stream.write(_files(index))
            mark += 1
            subject = f"Merge pull request #{index} from acme/topic-{index}\n\nChange {index}"
            stream.write(_commit("refs/heads/main", mark, when, subject, [main, mark - 1]))
        else:  # a squash (#N) or a direct commit
            mark += 1
            subject = f"Change {index} (#{index})" if kind == 1 else f"Change {index}"
            stream.write(_commit("refs/heads/main", mark, when, subject, [main]))
            stream.write(_files(index))
        main = mark
    subprocess.run(
        ["git", "-C", str(repo), "fast-import", "--quiet"], input=stream.getvalue(), check=True
    )


class CountingPopen(subprocess.Popen):  # type: ignore[type-arg]
    started = 0

    def __init__(self, *args: object, **kwargs: object) -> None:
        CountingPopen.started += 1
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


def time_backtest(repo: Path, changes: int) -> None:
    subprocess.Popen = CountingPopen  # type: ignore[misc]
    wall, cpu, git_cpu = time.perf_counter(), time.process_time(), _children_cpu()
    with redirect_stdout(io.StringIO()):
        status = cli(["backtest", "--repo", str(repo), "--limit", str(changes), "--format", "json"])
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    git_cpu = _children_cpu() - git_cpu
    subprocess.Popen = CountingPopen.__mro__[1]  # type: ignore[misc]
    assert status == 0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"backtest: {changes} changes in {wall:.1f} s wall, {cpu:.1f} s CPU")
    print(f"  per change: {wall / changes * 1000:.1f} ms wall, {cpu / changes * 1000:.1f} ms CPU")
    print(f"  peak memory (max RSS of the process): {peak:.0f} MiB")
    print(f"  git processes: {CountingPopen.started}, {git_cpu:.1f} s CPU in all")


def time_evaluate(repo: Path, changes: int, sample: int) -> None:
    pairs = _mainline(repo)[:changes]
    picked = pairs[:: max(1, len(pairs) // sample)][:sample]
    start, cpu = time.perf_counter(), _children_cpu()
    for sha, parent in picked:
        cmd = [sys.executable, "-m", "bot", "evaluate", "--repo", str(repo), "--format", "json"]
        subprocess.run([*cmd, "--base", parent, "--head", sha], capture_output=True, check=True)
    each = (time.perf_counter() - start) / len(picked)
    each_cpu = (_children_cpu() - cpu) / len(picked)
    print(
        f"evaluate, one process per change ({len(picked)} sampled): {each * 1000:.0f} ms wall, "
        f"{each_cpu * 1000:.0f} ms CPU each; about {each * changes:.0f} s wall, "
        f"{each_cpu * changes:.0f} s CPU for {changes}"
    )


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def time_diffs(repo: Path, changes: int) -> None:
    pairs = _mainline(repo)[:changes]
    start = time.perf_counter()
    for sha, parent in pairs:
        subprocess.run(["git", "-C", str(repo), "diff", "-M", parent, sha], capture_output=True)
    apart = time.perf_counter() - start
    start = time.perf_counter()
    streamed = sum(1 for _ in backtest_git.diffs(repo, pairs))
    stream = time.perf_counter() - start
    assert streamed == len(pairs)
    print(f"diffs: one `git diff` per change {apart:.1f} s; one diff-tree stream {stream:.1f} s")


def _mainline(repo: Path) -> list[tuple[str, str]]:
    """(commit, first parent) of each change, newest first; the root commit has no base."""
    out = subprocess.run(
        ["git", "-C", str(repo), "rev-list", "--first-parent", "--parents", "main"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    return [(line.split()[0], line.split()[1]) for line in out if len(line.split()) > 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--changes", type=int, default=1000)
    parser.add_argument("--sample", type=int, default=10, help="evaluate runs to time")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "repo"
        start = time.perf_counter()
        build(repo, args.changes)
        print(f"built {args.changes} changes in {time.perf_counter() - start:.1f} s")
        time_backtest(repo, args.changes)
        time_evaluate(repo, args.changes, args.sample)
        time_diffs(repo, args.changes)


if __name__ == "__main__":
    main()
