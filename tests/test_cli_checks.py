"""The command line on required checks: warnings for unpinned ones, sources in every output."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot.cli import main
from bot.core.policy import parse_policy
from tests.builders import ScratchRepo

CONFIG = """version: 1
tiers:
  L2:
    checks:
      - lint
      - {name: test, app: github-actions}
      - {name: e2e, workflow: CI}
      - {name: docs, source: any}
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "review-tiers.yml"
    path.write_text(CONFIG)
    return path


def test_check_config_warns_about_a_bare_name_and_still_succeeds(
    config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check-config", str(config)]) == 0
    out, err = capsys.readouterr()
    assert "valid" in out
    [warning] = err.strip().splitlines()
    assert warning.startswith("warning: line 5: tiers.L2.checks[0]: check `lint` is unpinned")
    assert "{name: lint, app: github-actions}" in warning


def test_evaluate_shows_each_check_with_its_source(
    scratch: ScratchRepo, config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scratch.write("src/app.py", "x = 1\n")
    scratch.commit("base")
    scratch.branch("feature")
    scratch.write("src/app.py", "x = 2\n")
    scratch.commit("change")
    args = ["evaluate", "--repo", str(scratch.root), "--base", "main", "--config", str(config)]
    assert main([*args, "--format", "json"]) == 0
    checks = json.loads(capsys.readouterr().out)["checks"]
    assert checks == [
        {"name": "lint", "source": "any", "pinned": False},
        {"name": "test", "source": "app", "app": "github-actions", "pinned": True},
        {"name": "e2e", "source": "workflow", "workflow": "CI", "pinned": True},
        {"name": "docs", "source": "any", "pinned": False},
    ]
    assert main([*args, "--format", "markdown"]) == 0
    markdown = capsys.readouterr().out
    assert "- [ ] check `lint` (unpinned: any app or commit status)" in markdown
    assert "- [ ] check `test` from app github-actions" in markdown
    assert "- [ ] check `e2e` from workflow CI" in markdown


def test_the_readme_example_of_pinned_checks_is_valid_and_quiet() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    [example] = [b for b in re.findall(r"```yaml\n(.*?)```", readme, re.S) if "checks:" in b]
    result = parse_policy("version: 1\n" + example)
    assert result.problems == () and result.warnings == ()
    assert result.policy is not None
    assert [c.source.value for c in result.policy.tiers.l2.checks] == [
        "app",
        "workflow",
        "status",
        "any",
    ]
