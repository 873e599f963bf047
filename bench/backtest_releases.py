"""Time `review-tiers backtest` over a real project's history: 30 consecutive released sdists.

Run: python bench/backtest_releases.py [--project packaging] [--releases 30] [--sample 5]
     [--cache DIR]
Downloads the project's newest N sdists from the package index (`pip download --no-binary`,
cached in DIR, default a folder under the system temp directory), commits each release over
the previous one in a scratch repository (one direct commit per release, so N-1 changes), and
runs `review-tiers backtest` over it with a policy that declares the package's Python API an
interface and an invariant with a pattern (so contents are read and parsed, as on a real
repository). Prints wall and CPU time per change, peak memory, then separate
`review-tiers evaluate` runs on a sample for comparison. Timings compare runs on one machine,
never a gate.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from contextlib import redirect_stdout
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.backtest import _children_cpu, _mainline  # noqa: E402
from bot.cli import main as cli  # noqa: E402

POLICY = """\
version: 1
invariants:
  - id: versions-compare-exactly
    statement: Version comparison is exact; no float arithmetic on versions.
    paths: ["**/version*.py", "**/specifiers.py"]
    patterns: ['\\bfloat\\(']
interfaces:
  - id: public-api
    kind: python
    paths: ["src/{name}/**/*.py", "{name}/**/*.py"]
    escalate: breaking
"""


def versions(project: str, count: int) -> list[str]:
    """The newest ``count`` final releases, oldest first."""
    out = subprocess.run(
        [sys.executable, "-m", "pip", "index", "versions", project],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(x for x in out.splitlines() if x.startswith("Available versions:"))
    found = [v.strip() for v in line.split(":", 1)[1].split(",")]
    finals = [v for v in found if all(p.isdigit() for p in v.split("."))]
    return list(reversed(finals[:count]))


def download(project: str, version: str, cache: Path) -> Path:
    for existing in cache.glob(f"{project}-{version}.tar.gz"):
        return existing
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--no-binary",
            ":all:",
            "--dest",
            str(cache),
            f"{project}=={version}",
        ],
        capture_output=True,
        check=True,
    )
    return next(cache.glob(f"{project}-{version}.tar.gz"))


def build(repo: Path, project: str, releases: list[Path]) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Bench",
        "GIT_AUTHOR_EMAIL": "bench@example.com",
        "GIT_COMMITTER_NAME": "Bench",
        "GIT_COMMITTER_EMAIL": "bench@example.com",
    }
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    for index, sdist in enumerate(releases):
        for child in repo.iterdir():
            if child.name != ".git":
                shutil.rmtree(child) if child.is_dir() else child.unlink()
        with tarfile.open(sdist) as archive:
            top = archive.getnames()[0].split("/")[0]
            archive.extractall(repo.parent / "x", filter="data")
        for child in (repo.parent / "x" / top).iterdir():
            shutil.move(str(child), repo / child.name)
        shutil.rmtree(repo.parent / "x")
        when = f"{1_700_000_000 + index * 86_400} +0000"
        subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
        subprocess.run(
            [
                "git",
                "-C",
                str(repo),
                "commit",
                "-q",
                "--allow-empty",
                "-m",
                f"Release {sdist.name.removesuffix('.tar.gz')}",
            ],
            check=True,
            env={**env, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when},
        )


def time_backtest(repo: Path, config: Path, changes: int) -> list[dict[str, object]]:
    wall, cpu = time.perf_counter(), time.process_time()
    out = io.StringIO()
    with redirect_stdout(out):
        status = cli(["backtest", "--repo", str(repo), "--config", str(config), "--format", "json"])
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    assert status == 0
    result = json.loads(out.getvalue())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"backtest: {changes} changes in {wall:.1f} s wall, {cpu:.1f} s CPU")
    print(f"  per change: {wall / changes * 1000:.0f} ms wall, {cpu / changes * 1000:.0f} ms CPU")
    print(f"  peak memory (max RSS of the process): {peak:.0f} MiB")
    print(f"  tiers: {result['summary']['tiers']}")
    changes_out: list[dict[str, object]] = result["changes"]
    return changes_out


def time_evaluate(repo: Path, config: Path, changes: list[dict[str, object]], sample: int) -> None:
    pairs = _mainline(repo)
    picked = pairs[:: max(1, len(pairs) // sample)][:sample]
    tiers = {c["commit"]: c["tier"] for c in changes}
    start, cpu = time.perf_counter(), _children_cpu()
    for sha, parent in picked:
        cmd = [
            sys.executable,
            "-m",
            "bot",
            "evaluate",
            "--repo",
            str(repo),
            "--format",
            "json",
            "--config",
            str(config),
            "--base",
            parent,
            "--head",
            sha,
        ]
        done = subprocess.run(cmd, capture_output=True, text=True, check=True)
        assert json.loads(done.stdout)["tier"] == tiers[sha], sha  # the same tier as backtest
    each = (time.perf_counter() - start) / len(picked)
    each_cpu = (_children_cpu() - cpu) / len(picked)
    print(
        f"evaluate, one process per change ({len(picked)} sampled, same tiers): "
        f"{each * 1000:.0f} ms wall, {each_cpu * 1000:.0f} ms CPU each"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", default="packaging")
    parser.add_argument("--releases", type=int, default=30)
    parser.add_argument("--sample", type=int, default=5)
    parser.add_argument(
        "--cache", type=Path, default=Path(tempfile.gettempdir()) / "review-tiers-bench-sdists"
    )
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    names = versions(args.project, args.releases)
    sdists = [download(args.project, v, args.cache) for v in names]
    print(f"{args.project}: {len(sdists)} releases {names[0]} .. {names[-1]}")
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "repo"
        build(repo, args.project, sdists)
        config = Path(tmp) / "policy.yml"
        config.write_text(POLICY.replace("{name}", args.project))
        changes = time_backtest(repo, config, len(sdists) - 1)
        time_evaluate(repo, config, changes, args.sample)


if __name__ == "__main__":
    main()
