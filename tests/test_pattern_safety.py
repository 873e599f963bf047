"""Policy patterns through the real entry points: check-config, evaluate and the check run."""

from __future__ import annotations

import json
import time
from pathlib import Path

from bot.cli import main
from bot.evaluation.pipeline import evaluate_pull
from bot.evaluation.ports import RepoRef
from bot.evaluation.record import RunInfo
from tests.builders import ScratchRepo
from tests.builders import file_entry as entry
from tests.core.test_patterns import HOSTILE_LINE, HOSTILE_PATTERN
from tests.fakes import FakeGrantStore
from tests.test_cli_errors import assert_clean_failure, run_cli
from tests.test_pipeline import make_port

LOOKBEHIND = (
    "version: 1\n"
    "invariants:\n"
    "  - id: money\n"
    "    statement: Integer cents.\n"
    "    paths: ['billing/**']\n"
    "    patterns:\n"
    "      - '\\bfloat\\b'\n"
    "      - '(?<!int\\()cents'\n"
)
HOSTILE_CONFIG = (
    "version: 1\n"
    "invariants:\n"
    "  - id: money\n"
    "    statement: Integer cents.\n"
    "    paths: ['billing/**']\n"
    f"    patterns: ['{HOSTILE_PATTERN}']\n"
)
REJECTED = (
    "line 8: invariants[0].patterns[1]: pattern '(?<!int\\\\()cents' cannot run on RE2, "
    "the linear-time regex engine that policy patterns use so that no input can stall the App: "
    "invalid perl operator: (?<! (lookbehind is not supported)"
)


def test_check_config_rejects_a_lookbehind_with_key_path_and_line(tmp_path: Path) -> None:
    path = tmp_path / "review-tiers.yml"
    path.write_text(LOOKBEHIND)

    assert_clean_failure(run_cli("check-config", str(path)), REJECTED)


def test_check_run_reports_the_rejected_pattern() -> None:
    port = make_port([entry("billing/ledger.py", 1, "x = float(y)")], LOOKBEHIND)

    record = evaluate_pull(
        port, RepoRef(1, "acme", "shop"), 7, RunInfo("d-1", (None,)), FakeGrantStore()
    )

    assert record.outcome == "invalid config"
    output = port.checks["h1"]["review-tiers"].output
    assert output.conclusion == "failure"
    assert "- `invariants[0].patterns[1]` line 8: " + REJECTED.split(": ", 2)[2] in output.summary


def test_hostile_line_in_a_pull_request_is_classified_fast() -> None:
    port = make_port([entry("billing/ledger.py", 1, HOSTILE_LINE)], HOSTILE_CONFIG)

    started = time.perf_counter()
    record = evaluate_pull(
        port, RepoRef(1, "acme", "shop"), 7, RunInfo("d-1", (None,)), FakeGrantStore()
    )

    assert time.perf_counter() - started < 1.0
    assert record.tier == "L2"


def test_evaluate_hostile_line_in_under_a_second(scratch: ScratchRepo, tmp_path: Path, capsys):
    config = tmp_path / "review-tiers.yml"
    config.write_text(HOSTILE_CONFIG)
    scratch.write("billing/ledger.py", "x = 1\n")
    scratch.commit("ledger")
    scratch.branch("hostile")
    scratch.write("billing/ledger.py", f"x = 1\n{HOSTILE_LINE}\nreturn float\n")
    scratch.commit("hostile")

    started = time.perf_counter()
    code = main(
        ["evaluate", "--repo", str(scratch.root), "--config", str(config), "--format", "json"]
    )
    elapsed = time.perf_counter() - started

    assert code == 0
    assert elapsed < 1.0
    result = json.loads(capsys.readouterr().out)
    assert result["invariants"] == ["money"]
    assert "changed line `return float` matches" in result["reasons"][0]["message"]
