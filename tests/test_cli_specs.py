"""`--spec owner/repo=PATH` on real git checkouts: a spec at a ref, a spec in a working tree,
a spec with no checkout given, and `check-config --resolved`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main
from tests.builders import ScratchRepo

SPEC = """\
version: 1
ai: {min_tier: L2}
size: {hard_limit: {lines: 800, files: 80}}
invariants:
  - id: money-is-decimal
    statement: Money is Decimal (docs/decisions/0007-money-is-decimal.md).
    paths: ["billing/**"]
    patterns: ['\\bfloat\\b']
    owners: ["@acme/payments"]
"""


@pytest.fixture
def spec(tmp_path: Path) -> ScratchRepo:
    """acme/spec: the invariant committed and tagged v3, then removed at HEAD."""
    repo = ScratchRepo(tmp_path / "spec")
    repo.write("review-tiers.yml", SPEC)
    repo.write("policies/backend.yml", SPEC.replace("L2", "L3"))
    repo.commit("spec")
    repo.git("tag", "v3")
    repo.write("review-tiers.yml", "version: 1\n")
    repo.commit("drop the invariant")
    return repo


def app(scratch: ScratchRepo, extends: str) -> ScratchRepo:
    scratch.write(".github/review-tiers.yml", f"version: 1\nextends: {extends}\n")
    scratch.write("billing/ledger.py", "total = 1\n")
    scratch.commit("policy")
    scratch.branch("floats")
    scratch.write("billing/ledger.py", "total = float(1)\n")
    scratch.commit("use a float")
    return scratch


def evaluate(repo: ScratchRepo, capsys: pytest.CaptureFixture[str], *extra: str) -> dict:
    code = main(["evaluate", "--repo", str(repo.root), "--format", "json", *extra])
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


def test_a_spec_at_a_ref_is_read_with_git_inside_the_checkout(
    scratch: ScratchRepo, spec: ScratchRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = app(scratch, "acme/spec@v3")
    result = evaluate(repo, capsys, "--spec", f"acme/spec={spec.root}")
    tagged = spec.git("rev-parse", "v3^{commit}").strip()
    origin = f"acme/spec@{tagged}:review-tiers.yml"
    assert result["tier"] == "L3" and result["invariants"] == ["money-is-decimal"]
    assert result["specs"] == [origin]
    (reason,) = [r for r in result["reasons"] if r["code"] == "invariant"]
    assert f'touches "money-is-decimal" from {origin}' in reason["message"]


def test_a_spec_path_at_a_ref(
    scratch: ScratchRepo, spec: ScratchRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = app(scratch, "acme/spec:policies/backend.yml@v3")
    result = evaluate(repo, capsys, "--spec", f"ACME/Spec={spec.root}")
    assert result["specs"][0].endswith(":policies/backend.yml")


def test_without_a_ref_the_working_tree_is_read(
    scratch: ScratchRepo, spec: ScratchRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = app(scratch, "acme/spec")
    option = ("--spec", f"acme/spec={spec.root}")
    head = spec.git("rev-parse", "HEAD").strip()
    clean = evaluate(repo, capsys, *option)
    assert clean["invariants"] == [] and clean["specs"] == [f"acme/spec@{head}:review-tiers.yml"]
    spec.write("review-tiers.yml", SPEC)  # not committed
    edited = evaluate(repo, capsys, *option)
    assert edited["invariants"] == ["money-is-decimal"]
    assert edited["specs"] == ["acme/spec@worktree:review-tiers.yml"]


def test_a_spec_without_a_checkout_is_one_line_and_exit_1(
    scratch: ScratchRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = app(scratch, "acme/spec@v3")
    code = main(["evaluate", "--repo", str(repo.root)])
    out = capsys.readouterr()
    assert code == 1 and out.out == ""
    assert out.err.splitlines() == [
        "review-tiers: cannot resolve spec acme/spec@v3: no checkout of acme/spec given"
        " (pass --spec acme/spec=PATH)"
    ]


def test_an_unknown_ref_is_a_config_error_at_the_extends_line(
    scratch: ScratchRepo, spec: ScratchRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = app(scratch, "acme/spec@v9")
    code = main(["evaluate", "--repo", str(repo.root), "--spec", f"acme/spec={spec.root}"])
    err = capsys.readouterr().err
    assert code == 1
    assert "line 2: extends: cannot read the spec file 'acme/spec@v9': unknown ref 'v9'" in err


def test_check_config_resolved_prints_the_merged_policy(
    tmp_path: Path, spec: ScratchRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "review-tiers.yml"
    config.write_text(
        "version: 1\nextends: acme/spec@v3\nai: {min_tier: L1}\nlabels: {tier_prefix: t/}\n"
    )
    args = ["check-config", str(config), "--spec", f"acme/spec={spec.root}", "--resolved"]
    assert main(args) == 0
    out = capsys.readouterr()
    merged = json.loads(out.out)
    assert merged["ai"] == {"min_tier": "L2"}
    assert merged["labels"] == {"tier_prefix": "t/"}
    assert merged["size"]["hard_limit"] == {"lines": 800, "files": 80}
    assert [i["id"] for i in merged["invariants"]] == ["money-is-decimal"]
    assert "extends" not in merged
    assert "valid (version 1)" in out.err and "extends: acme/spec@" in out.err
    assert "warning: line 3: ai.min_tier:" in out.err
    merged_file = tmp_path / "merged.json"
    merged_file.write_text(out.out)
    assert main(["check-config", str(merged_file)]) == 0  # the merged policy is itself valid


def test_check_config_without_the_spec_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "review-tiers.yml"
    config.write_text("version: 1\nextends: acme/spec\n")
    assert main(["check-config", str(config)]) == 1
    assert len(capsys.readouterr().err.splitlines()) == 1


def test_a_malformed_spec_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["check-config", "x.yml", "--spec", "acme-spec"])
    assert exit_.value.code == 2
    assert "expected owner/repo=PATH" in capsys.readouterr().err
