"""Bad input to the command line: one clear line on stderr, exit 1, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from tests.builders import ScratchRepo, lines


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the real entry point in a subprocess, so a traceback could not hide."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], capture_output=True, text=True, check=False
    )


def assert_clean_failure(done: subprocess.CompletedProcess[str], needle: str) -> None:
    assert done.returncode == 1, done
    assert "Traceback" not in done.stderr
    assert needle in done.stderr


def test_not_a_git_repository(tmp_path: Path) -> None:
    done = run_cli("evaluate", "--repo", str(tmp_path))
    assert_clean_failure(done, "is not a git repository")
    assert len(done.stderr.strip().splitlines()) == 1


def test_missing_directory(tmp_path: Path) -> None:
    assert_clean_failure(run_cli("evaluate", "--repo", str(tmp_path / "nope")), "not a directory")


def test_unknown_ref(scratch: ScratchRepo) -> None:
    done = run_cli("evaluate", "--repo", str(scratch.root), "--base", "no-such-branch")
    assert_clean_failure(done, "unknown ref 'no-such-branch'")


def test_binary_garbage_as_diff(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.diff"
    garbage.write_bytes(bytes(range(256)) * 40)
    done = run_cli("evaluate", "--repo", str(tmp_path), "--diff", str(garbage))
    assert_clean_failure(done, "not a unified diff")


def test_text_that_is_not_a_diff(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("hello\nworld\n")
    done = run_cli("evaluate", "--repo", str(tmp_path), "--diff", str(text))
    assert_clean_failure(done, "not a unified diff")


def test_missing_diff_file(tmp_path: Path) -> None:
    done = run_cli("evaluate", "--repo", str(tmp_path), "--diff", str(tmp_path / "x.diff"))
    assert_clean_failure(done, "cannot read")


def _big_diff(scratch: ScratchRepo, count: int) -> str:
    scratch.branch("big")
    for index in range(10):
        scratch.write(f"src/big_{index}.py", lines(count // 10))
    scratch.commit("big")
    return scratch.diff()


def test_100k_line_diff_is_evaluated(scratch: ScratchRepo, tmp_path: Path, capsys) -> None:
    diff = tmp_path / "big.diff"
    diff.write_text(_big_diff(scratch, 100_000))
    assert main(["evaluate", "--diff", str(diff), "--repo", str(tmp_path), "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["size"]["lines"] == 100_000
    assert result["tier"] == "L3" and result["limits"]["hard_exceeded"] is True


def test_truncated_100k_line_diff(scratch: ScratchRepo, tmp_path: Path) -> None:
    text = _big_diff(scratch, 100_000)
    diff = tmp_path / "cut.diff"
    # Cut inside a hunk: ten equal files would make the middle a clean file boundary.
    diff.write_text(text[: len(text) // 2 + 500])
    done = run_cli("evaluate", "--diff", str(diff), "--repo", str(tmp_path))
    assert_clean_failure(done, "not a valid unified diff")


@pytest.mark.parametrize(
    ("config", "needle"),
    [
        ("version: 1\nsize: [unclosed\n", "line 2"),
        ("version: 1\nsize:\n  soft_limit:\n    lines: many\n", "size.soft_limit.lines"),
        ("version: 1\nsurprise: true\n", "surprise"),
    ],
    ids=["invalid-yaml", "wrong-type", "unknown-key"],
)
def test_bad_config(scratch: ScratchRepo, tmp_path: Path, config: str, needle: str) -> None:
    path = tmp_path / "config.yml"
    path.write_text(config)
    done = run_cli("evaluate", "--repo", str(scratch.root), "--config", str(path))
    assert_clean_failure(done, needle)
    checked = run_cli("check-config", str(path))
    assert_clean_failure(checked, needle)


def test_check_config_accepts_the_spec_example() -> None:
    spec = Path(__file__).parent / "fixtures" / "configs" / "spec-example.yml"
    done = run_cli("check-config", str(spec))
    assert done.returncode == 0, done.stderr
    assert "valid" in done.stdout


def test_schema_is_json() -> None:
    done = run_cli("schema")
    assert done.returncode == 0
    schema = json.loads(done.stdout)
    assert schema["type"] == "object" and "invariants" in schema["properties"]
