"""Tier decisions from facts: every rule with its reason codes (table-driven)."""

from __future__ import annotations

import pytest

from bot.core.config import Invariant, L3Tier, L3When, Policy, TiersPolicy
from bot.core.diff import parse_files_listing
from bot.core.evaluate import evaluate
from bot.core.models import Override, PullMeta, RepoContext, Tier
from tests.builders import file_entry


def listing(*entries: tuple[str, int]) -> list[dict[str, object]]:
    return [file_entry(path, n, "x") for path, n in entries]


def run(entries, policy=None, meta=None, overrides=(), context=None):
    return evaluate(
        parse_files_listing(entries),
        context or RepoContext(),
        meta or PullMeta(),
        policy or Policy(),
        overrides,
    )


@pytest.mark.parametrize(
    ("entries", "tier", "first_code", "size"),
    [
        (listing(("docs/a.md", 5)), Tier.L1, "low-risk", "XS"),
        (listing(("README.md", 29)), Tier.L1, "low-risk", "S"),
        (listing(("docs/a.md", 30)), Tier.L2, "default", "M"),
        (listing(("src/a.py", 1)), Tier.L2, "default", "XS"),
        (listing(("src/a.py", 600), ("src/b.py", 500)), Tier.L3, "size", "XXL"),
    ],
)
def test_tier_by_size_and_paths(entries, tier, first_code, size) -> None:
    result = run(entries)
    assert result.decision.tier is tier
    assert result.decision.reasons[0].code == first_code
    assert result.facts.size.label == size


def test_many_owners_escalate() -> None:
    context = RepoContext(codeowners="a/ @x\nb/ @y\nc/ @z\n")
    result = run(listing(("a/1.py", 1), ("b/1.py", 1), ("c/1.py", 1)), context=context)
    assert result.decision.tier is Tier.L3
    assert [r.code for r in result.decision.reasons] == ["owners"]


def test_l3_paths_trigger() -> None:
    policy = Policy(tiers=TiersPolicy(l3=L3Tier(when=L3When(paths=("infra/**",)))))
    result = run(listing(("infra/main.tf", 1)), policy=policy)
    assert result.decision.tier is Tier.L3 and result.decision.reasons[0].code == "path"


def test_soft_and_hard_limits() -> None:
    soft = run(listing(("src/a.py", 450)))
    assert soft.decision.limits.soft_exceeded and not soft.decision.limits.hard_exceeded
    assert "soft-limit" in [r.code for r in soft.decision.reasons]
    hard = run(listing(("src/a.py", 1600)))
    assert hard.decision.limits.hard_exceeded
    excepted = run(listing(("src/a.py", 1600)), meta=PullMeta(labels=("size-exception",)))
    assert excepted.decision.limits.size_exception


def test_honoured_override_lowers_and_keeps_the_reason() -> None:
    override = Override("tier-override/L2", Tier.L2, "maintainer", True, "reviewed offline")
    result = run(listing(("src/a.py", 600), ("src/b.py", 500)), overrides=(override,))
    assert result.decision.tier is Tier.L2 and result.decision.computed_tier is Tier.L3
    assert result.decision.reasons[0].code == "override"
    assert "maintainer" in result.decision.reasons[0].message


def test_refused_override_changes_nothing() -> None:
    override = Override("tier-override/L1", Tier.L1, "writer", False)
    assert run(listing(("src/a.py", 1)), overrides=(override,)).decision.tier is Tier.L2


def test_override_never_raises_the_tier() -> None:
    override = Override("tier-override/L2", Tier.L2, "maintainer", True)
    assert run(listing(("docs/a.md", 1)), overrides=(override,)).decision.tier is Tier.L1


def test_ai_assisted_needs_generation_context() -> None:
    meta = PullMeta(labels=("ai-assisted",), body="Fixes typo")
    result = run(listing(("docs/a.md", 1)), meta=meta)
    assert result.decision.tier is Tier.L2 and result.decision.missing_generation_context
    described = PullMeta(labels=("ai-assisted",), body="## Generation context\nAn assistant.")
    assert not run(listing(("docs/a.md", 1)), meta=described).decision.missing_generation_context


def test_truncated_listing_escalates() -> None:
    entries = listing(*((f"docs/{i}.md", 0) for i in range(3000)))
    result = run(entries)
    assert result.decision.tier is Tier.L3
    assert "truncated" in [r.code for r in result.decision.reasons]


def test_invariant_owners_become_required_groups() -> None:
    policy = Policy(invariants=(Invariant("inv", "Stmt.", ("billing/**",), (), ("@acme/pay",)),))
    result = run(listing(("billing/x.py", 1)), policy=policy)
    groups = {g.name: g for g in result.decision.groups}
    assert groups["owner @acme/pay (inv)"].required == 1
    assert result.decision.reasons[0].message.startswith('billing/x.py touches "inv" (Stmt.)')


def test_email_owners_make_no_unmeetable_groups() -> None:
    policy = Policy(
        invariants=(
            Invariant("inv", "Stmt.", ("billing/**",), (), ("pay@acme.example", "@acme/pay")),
        )
    )
    context = RepoContext(codeowners="billing/ docs@acme.example @acme/billing\n")
    result = run(listing(("billing/x.py", 1)), policy=policy, context=context)
    members = [m for g in result.decision.groups for m in g.members]
    assert "pay@acme.example" not in members and "docs@acme.example" not in members
    assert "@acme/pay" in members
