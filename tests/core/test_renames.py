"""Renames count on both sides: L3 paths, L1 only_paths and CODEOWNERS see the old path too."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.core.config import L3Tier, L3When, Policy, TiersPolicy
from bot.core.diff import parse_files_listing, parse_unified_diff
from bot.core.evaluate import Evaluation, evaluate
from bot.core.models import ChangeSet, PullMeta, Reason, RepoContext, Tier
from tests.builders import ScratchRepo

INFRA_IS_L3 = Policy(tiers=TiersPolicy(l3=L3Tier(when=L3When(paths=("infra/**",)))))
CODEOWNERS = "/infra/ @org/infra\n/docs/ @org/docs\n/src/ @org/app\n"


@dataclass(frozen=True)
class Case:
    old: str
    new: str
    tier: Tier
    reason: Reason
    owners: tuple[str, ...]
    policy: Policy = INFRA_IS_L3


CASES = {
    "out of an L3 path": Case(
        "infra/main.tf",
        "docs/main.md",
        Tier.L3,
        Reason("path", "infra/main.tf (renamed to docs/main.md) is under an L3 path (1 file(s))"),
        ("@org/docs", "@org/infra"),
    ),
    "into an L3 path": Case(
        "docs/main.md",
        "infra/main.tf",
        Tier.L3,
        Reason("path", "infra/main.tf is under an L3 path (1 file(s))"),
        ("@org/docs", "@org/infra"),
    ),
    "within docs": Case(
        "docs/a.md",
        "docs/b.md",
        Tier.L1,
        Reason("low-risk", "only docs/**, **/*.md changed and size XS is within S"),
        ("@org/docs",),
    ),
    "code into docs": Case(
        "src/notes.txt",
        "docs/notes.md",
        Tier.L2,
        Reason("default", "L2 team review is the default"),
        ("@org/app", "@org/docs"),
        Policy(),
    ),
}


def from_listing(case: Case, scratch: ScratchRepo) -> ChangeSet:
    entry = {
        "filename": case.new,
        "previous_filename": case.old,
        "status": "renamed",
        "additions": 0,
        "deletions": 0,
        "changes": 0,
    }
    return parse_files_listing([entry])


def from_git_diff(case: Case, scratch: ScratchRepo) -> ChangeSet:
    scratch.write(case.old, 'resource "bucket" {}\n')
    scratch.commit("add the file")
    scratch.branch("feature")
    (scratch.root / case.new).parent.mkdir(parents=True, exist_ok=True)
    scratch.git("mv", case.old, case.new)
    scratch.commit("move the file")
    return parse_unified_diff(scratch.diff())


def run(changes: ChangeSet, policy: Policy) -> Evaluation:
    return evaluate(changes, RepoContext(codeowners=CODEOWNERS), PullMeta(), policy)


@pytest.mark.parametrize("source", [from_listing, from_git_diff], ids=["listing", "git-diff"])
@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_rename_is_judged_by_both_paths(case: Case, source, scratch: ScratchRepo) -> None:
    changes = source(case, scratch)
    assert [(f.path, f.previous_path, f.status) for f in changes.files] == [
        (case.new, case.old, "renamed")
    ]
    result = run(changes, case.policy)
    assert result.decision.tier is case.tier
    assert result.decision.reasons[0] == case.reason
    assert result.facts.previous_paths == {case.new: case.old}
    assert result.facts.owners == case.owners
    assert sorted(result.facts.owners_by_file[case.new]) == list(case.owners)


def test_owners_of_a_rename_are_keyed_by_the_new_path() -> None:
    changes = parse_files_listing(
        [
            {"filename": "docs/main.md", "previous_filename": "infra/main.tf", "status": "renamed"},
            {
                "filename": "src/app.py",
                "status": "modified",
                "additions": 1,
                "patch": "@@ -1,0 +1 @@\n+x",
            },
        ]
    )
    facts = run(changes, Policy()).facts
    assert facts.owners_by_file == {
        "docs/main.md": ("@org/docs", "@org/infra"),
        "src/app.py": ("@org/app",),
    }
    assert facts.owners == ("@org/app", "@org/docs", "@org/infra")


def test_without_renames_nothing_changes() -> None:
    changes = parse_files_listing(
        [
            {
                "filename": "docs/a.md",
                "status": "modified",
                "additions": 1,
                "patch": "@@ -1,0 +1 @@\n+x",
            }
        ]
    )
    result = run(changes, INFRA_IS_L3)
    assert result.facts.previous_paths == {}
    assert result.decision.tier is Tier.L1
    assert result.facts.owners == ("@org/docs",)
