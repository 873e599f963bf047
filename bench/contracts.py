"""Time interface severity: the largest fixtures per kind, and a 300-file change of contracts.

Run: python bench/contracts.py [--repeat 5]
Part 1 rates the largest committed fixture of each kind, both sides parsed, next to what
classified it before: the touch detectors of python and openapi, the path-only check (any change
touches) of the other kinds. Part 2
evaluates one change of 300 contract files (100 .proto, 100 SQL migrations, 100 Python modules)
with those interfaces declared and with no interfaces at all, side by side in one run. Part 3
times the OpenAPI touch detector, and a whole evaluation of the interface, on a 500 KB JSON
document (GitHub's description with its paths copied under ``/v2``), and a whole evaluation
of a Python interface whose one module is about 1 MB. Medians in seconds and ratios, for
comparison on one machine, never a pass/fail gate.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from pathlib import Path

from bot.core.diff import parse_files_listing
from bot.core.evaluate import evaluate
from bot.core.interfaces.detector import any_change
from bot.core.interfaces.graphql import compare_graphql
from bot.core.interfaces.openapi import classify_openapi_change
from bot.core.interfaces.openapi_severity import compare_openapi
from bot.core.interfaces.protobuf import compare_protobuf
from bot.core.interfaces.python_change import classify_python_change
from bot.core.interfaces.python_severity import compare_python
from bot.core.interfaces.sql import compare_sql
from bot.core.models import FileChange, FileVersions, PullMeta, RepoContext
from bot.core.policy import parse_policy
from bot.ops.logs import quiet_libraries

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "contracts"
DESCRIPTOR = FIXTURES / "protobuf/grpcio-tools/1.76.0/google/protobuf/descriptor.proto"


def median(repeat: int, run: Callable[[], object]) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


Pair = tuple[Callable[..., object], str, str, str]


def largest_fixtures() -> dict[str, Pair]:
    def read(path: str) -> str:
        return (FIXTURES / path).read_text()

    proto = DESCRIPTOR.read_text()
    pairs = {
        "openapi": (
            compare_openapi,
            "a.json",
            read("openapi/github-api-22.0.0.json"),
            read("openapi/github-api-23.0.0.json"),
        ),
        "graphql": (
            compare_graphql,
            "s.graphql",
            read("graphql/github-15.25.0.graphql"),
            read("graphql/github-15.26.0.graphql"),
        ),
        "protobuf": (
            compare_protobuf,
            "d.proto",
            proto,
            proto.replace("  reserved 4, 5, 6;", "  reserved 4, 6;"),
        ),
        "sql": (
            compare_sql,
            "v.py",
            "",
            read("sql/alembic/1bd49d398cd23_add_secrets_tables.py.txt"),
        ),
        "python": (
            compare_python,
            "s.py",
            read("python/packaging-21.3-specifiers.py.txt"),
            read("python/packaging-22.0-specifiers.py.txt"),
        ),
    }
    return pairs


def before_run(kind: str, path: str, before: str, after: str) -> Callable[[], object]:
    """What classified the pair before: the touch detector for python and openapi, which
    already compared contents, and the path-only check for the other kinds."""
    versions = FileVersions(before or None, after)
    if kind == "python":
        return lambda: classify_python_change(FileChange(path), versions)
    if kind == "openapi":
        return lambda: classify_openapi_change(FileChange(path), versions)
    return lambda: any_change(kind, FileChange(path))


PROTO = (
    'syntax = "proto3";\npackage acme.v{n};\n\n'
    "message Order{n} {{\n  string id = 1;\n  int64 amount = 2;\n}}\n"
)
SDK = "def pay_{n}(amount: int, currency: str = 'EUR') -> None:\n    pass\n"
NEW_FIELD = ("  int64", "  string note = 3;\n  int64")
CONFIG = """version: 1
interfaces:
  - {id: protos, kind: protobuf, paths: ["proto/**"]}
  - {id: migrations, kind: sql, paths: ["db/**"]}
  - {id: sdk, kind: python, paths: ["sdk/**"]}
