"""`backtest --spec owner/repo=PATH`: a policy that extends a spec repository is judged with the
spec's rules, read from a local checkout, as `evaluate --spec` reads them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from tests.builders import ScratchRepo
from tests.test_cli_specs import spec  # noqa: F401  (the tagged spec checkout fixture)


def history(scratch: ScratchRepo) -> ScratchRepo:
    scratch.write(".github/review-tiers.yml", "version: 1\nextends: acme/spec@v3\n")
    scratch.write("billing/ledger.py", "total = 1\n")
    scratch.commit("policy")
    scratch.write("billing/ledger.py", "total = float(1)\n")
    scratch.commit("use a float")
    return scratch


def test_backtest_reads_the_spec_from_the_checkout_given(
    scratch: ScratchRepo,
    spec: ScratchRepo,  # noqa: F811
    capsys: pytest.CaptureFixture[str],
) -> None:
    repo = history(scratch)
    args = ["backtest", "--repo", str(repo.root), "--format", "json"]
    code = main([*args, "--spec", f"acme/spec={spec.root}"])
    out = capsys.readouterr()
    assert code == 0, out.err
    newest = json.loads(out.out)["changes"][0]
    assert newest["tier"] == "L3"
    tagged = spec.git("rev-parse", "v3^{commit}").strip()
    (reason,) = [r for r in newest["reasons"] if r["code"] == "invariant"]
    assert f"from acme/spec@{tagged}:review-tiers.yml" in reason["message"]


def test_backtest_without_the_spec_checkout_says_so_in_one_line(
    scratch: ScratchRepo, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    repo = history(scratch)
    code = main(["backtest", "--repo", str(repo.root), "--format", "json"])
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1 and "acme/spec" in err
