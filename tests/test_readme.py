"""The README stays true: its examples come from the code, and every command in it is exercised."""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from bot.cli import build_parser
from tests.builders import ScratchRepo, lines
from tests.readme_examples import render_examples

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
CI = (ROOT / ".ci" / "run").read_text()
BIN = Path(sys.executable).parent


def example(name: str) -> str:
    found = re.search(rf"<!-- example:{name} -->\n(.*?)\n<!-- /example -->", README, re.S)
    assert found, name
    return (
        "\n".join(line[2:] if line.startswith("> ") else "" for line in found.group(1).splitlines())
        + "\n"
    )


def test_examples_are_what_the_pipeline_renders() -> None:
    summary, comment = render_examples()
    assert example("check-summary") == summary
    assert example("sticky-comment") == comment


def commands() -> list[str]:
    blocks = re.findall(r"```sh\n(.*?)```", README, re.S)
    return [line.strip() for block in blocks for line in block.splitlines() if line.strip()]


def run(command: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    argv = shlex.split(command.split(">")[0])
    program = argv[0].removeprefix(".venv/bin/")
    argv[0] = str(BIN / program)
    return subprocess.run(
        argv,
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
    )


def yaml_example() -> str:
    return re.search(r"```yaml\n(.*?)```", README, re.S).group(1)


def test_setup_commands_are_what_ci_runs() -> None:
    install, test = commands()[:2]
    assert install.startswith("python3 -m venv .venv") and install in CI
    assert test == ".venv/bin/python -m pytest -q" and test in CI


def test_every_readme_command_is_exercised(
    scratch: ScratchRepo, tmp_path: Path, redis_url: str
) -> None:
    scratch.branch("feature")
    scratch.write("src/app.py", lines(3))
    scratch.commit("feature")
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "review-tiers.yml").write_text(yaml_example())
    handled = 0
    for command in commands()[2:]:
        handled += exercise(command, scratch, tmp_path, redis_url)
    assert handled == len(commands()) - 2


def exercise(command: str, scratch: ScratchRepo, tmp_path: Path, redis_url: str) -> int:
    words = shlex.split(command)
    if words[0] == ".venv/bin/review-tiers":
        return exercise_cli(command, words[1], scratch, tmp_path, redis_url)
    if words[0] == ".venv/bin/ruff":
        return exercise_lint(command)
    if words[:2] == ["docker", "compose"]:
        # No container engine here: the file it runs is validated by tests/test_deploy.py.
        assert (ROOT / words[words.index("-f") + 1]).is_file()
        return 1
    if words[:2] == ["kubectl", "apply"]:
        assert list((ROOT / words[-1]).glob("*.yaml"))
        return 1
    pytest.fail(f"README command not exercised by any test: {command}")


def exercise_lint(command: str) -> int:
    # Running mypy here would be slow: CI runs each of these steps, after the tests pass.
    for part in command.split(" && "):
        assert (BIN / shlex.split(part)[0].removeprefix(".venv/bin/")).is_file(), part
        assert f"\nstep {part}\n" in CI, f"CI does not run {part!r} as the README says"
        assert CI.index(f"step {part}") > CI.index(".venv/bin/python -m pytest -q")
    mypy = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]
    assert mypy["files"] == ["bot"] and mypy["strict"] is True  # plain mypy: strict over bot/
    return 1


def exercise_cli(command: str, sub: str, scratch: ScratchRepo, tmp: Path, redis_url: str) -> int:
    if sub == "evaluate":
        done = run(command.replace("/path/to/your/repo", str(scratch.root)), tmp)
        assert done.returncode == 0 and done.stdout.startswith("tier: L2"), done.stderr
    elif sub == "check-config":
        done = run(command, tmp)  # the README's own example config, written by the caller
        assert done.returncode == 0, done.stderr
    elif sub == "schema":
        done = run(command, tmp)
        assert done.returncode == 0 and json.loads(done.stdout)["type"] == "object"
    elif sub == "backtest":
        done = run(command.replace("/path/to/your/repo", str(scratch.root)), tmp)
        assert done.returncode == 0 and "\nchanges: " in f"\n{done.stdout}", done.stderr
    elif sub == "audit":
        done = run(command, tmp, {"REDIS_URL": redis_url})
        assert done.returncode == 0, done.stderr
    elif sub == "report":
        # It reads GitHub through the App: tests/test_report.py runs it against the simulator.
        build_parser().parse_args(shlex.split(command)[1:])
    elif sub in ("serve", "worker"):
        # Started as real processes by tests/e2e (from the Procfile); here: the words parse.
        build_parser().parse_args(shlex.split(command)[1:])
    else:
        pytest.fail(f"README command not exercised: {command}")
    return 1


def test_the_first_policy_example_names_l3_reviewers() -> None:
    from bot.core.policy import parse_policy

    policy = parse_policy(yaml_example()).policy
    assert policy is not None and policy.tiers.l3_reviewers_configured
    assert policy.tiers.l3.reviewers.teams