"""


def contract_change() -> tuple[list[dict[str, object]], dict[str, FileVersions]]:
    listing: list[dict[str, object]] = []
    contents: dict[str, FileVersions] = {}
    for n in range(100):
        for path, before, after in (
            (f"proto/o{n}.proto", PROTO.format(n=n), PROTO.format(n=n).replace(*NEW_FIELD)),
            (f"db/{n:04}_note.sql", None, f"ALTER TABLE orders_{n} ADD COLUMN note text;\n"),
            (
                f"sdk/pay_{n}.py",
                SDK.format(n=n),
                SDK.format(n=n).replace("= 'EUR'", "= 'EUR', note: str = ''"),
            ),
        ):
            status = "modified" if before is not None else "added"
            listing.append(
                {
                    "filename": path,
                    "status": status,
                    "additions": 2,
                    "deletions": 1,
                    "patch": "@@ -1,1 +1,2 @@\n-x\n+y\n+z",
                }
            )
            contents[path] = FileVersions(before, after)
    return listing, contents


def large_openapi() -> tuple[str, str]:
    """Two sides of a JSON description of about 500 KB: one operation's summary differs."""
    document = json.loads((FIXTURES / "openapi/github-api-23.0.0.json").read_text())
    paths = document["paths"]
    original = list(paths.items())
    copy = 2
    while len(json.dumps(document)) < 500_000:
        paths.update({f"/v{copy}{path}": item for path, item in original})
        copy += 1
    before = json.dumps(document)
    first = next(iter(paths.values()))
    next(iter(first.values()))["summary"] = "changed"
    return before, json.dumps(document)


def openapi_detector(repeat: int) -> None:
    before, after = large_openapi()
    versions = FileVersions(before, after)
    detector = median(repeat, lambda: classify_openapi_change(FileChange("api.json"), versions))
    changes = parse_files_listing([{"filename": "api.json", "status": "modified", "patch": "@@"}])
    policy = parse_policy(OPENAPI_CONFIG).policy
    assert policy is not None
    context = RepoContext(contents={"api.json": versions})
    whole = median(repeat, lambda: evaluate(changes, context, PullMeta(), policy))
    size = len(before) // 1000
    print(f"openapi {size} KB JSON: touch detector {detector:.4f} s, evaluation {whole:.4f} s")


def python_module(repeat: int) -> None:
    """An evaluation of a 1 MB module that gains a parameter with a default."""
    module = "".join(SDK.format(n=n) for n in range(14_000))
    after = module.replace("def pay_0(amount: int,", "def pay_0(amount: int, note: str = '',")
    versions = FileVersions(module, after)
    changes = parse_files_listing([{"filename": "sdk/pay.py", "status": "modified", "patch": "@@"}])
    policy = parse_policy(CONFIG).policy
    assert policy is not None
    context = RepoContext(contents={"sdk/pay.py": versions})
    whole = median(repeat, lambda: evaluate(changes, context, PullMeta(), policy))
    print(f"python {len(module) // 1000} KB module: evaluation {whole:.4f} s")


OPENAPI_CONFIG = """version: 1
interfaces:
  - {id: api, kind: openapi, paths: ["api.json"]}
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    quiet_libraries()
    print("largest fixture per kind: what classified it before vs severity by parsing both sides")
    for kind, (compare, path, old, new) in largest_fixtures().items():
        before = median(args.repeat, before_run(kind, path, old, new))
        sides = ({path: old} if old else {}, {path: new})
        after = median(args.repeat, lambda c=compare, s=sides: c(*s))
        print(f"  {kind:9} before {before:8.4f} s   after {after:8.4f} s")
    listing, contents = contract_change()
    changes = parse_files_listing(listing)
    declared = parse_policy(CONFIG).policy
    plain = parse_policy("version: 1\n").policy
    assert declared is not None and plain is not None
    with_interfaces = median(
        args.repeat, lambda: evaluate(changes, RepoContext(contents=contents), PullMeta(), declared)
    )
    without = median(args.repeat, lambda: evaluate(changes, RepoContext(), PullMeta(), plain))
    print(
        f"300 contract files: plain evaluation {without:.4f} s,"
        f" with interfaces {with_interfaces:.4f} s"
        f" (x{with_interfaces / without:.1f})"
    )
    openapi_detector(args.repeat)
    python_module(args.repeat)


if __name__ == "__main__":
    main()
