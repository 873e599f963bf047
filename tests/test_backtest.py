"""`review-tiers backtest` on a month of scratch history: each change judged exactly as
`review-tiers evaluate --base <first parent> --head <commit>` judges it, the window options,
`--config`, bad input and the cost against one `evaluate` per change."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.cli import main
from tests.backtest_history import POLICY_V2, History, build_history

COMPARED = ("tier", "size", "reasons", "ai_assisted")


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> History:
    return build_history(tmp_path_factory.mktemp("history") / "repo")


def backtest(history: History, capsys: pytest.CaptureFixture[str], *extra: str) -> dict:
    assert main(["backtest", "--repo", str(history.repo.root), "--format", "json", *extra]) == 0
    return json.loads(capsys.readouterr().out)


def evaluate(history: History, capsys: pytest.CaptureFixture[str], commit: str) -> dict | None:
    parent = history.repo.git("rev-parse", f"{commit}^1").strip()
    args = ["evaluate", "--repo", str(history.repo.root), "--base", parent, "--head", commit]
    status = main([*args, "--format", "json"])
    out = capsys.readouterr().out
    return json.loads(out) if status == 0 else None


def by_name(history: History, result: dict) -> dict[str, dict]:
    names = {sha: name for name, sha in history.commits.items()}
    return {names[c["commit"]]: c for c in result["changes"]}


def test_every_change_gets_the_tier_evaluate_gives_it(history: History, capsys) -> None:
    result = backtest(history, capsys)
    assert len(result["changes"]) == len(history.commits) == 29
    for change in result["changes"]:
        alone = evaluate(history, capsys, change["commit"])
        if alone is None:  # evaluate refuses an invalid policy; the backtest decides no tier
            assert change["tier"] is None and change["reasons"][0]["code"] == "config"
            continue
        assert {k: alone[k] for k in COMPARED} == {k: change[k] for k in COMPARED}, change


def test_the_real_command_agrees_on_a_sample(history: History, capsys) -> None:
    changes = by_name(history, backtest(history, capsys))
    for name in ("ai-branch", "policy-v2", "infra-late", "cross"):
        commit = changes[name]["commit"]
        parent = history.repo.git("rev-parse", f"{commit}^1").strip()
        out = _cli("evaluate", "--repo", str(history.repo.root), "--base", parent, "--head", commit)
        alone = json.loads(out)
        assert {k: alone[k] for k in COMPARED} == {k: changes[name][k] for k in COMPARED}


def _cli(*args: str) -> str:
    cmd = [sys.executable, "-m", "bot", *args, "--format", "json"]
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


def test_each_change_is_judged_by_the_policy_at_its_base(history: History, capsys) -> None:
    changes = by_name(history, backtest(history, capsys))
    assert changes["infra-early"]["tier"] == "L2"
    assert changes["policy-v2"]["tier"] == "L2"  # the change to the policy is judged by the old
    assert changes["infra-late"]["tier"] == "L3"
    assert "path" in {r["code"] for r in changes["infra-late"]["reasons"]}
    assert changes["under-broken"]["tier"] is None
    assert changes["policy-fixed"]["tier"] is None
    assert changes["docs-late"]["tier"] == "L1"


def test_config_judges_every_change(history: History, capsys, tmp_path: Path) -> None:
    config = tmp_path / "policy.yml"
    config.write_text(POLICY_V2)
    changes = by_name(history, backtest(history, capsys, "--config", str(config)))
    assert changes["infra-early"]["tier"] == "L3"
    assert changes["under-broken"]["tier"] == "L2"
    assert all(c["tier"] is not None for c in changes.values())


def test_pull_numbers_titles_and_provenance(history: History, capsys) -> None:
    changes = by_name(history, backtest(history, capsys))
    assert (changes["feature-a"]["pull_number"], changes["feature-a"]["title"]) == (
        1,
        "Pull request feature-a",
    )
    assert (changes["typo"]["pull_number"], changes["typo"]["title"]) == (2, "Squashed typo")
    assert changes["docs"]["pull_number"] is None
    assert changes["docs"]["title"] == "Change docs"
    assert changes["ai-squash"]["ai_assisted"] and changes["ai-branch"]["ai_assisted"]
    # The trailer on main's own commit is not part of the branch merged after it.
    assert changes["side"]["ai_assisted"] and not changes["cross"]["ai_assisted"]
    assert changes["docs"]["merged_at"] == "2026-01-01T12:00:00Z"
    assert len(changes["docs"]["commit"]) == 40


def test_summary_lists_every_tier_and_bucket(history: History, capsys) -> None:
    result = backtest(history, capsys)
    summary, changes = result["summary"], result["changes"]
    assert list(summary["tiers"]) == ["L1", "L2", "L3"]
    assert list(summary["sizes"]) == ["XS", "S", "M", "L", "XL", "XXL"]
    assert summary["sizes"]["XXL"] == 0
    for tier, count in summary["tiers"].items():
        assert count == sum(1 for c in changes if c["tier"] == tier)
    assert summary["invalid_config"] == 2
    assert summary["ai_assisted"] == sum(1 for c in changes if c["ai_assisted"])
    assert sum(summary["sizes"].values()) == len(changes) - 2


def test_window_limit_since_and_until(history: History, capsys) -> None:
    newest = backtest(history, capsys, "--limit", "5")["changes"]
    assert [c["commit"] for c in newest] == [
        history.commits[n] for n in ("readme", "cross", "side", "docs-direct", "billing-late")
    ]
    days = backtest(history, capsys, "--since", "2026-01-03", "--until", "2026-01-05")["changes"]
    assert [c["merged_at"][:10] for c in days] == ["2026-01-05", "2026-01-04", "2026-01-03"]
    timed = backtest(history, capsys, "--since", "2026-01-03T12:00:01Z", "--until", "2026-01-05")
    assert [c["merged_at"][:10] for c in timed["changes"]] == ["2026-01-05", "2026-01-04"]
    basic = backtest(history, capsys, "--since", "20260104", "--until", "20260105")["changes"]
    assert [c["merged_at"][:10] for c in basic] == ["2026-01-05", "2026-01-04"]
    zoned = backtest(history, capsys, "--until", "2026-01-02T13:00:00+02:00")["changes"]
    assert [c["merged_at"] for c in zoned] == ["2026-01-01T12:00:00Z"]
    both = backtest(history, capsys, "--since", "2026-01-02", "--limit", "2")["changes"]
    assert [c["commit"] for c in both] == [history.commits["readme"], history.commits["cross"]]


def test_an_empty_window_says_so(history: History, capsys) -> None:
    result = backtest(history, capsys, "--since", "2030-01-01")
    assert result["changes"] == [] and result["summary"]["changes"] == 0
    assert main(["backtest", "--repo", str(history.repo.root), "--until", "2020-01-01"]) == 0
    captured = capsys.readouterr()
    assert "No changes in the window" in captured.out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "last tuesday"], "not a date: 'last tuesday'"),
        (["--until", "2026-13-01"], "not a date"),
        (["--branch", "nope"], "unknown ref 'nope'"),
        (["--limit", "-1"], "--limit must be 0 or more"),
        (["--config", "/nonexistent.yml"], "cannot read /nonexistent.yml"),
    ],
)
def test_bad_input_is_one_line(history: History, capsys, args: list[str], message: str) -> None:
    assert main(["backtest", "--repo", str(history.repo.root), *args]) == 1
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_not_a_repository(tmp_path: Path, capsys) -> None:
    assert main(["backtest", "--repo", str(tmp_path)]) == 1
    assert capsys.readouterr().err == f"review-tiers: {tmp_path} is not a git repository\n"


def test_text_format_has_a_row_per_change_and_the_summary(history: History, capsys) -> None:
    assert main(["backtest", "--repo", str(history.repo.root), "--limit", "3"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:4] == ["commit", "PR", "merged", "(UTC)"]
    assert history.commits["readme"][:12] in out and "#14" in out
    assert "\nchanges: 3\ntiers: L1 1, L2 2, L3 0\nsizes: XS 3, S 0, M 0, L 0, XL 0, XXL 0\n" in out


def test_the_window_costs_far_less_than_one_evaluate_per_change(history: History) -> None:
    root = str(history.repo.root)
    start = time.perf_counter()
    _cli("backtest", "--repo", root)
    whole = time.perf_counter() - start
    sample = [history.commits[n] for n in ("docs", "ledger", "api-break")]
    start = time.perf_counter()
    for commit in sample:
        _cli("evaluate", "--repo", root, "--base", f"{commit}^1", "--head", commit)
    separate = (time.perf_counter() - start) / len(sample) * len(history.commits)
    print(
        f"backtest of {len(history.commits)} changes: {whole:.2f} s; "
        f"{len(history.commits)} separate evaluate runs: about {separate:.2f} s"
    )
    assert whole < separate / 3


def test_the_window_takes_a_handful_of_git_processes(history: History, capsys, monkeypatch) -> None:
    started: list[list[str]] = []

    class Counting(subprocess.Popen):
        def __init__(self, args, *rest, **kwargs) -> None:
            started.append(list(args))
            super().__init__(args, *rest, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", Counting)
    assert len(backtest(history, capsys)["changes"]) == 29
    commands = [args[3] for args in started if args[0] == "git"]
    assert len(commands) <= 8, commands  # not one per change
    assert commands.count("diff-tree") == commands.count("cat-file") == 1


def test_an_invalid_config_is_refused_before_any_work(history: History, capsys, tmp_path) -> None:
    config = tmp_path / "policy.yml"
    config.write_text(POLICY_V2 + "surprise: true\n")
    assert main(["backtest", "--repo", str(history.repo.root), "--config", str(config)]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"{config}: invalid configuration\n  line 17: surprise")
