"""A policy that extends spec files: areas add up, other keys are defaults, floor keys only
tighten (unless allow_loosen), and chain problems name `extends` with its line."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import yaml

from bot.core.check_requirements import CheckSource
from bot.core.config import Policy, SizeLimit
from bot.core.models import Mode, Tier
from bot.core.policy import PolicyResult, parse_policy
from bot.core.specs import SpecRef
from bot.core.triggers import (
    OwnedAreasAtLeast,
    SizeAtLeast,
    TouchesInterface,
    TouchesInvariant,
    UnderPaths,
)
from tests.fakes import FakeSpecs

INVARIANT = {"id": "money-is-decimal", "statement": "Money is Decimal.", "paths": ["billing/**"]}
INTERFACE = {"id": "public-api", "kind": "python", "paths": ["src/api/**"]}


def text(data: dict[str, object], extends: str | None = None) -> str:
    head = {"version": 1, **({"extends": extends} if extends else {})}
    return yaml.safe_dump({**head, **data}, sort_keys=False)


def resolve(local: dict[str, object], spec: dict[str, object]) -> PolicyResult:
    specs = FakeSpecs()
    specs.add("acme/spec", text(spec))
    return parse_policy(text(local, "acme/spec"), loader=specs)


def policy_of(local: dict[str, object], spec: dict[str, object]) -> Policy:
    result = resolve(local, spec)
    assert result.problems == ()
    assert result.policy is not None
    return result.policy


def nested(dotted: str, value: object) -> dict[str, object]:
    out: dict[str, object] = {}
    here = out
    *parents, last = dotted.split(".")
    for key in parents:
        here[key] = {}
        here = here[key]  # type: ignore[assignment]
    here[last] = value
    return out


def when(policy: Policy) -> dict[str, object]:
    rules = policy.tiers.l3.when
    return {
        "invariants": rules.rule(TouchesInvariant).invariants,
        "interfaces": rules.rule(TouchesInterface).interfaces,
        "min_size": rules.rule(SizeAtLeast).min_size,
        "paths": rules.rule(UnderPaths).paths,
        "min_owners": rules.rule(OwnedAreasAtLeast).min_owners,
    }


def checks(tier: str) -> Callable[[Policy], object]:
    def read(policy: Policy) -> object:
        found = policy.tiers.for_tier(Tier(tier)).checks
        return {c.name: c.source for c in found}

    return read


def APPROVALS_L2(policy: Policy) -> object:
    return policy.tiers.l2.reviewers.required_approvals


def APPROVALS_L3(policy: Policy) -> object:
    return policy.tiers.reviewers_for(Tier.L3)[1].required_approvals


def ROLES(policy: Policy) -> object:
    return policy.overrides.roles


# (key, the spec's value, the local value, what applies): for each floor key, one row where the
# local value is looser (the spec's holds) and one where it is stricter (the local one holds).
FLOOR_ROWS = [
    ("ai.min_tier", "L2", "L1", lambda p: p.ai.min_tier, Tier.L2),
    ("ai.min_tier", "L2", "L3", lambda p: p.ai.min_tier, Tier.L3),
    (
        "size.hard_limit",
        {"lines": 800, "files": 50},
        {"lines": 5000, "files": 10},
        lambda p: p.size.hard_limit,
        SizeLimit(800, 10),
    ),
    (
        "size.hard_limit",
        {"lines": 800, "files": 50},
        {"lines": 300, "files": 500},
        lambda p: p.size.hard_limit,
        SizeLimit(300, 50),
    ),
    (
        "tiers.L3.when",
        {"invariants": True, "min_size": "L", "min_owners": 4, "paths": ["infra/**"]},
        {"interfaces": True, "min_size": "XL", "min_owners": 2, "paths": ["db/**"]},
        when,
        {
            "invariants": True,
            "interfaces": True,
            "min_size": "L",
            "min_owners": 2,
            "paths": ("db/**", "infra/**"),
        },
    ),
    (
        "tiers.L3.when",
        {"interfaces": True, "min_size": "XL", "min_owners": 2},
        {"invariants": False, "min_size": "M", "min_owners": None},
        when,
        {"invariants": False, "interfaces": True, "min_size": "M", "min_owners": 2, "paths": ()},
    ),
    *(
        row
        for tier in ("L1", "L2", "L3")
        for row in (
            (
                f"tiers.{tier}.checks",
                ["lint"],
                ["test"],
                checks(tier),
                {"lint": CheckSource.ANY, "test": CheckSource.ANY},
            ),
            (
                f"tiers.{tier}.checks",
                [{"name": "lint", "app": "ci"}],
                ["lint"],
                checks(tier),
                {"lint": CheckSource.APP},
            ),
            (
                f"tiers.{tier}.checks",
                ["lint"],
                [{"name": "lint", "workflow": "CI"}],
                checks(tier),
                {"lint": CheckSource.WORKFLOW},
            ),
        )
    ),
    ("tiers.L2.reviewers.required_approvals", 2, 1, APPROVALS_L2, 2),
    ("tiers.L2.reviewers.required_approvals", 1, 3, APPROVALS_L2, 3),
    ("tiers.L3.reviewers.required_approvals", 2, 1, APPROVALS_L3, 2),
    ("tiers.L3.reviewers.required_approvals", 2, 4, APPROVALS_L3, 4),
    (
        "overrides.roles",
        ["maintain", "admin"],
        ["write", "maintain", "admin"],
        ROLES,
        ("maintain", "admin"),
    ),
    ("overrides.roles", ["maintain", "admin"], ["admin"], ROLES, ("admin",)),
    ("mode", "enforce", "shadow", lambda p: p.mode, Mode.ENFORCE),
    ("mode", "shadow", "enforce", lambda p: p.mode, Mode.ENFORCE),
]


@pytest.mark.parametrize(("key", "spec", "local", "read", "expected"), FLOOR_ROWS)
def test_a_floor_key_takes_the_stricter_value(
    key: str, spec: object, local: object, read: Callable[[Policy], object], expected: object
) -> None:
    assert read(policy_of(nested(key, local), nested(key, spec))) == expected


def test_the_spec_value_holds_where_the_local_file_is_silent() -> None:
    policy = policy_of({}, {"ai": {"min_tier": "L3"}, "labels": {"tier_prefix": "review/"}})
    assert policy.ai.min_tier is Tier.L3 and policy.labels.tier_prefix == "review/"


def test_a_raised_floor_is_a_warning_at_the_local_line() -> None:
    result = resolve({"ai": {"min_tier": "L1"}}, {"ai": {"min_tier": "L2"}})
    (warning,) = [w for w in result.warnings if w.path == "ai.min_tier"]
    assert warning.line == 4 and warning.origin == ""
    assert "acme/spec@" in warning.message and '"L2", not "L1"' in warning.message


def test_allow_loosen_lets_the_local_value_stand_for_that_key_only() -> None:
    spec = {
        "allow_loosen": ["ai.min_tier", "tiers.L3.when"],
        "ai": {"min_tier": "L3"},
        "tiers": {
            "L2": {"reviewers": {"required_approvals": 2}},
            "L3": {"when": {"paths": ["x/**"]}},
        },
    }
    local = {
        "ai": {"min_tier": "L1"},
        "tiers": {
            "L2": {"reviewers": {"required_approvals": 1}},
            "L3": {"when": {"invariants": True}},
        },
    }
    result = resolve(local, spec)
    assert result.policy is not None
    assert result.policy.ai.min_tier is Tier.L1
    assert result.policy.tiers.l3.when.rule(UnderPaths).paths == ()
    assert result.policy.tiers.l2.reviewers.required_approvals == 2
    assert [w.path for w in result.warnings] == ["tiers.L2.reviewers.required_approvals"]


def test_allow_loosen_names_only_floor_keys() -> None:
    result = parse_policy("version: 1\nallow_loosen: [labels.tier_prefix]\n")
    (problem,) = result.problems
    assert (problem.path, problem.line) == ("allow_loosen[0]", 2)


def test_a_key_the_spec_leaves_out_sets_no_floor() -> None:
    policy = policy_of({"size": {"hard_limit": {"lines": 5000, "files": 500}}}, {"ai": {}})
    assert policy.size.hard_limit == SizeLimit(5000, 500)


def test_other_keys_merge_key_by_key_and_the_local_value_replaces() -> None:
    spec = {
        "size": {"soft_limit": {"lines": 100, "files": 10}, "ignore": ["a/**"]},
        "tiers": {"L2": {"reviewers": {"teams": ["acme/backend"]}}},
    }
    local = {"size": {"ignore": ["b/**"]}, "tiers": {"L2": {"reviewers": {"users": ["ann"]}}}}
    policy = policy_of(local, spec)
    assert policy.size.ignore == ("b/**",)
    assert policy.size.soft_limit == SizeLimit(100, 10)
    assert policy.tiers.l2.reviewers.teams == ("acme/backend",)
    assert policy.tiers.l2.reviewers.users == ("ann",)


def test_spec_areas_are_added_with_their_origin() -> None:
    specs = FakeSpecs()
    origin = specs.add("acme/spec", text({"invariants": [INVARIANT], "interfaces": [INTERFACE]}))
    own = {**INVARIANT, "id": "own-rule"}
    result = parse_policy(text({"invariants": [own]}, "acme/spec"), loader=specs)
    assert result.policy is not None
    assert [(i.id, i.origin) for i in result.policy.invariants] == [
        ("money-is-decimal", origin),
        ("own-rule", ""),
    ]
    assert result.policy.interfaces[0].origin == origin
    assert result.policy.specs == (origin,)
    assert [s.origin for s in result.specs] == [origin]


def test_an_id_clash_is_an_error_naming_the_id_and_line() -> None:
    local = text({"interfaces": [INTERFACE], "invariants": [INVARIANT]}, "acme/spec")
    specs = FakeSpecs()
    origin = specs.add("acme/spec", text({"invariants": [INVARIANT], "interfaces": [INTERFACE]}))
    result = parse_policy(local, loader=specs)
    assert result.policy is None
    found = {(p.path, p.line) for p in result.problems}
    assert found == {("interfaces[0].id", 4), ("invariants[0].id", 9)}
    assert all(origin in p.message and p.origin == "" for p in result.problems)
    assert "'money-is-decimal'" in result.problems[-1].message


def test_override_true_replaces_the_spec_entry() -> None:
    mine = {**INVARIANT, "statement": "Money is integer cents.", "override": True}
    policy = policy_of({"invariants": [mine]}, {"invariants": [INVARIANT]})
    (invariant,) = policy.invariants
    assert (invariant.statement, invariant.origin) == ("Money is integer cents.", "")


def test_override_true_that_replaces_a_spec_entry_says_so() -> None:
    mine = {**INVARIANT, "paths": ["nothing/**"], "override": True}
    result = resolve({"invariants": [mine]}, {"invariants": [INVARIANT]})
    assert result.policy is not None
    (warning,) = [w for w in result.warnings if w.path == "invariants[0].id"]
    assert "replaces invariant 'money-is-decimal' of acme/spec@" in warning.message
    assert warning.origin == ""


def test_override_true_with_nothing_to_replace_is_a_warning() -> None:
    result = resolve({"invariants": [{**INVARIANT, "override": True}]}, {})
    assert result.policy is not None
    assert any(
        w.path == "invariants[0].id" and "replaces nothing" in w.message for w in result.warnings
    )


def chain(depth: int) -> tuple[FakeSpecs, list[str]]:
    specs, origins = FakeSpecs(), []
    for n in range(depth):
        named = f"acme/spec{n + 1}" if n + 1 < depth else None
        origins.append(specs.add(f"acme/spec{n}", text({"ai": {"min_tier": "L2"}}, named)))
    return specs, origins


def test_three_spec_files_are_allowed() -> None:
    specs, origins = chain(3)
    result = parse_policy(text({}, "acme/spec0"), loader=specs)
    assert result.problems == () and result.policy is not None
    assert result.policy.specs == tuple(origins)


def test_a_fourth_spec_file_is_an_error_at_the_extends_that_names_it() -> None:
    specs, origins = chain(4)
    result = parse_policy(text({}, "acme/spec0"), loader=specs)
    (problem,) = result.problems
    assert (problem.path, problem.line, problem.origin) == ("extends", 2, origins[2])
    assert "'acme/spec3'" in problem.message and "at most 3" in problem.message


def test_a_cycle_is_an_error_with_its_line() -> None:
    specs = FakeSpecs()
    first = specs.add("acme/a", text({}, "acme/b"))
    specs.add("acme/b", "version: 1\n\nextends: ACME/a@v2\n")
    result = parse_policy(text({}, "acme/a"), loader=specs)
    (problem,) = result.problems
    assert (problem.path, problem.line) == ("extends", 3)
    assert problem.origin.startswith("acme/b@") and "cycle" in problem.message
    assert first.startswith("acme/a@")


def test_a_chain_back_to_the_repository_itself_is_a_cycle() -> None:
    specs = FakeSpecs()
    specs.add("acme/spec", text({}, "acme/app:.github/review-tiers.yml"))
    home = SpecRef("acme/app", ".github/review-tiers.yml")
    result = parse_policy(text({}, "acme/spec"), loader=specs, home=home)
    assert [p.path for p in result.problems] == ["extends"]
    assert "cycle" in result.problems[0].message


def test_an_unreadable_spec_is_an_error_at_the_extends_line() -> None:
    result = parse_policy("version: 1\n\nextends: acme/gone@v3\n", loader=FakeSpecs())
    (problem,) = result.problems
    assert (problem.path, problem.line, problem.origin) == ("extends", 3, "")
    assert "acme/gone@v3" in problem.message and "no such spec file" in problem.message


def test_without_a_loader_extends_fails_closed() -> None:
    result = parse_policy("version: 1\nextends: acme/spec\n")
    assert result.policy is None and result.problems[0].path == "extends"


def test_an_invalid_spec_file_reports_its_own_lines() -> None:
    specs = FakeSpecs()
    origin = specs.add("acme/spec", "version: 1\nsize:\n  nope: 1\n")
    (problem,) = parse_policy(text({}, "acme/spec"), loader=specs).problems
    assert (problem.path, problem.line, problem.origin) == ("size.nope", 3, origin)
    assert problem.render().startswith(f"{origin} line 3: size.nope:")


@pytest.mark.parametrize("named", ["acme/spec:../secrets.yml", "acme/spec:a/../../b.yml"])
def test_a_spec_path_stays_inside_the_spec_repository(named: str) -> None:
    (problem,) = parse_policy(text({}, named), loader=FakeSpecs()).problems
    assert problem.path == "extends" and "inside the spec repository" in problem.message


def test_the_merged_policy_is_checked_again() -> None:
    result = resolve(
        {"labels": {"recheck": "review/recheck"}}, {"labels": {"tier_prefix": "review/"}}
    )
    (problem,) = result.problems
    assert (problem.path, problem.line) == ("labels.recheck", 4)


def test_the_digest_covers_the_spec_files() -> None:
    one, two = FakeSpecs(), FakeSpecs()
    one.add("acme/spec", text({"ai": {"min_tier": "L2"}}))
    two.add("acme/spec", text({"ai": {"min_tier": "L3"}}))
    local = text({}, "acme/spec")
    assert parse_policy(local, loader=one).digest != parse_policy(local, loader=two).digest


def test_floors_of_every_spec_in_the_chain_hold() -> None:
    specs = FakeSpecs()
    specs.add("acme/near", text({"ai": {"min_tier": "L1"}}, "acme/far"))
    specs.add("acme/far", text({"ai": {"min_tier": "L3"}}))
    result = parse_policy(text({"ai": {"min_tier": "L1"}}, "acme/near"), loader=specs)
    assert result.policy is not None and result.policy.ai.min_tier is Tier.L3


@pytest.mark.parametrize("named", ["acme/spec:a`b.yml", "acme/spec@v1`x", "acme/spec:/etc/x.yml"])
def test_extends_is_plain_text(named: str) -> None:
    (problem,) = parse_policy(text({}, named)).problems
    assert (problem.path, problem.line) == ("extends", 2)
    assert "owner/repo" in problem.message


def test_a_broken_chain_still_names_the_spec_files_read() -> None:
    # A push fixing any of them must reach the repository: its evaluation records them.
    specs = FakeSpecs()
    first = specs.add("acme/a", text({}, "acme/b"))
    broken = specs.add("acme/b", "version: 1\nsize:\n  nope: 1\n")
    result = parse_policy(text({}, "acme/a"), loader=specs)
    assert result.policy is None and result.problems
    assert [s.origin for s in result.specs] == [first, broken]
    specs.add("acme/b", "version: 1\nextends: acme/a\n")
    cycle = parse_policy(text({}, "acme/a"), loader=specs)
    assert "cycle" in cycle.problems[0].message
    assert [s.ref.repo for s in cycle.specs] == ["acme/a", "acme/b"]
