"""Time classification of synthetic pull requests of 30, 300 and 3,000 files, and evaluate
on a real large range against `git diff --numstat`.

Run: python bench/classify.py [--repeat 5] [--project django --versions 2.2.28 5.1.4]
                              [--repo PATH --base A --head B] [--compare-with CHECKOUT]
                              [--no-synthetic] [--no-range]
Prints the median seconds per synthetic size and the growth ratio from 300 to 3,000 files. Then,
for the range between two released sdists of a project (downloaded once into bench/.cache and
committed one over the other in a scratch repository) or for ``--repo``'s ``A..B``, the median
time of `git diff --numstat`, of `review-tiers evaluate` run as a user runs it (the project's
default config, or the repository's own) and of the same evaluation in process, streamed and
as one whole-diff parse, each as a ratio to numstat; and the evaluate process's peak memory
against the size of the patch text. ``--compare-with`` also times the CLI of another checkout
(say a `git worktree` of main). Timings are for comparison on one machine, never a gate.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.synthetic import AREAS, CODEOWNERS, CONFIG, LINES_PER_FILE
from bot.core.diff import parse_files_listing, parse_unified_diff
from bot.core.evaluate import evaluate
from bot.core.models import PullMeta, RepoContext
from bot.core.policy import parse_policy


def synthetic_listing(files: int) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for i in range(files):
        area = AREAS[i % len(AREAS)]
        body = "\n".join(f"+value_{i}_{n} = compute({n})" for n in range(LINES_PER_FILE - 3))
        header = f"@@ -10,4 +10,{LINES_PER_FILE - 2} @@"
        patch = f"{header}\n context\n-old_{i} = 1\n-old_{i}b = 2\n-x\n{body}"
        out.append(
            {
                "filename": f"{area}/module_{i}.py",
                "status": "modified",
                "additions": LINES_PER_FILE - 3,
                "deletions": 3,
                "patch": patch,
            }
        )
    return out


def synthetic_diff(listing: list[dict[str, object]]) -> str:
    parts = [
        f"diff --git a/{e['filename']} b/{e['filename']}\n--- a/{e['filename']}\n"
        f"+++ b/{e['filename']}\n{e['patch']}\n"
        for e in listing
    ]
    return "".join(parts)


def time_once(listing: list[dict[str, object]], diff: str, source: str) -> float:
    policy = parse_policy(CONFIG.read_text()).policy
    assert policy is not None
    context = RepoContext(codeowners=CODEOWNERS)
    start = time.perf_counter()
    changes = parse_files_listing(listing) if source == "listing" else parse_unified_diff(diff)
    evaluate(changes, context, PullMeta(), policy)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--project", default="django")
    parser.add_argument("--versions", nargs=2, default=["2.2.28", "5.1.4"], metavar="V")
    parser.add_argument("--repo", type=Path, help="time this repository's --base..--head instead")
    parser.add_argument("--base")
    parser.add_argument("--head")
    parser.add_argument("--compare-with", type=Path, metavar="CHECKOUT")
    parser.add_argument("--no-synthetic", action="store_true")
    parser.add_argument("--no-range", action="store_true")
    args = parser.parse_args()
    if not args.no_synthetic:
        synthetic(args.repeat)
    if args.no_range:
        return
    from bench.range_timing import release_range, time_range

    if args.repo is not None:
        if not (args.base and args.head):
            parser.error("--repo needs --base and --head")
        time_range(args.repo, args.base, args.head, args.repeat, args.compare_with)
        return
    with tempfile.TemporaryDirectory() as tmp:
        repo, base, head = release_range(args.project, *args.versions, Path(tmp))
        print(f"{args.project} {args.versions[0]} -> {args.versions[1]}")
        time_range(repo, base, head, args.repeat, args.compare_with)


def synthetic(repeat: int) -> None:
    medians: dict[tuple[str, int], float] = {}
    for source in ("listing", "diff"):
        for files in (30, 300, 3000):
            listing = synthetic_listing(files)
            diff = synthetic_diff(listing)
            runs = [time_once(listing, diff, source) for _ in range(repeat)]
            medians[(source, files)] = statistics.median(runs)
            lines = files * LINES_PER_FILE
            median = medians[(source, files)]
            print(f"{source:8} {files:5} files {lines:7} lines  median {median:.4f} s")
    for source in ("listing", "diff"):
        ratio = medians[(source, 3000)] / medians[(source, 300)]
        print(f"{source}: growth 300 -> 3,000 files: x{ratio:.2f} (linear would be x10)")


if __name__ == "__main__":
    main()
