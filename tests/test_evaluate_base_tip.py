"""`review-tiers evaluate` measures a branch from its merge-base but judges it by the files that
define the rules (the policy, CODEOWNERS, .gitattributes) as they are at the tip of the base
branch: a branch forked from an old commit, before the policy was added, gets today's policy."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.core.names import CONFIG_PATH
from bot.local import local_git
from bot.local.offline import LocalRequest, branch_changes, gather_context, run_local
from tests.builders import ScratchRepo

SPEC_CONFIG = Path(__file__).parent / "fixtures" / "configs" / "spec-example.yml"
AMOUNTS = "def total(cents: int) -> int:\n    return cents\n"
API = "src/acme/api/users.py"
FLOAT = "def total(cents: int) -> float:\n    return float(cents)\n"


@pytest.fixture
def history(scratch: ScratchRepo) -> ScratchRepo:
    """c1 has no policy; c2 (main's tip) adds one with an invariant on billing/."""
    scratch.write("billing/ledger.py", AMOUNTS)
    scratch.write(API, "def get_user(uid):\n    return uid\n")
    scratch.commit("c1")
    scratch.git("branch", "old-fork")
    scratch.write(CONFIG_PATH, SPEC_CONFIG.read_text())
    scratch.write(".github/CODEOWNERS", "billing/ @acme/payments\n")
    scratch.write(".gitattributes", "gen/** linguist-generated\n")
    scratch.write(API, "def get_user(uid):\n    return uid\n\n\ndef drop_user(uid):\n    pass\n")
    scratch.commit("c2: a policy")
    scratch.git("branch", "new-fork")
    for branch in ("old-fork", "new-fork"):
        scratch.git("checkout", "-q", branch)
        scratch.write("billing/ledger.py", FLOAT)
        scratch.commit("amounts as floats")
    scratch.git("checkout", "-q", "old-fork")
    scratch.write(API, "def get_user(uid, full):\n    return uid\n")
    scratch.commit("a wider get_user")
    scratch.git("checkout", "-q", "main")
    return scratch


def evaluated(repo: ScratchRepo, head: str, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    code = main(["evaluate", "--repo", str(repo.root), "--head", head, "--format", "json"])
    out = capsys.readouterr()
    assert code == 0, out.err
    result: dict[str, Any] = json.loads(out.out)
    return result


def test_a_branch_forked_before_the_policy_gets_the_policy_of_the_base_tip(
    history: ScratchRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    old, new = evaluated(history, "old-fork", capsys), evaluated(history, "new-fork", capsys)
    assert old["tier"] == new["tier"] == "L3"
    assert old["invariants"] == new["invariants"] == ["money-is-integer-cents"]


def test_rules_files_come_from_the_tip_and_contents_from_the_merge_base(
    history: ScratchRepo,
) -> None:
    rng = local_git.pick_range(history.root, "main", "old-fork")
    assert rng.base == history.git("rev-parse", "main~1").strip()
    assert rng.base_tip == history.git("rev-parse", "main").strip()
    result, evaluation = run_local(LocalRequest(repo=history.root, head="old-fork"))
    assert result.policy is not None and evaluation is not None
    # The change is measured from the merge-base: neither the policy nor drop_user is in it.
    assert evaluation.facts.size.files == 2
    [api] = evaluation.facts.interfaces
    assert "get_user" in str(api) and "drop_user" not in str(api)
    asked: list[tuple[str, tuple[str, ...]]] = []

    def read(ref: str, paths: Iterable[str]) -> dict[str, str | None]:
        asked.append((ref, tuple(paths)))
        return local_git.read_files(history.root, ref, asked[-1][1])

    changes = branch_changes(history.root, rng, result.policy)
    context = gather_context(read, rng, changes, result.policy)
    assert context.codeowners == "billing/ @acme/payments\n"
    assert context.gitattributes == "gen/** linguist-generated\n"
    assert [ref for ref, paths in asked if ".gitattributes" in paths] == [rng.base_tip]
    assert any(ref == rng.base and API in paths for ref, paths in asked)
    assert not any(ref == rng.base_tip and API in paths for ref, paths in asked)
