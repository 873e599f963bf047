"""L3 without reviewers of its own requires what L2 requires, plus the touched areas' owners."""

from __future__ import annotations

from bot.core.check_requirements import CheckRequirement, CheckSource
from bot.core.config import Interface, Invariant, Policy
from bot.core.diff import parse_files_listing
from bot.core.evaluate import Evaluation, evaluate
from bot.core.models import PullMeta, RepoContext, Tier
from bot.core.policy import parse_policy
from bot.core.render import decision_json, render_markdown
from bot.core.schema import policy_schema
from tests.builders import file_entry

CODEOWNERS = "billing/ @acme/billing\napi/ @acme/api\n"
INVARIANT = (
    "invariants:\n"
    "  - {id: cents, statement: Cents., paths: ['billing/**'], owners: ['@acme/pay']}\n"
)
INTERFACE = (
    "interfaces:\n  - {id: api, kind: generic, paths: ['api/**'], owners: ['@acme/api-owners']}\n"
)


def policy_of(text: str) -> Policy:
    result = parse_policy("version: 1\n" + text)
    assert result.policy is not None, [p.render() for p in result.problems]
    return result.policy


def run(policy: Policy, *paths: str) -> Evaluation:
    return evaluate(
        parse_files_listing([file_entry(p, 3) for p in paths]),
        RepoContext(codeowners=CODEOWNERS),
        PullMeta(author="dev"),
        policy,
    )


def groups(result: Evaluation) -> list[tuple[str, tuple[str, ...], int]]:
    return [(g.name, g.members, g.required) for g in result.decision.groups]


def test_default_l3_asks_the_owners_and_the_touched_areas_teams() -> None:
    result = run(policy_of(INVARIANT + INTERFACE), "billing/ledger.py", "api/users.py")
    assert result.decision.tier is Tier.L3
    assert groups(result) == [
        ("team review", ("@acme/api", "@acme/billing"), 1),
        ("owner @acme/pay (cents)", ("@acme/pay",), 1),
        ("owner @acme/api-owners (api)", ("@acme/api-owners",), 1),
    ]
    # The same files with nothing declared are L2: the first group is exactly L2's.
    l2 = run(Policy(), "billing/ledger.py", "api/users.py")
    assert l2.decision.tier is Tier.L2
    assert groups(l2) == groups(result)[:1]


def test_default_l3_takes_every_setting_of_l2() -> None:
    l2 = "tiers:\n  L2:\n    reviewers: {teams: [acme/backend], users: [octocat], "
    l2 += "required_approvals: 2, invalidate_on_push: true}\n"
    result = run(policy_of(INVARIANT + l2), "billing/ledger.py")
    assert result.decision.tier is Tier.L3
    assert groups(result) == [
        ("team review", ("@acme/backend", "@octocat", "@acme/billing"), 2),
        ("owner @acme/pay (cents)", ("@acme/pay",), 1),
    ]
    assert result.decision.invalidate_on_push


def test_configured_l3_reviewers_replace_the_default() -> None:
    l3 = "tiers:\n  L3:\n    reviewers: {teams: [acme/architects]}\n"
    policy = policy_of(INVARIANT + l3)
    assert policy.tiers.l3_reviewers_configured
    assert not policy_of(INVARIANT).tiers.l3_reviewers_configured
    assert not Policy().tiers.l3_reviewers_configured
    result = run(policy, "billing/ledger.py")
    assert groups(result) == [
        ("architecture review", ("@acme/architects",), 1),
        ("owner @acme/pay (cents)", ("@acme/pay",), 1),
    ]
    assert not result.decision.invalidate_on_push


def test_the_check_summary_lists_the_default_l3_requirements() -> None:
    result = run(policy_of(INVARIANT), "billing/ledger.py")
    summary = render_markdown(result.facts, result.decision)
    assert "- [ ] team review: 0/1 approvals (@acme/billing)" in summary
    assert "- [ ] owner @acme/pay (cents): 0/1 approvals (@acme/pay)" in summary
    assert "anyone with write access" not in summary
    requirements = decision_json(result.facts, result.decision)["requirements"]
    assert [r["group"] for r in requirements] == ["team review", "owner @acme/pay (cents)"]


def test_default_l3_of_an_invariant_with_no_owners_still_asks_l2() -> None:
    policy = Policy(invariants=(Invariant("cents", "Cents.", ("billing/**",)),))
    result = run(policy, "billing/ledger.py")
    assert result.decision.tier is Tier.L3
    assert groups(result) == [("team review", ("@acme/billing",), 1)]


def test_interface_owner_groups_do_not_repeat_a_team() -> None:
    policy = Policy(
        invariants=(Invariant("cents", "Cents.", ("api/**",), (), ("@acme/api",)),),
        interfaces=(Interface("api", "generic", ("api/**",), ("@acme/api",)),),
    )
    result = run(policy, "api/users.py")
    assert groups(result) == [
        ("team review", ("@acme/api",), 1),
        ("owner @acme/api (cents)", ("@acme/api",), 1),
    ]


def test_the_schema_says_what_l3_requires_by_default() -> None:
    tiers = policy_schema()["properties"]["tiers"]["properties"]
    assert "omitted: what L2 needs" in tiers["L3"]["properties"]["reviewers"]["description"]


def test_a_deeper_tier_requires_every_shallower_tiers_checks() -> None:
    policy = parse_policy(
        "version: 1\n"
        "tiers:\n"
        "  L1:\n"
        "    checks: [lint]\n"
        "  L2:\n"
        "    checks: [{name: test, app: github-actions}, {name: lint, status: true}]\n"
    ).policy
    assert policy is not None
    names = {t: [c.describe() for c in policy.tiers.checks_for(t)] for t in Tier}
    assert names[Tier.L1] == [CheckRequirement("lint").describe()]
    # L2's own pinned `lint` decides for that name; L3 names no checks and inherits L2's.
    assert (
        names[Tier.L2]
        == names[Tier.L3]
        == [
            CheckRequirement("test", CheckSource.APP, app="github-actions").describe(),
            CheckRequirement("lint", CheckSource.STATUS).describe(),
        ]
    )
