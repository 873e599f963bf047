"""Tests for the config parser (bot.core.policy) and the published JSON Schema (bot.core.schema)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import jsonschema
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.check_requirements import CheckRequirement
from bot.core.config import (
    AiPolicy,
    Interface,
    Invariant,
    L1Tier,
    L1When,
    L2Tier,
    L3Tier,
    L3When,
    Policy,
    Reviewers,
    SizeLimit,
    SizePolicy,
    TiersPolicy,
)
from bot.core.models import Mode, Tier
from bot.core.policy import PolicyResult, default_policy, parse_policy
from bot.core.schema import policy_schema

CONFIGS = Path(__file__).parent.parent / "fixtures" / "configs"
SPEC_EXAMPLE = (CONFIGS / "spec-example.yml").read_text(encoding="utf-8")


def only_problem(text: str) -> tuple[str, int | None, str]:
    result = parse_policy(text)
    assert result.policy is None
    assert len(result.problems) == 1, [p.render() for p in result.problems]
    problem = result.problems[0]
    return problem.path, problem.line, problem.message


# --- valid files -------------------------------------------------------------------------------


def test_spec_example_parses_into_the_expected_model() -> None:
    result = parse_policy(SPEC_EXAMPLE)

    assert result.problems == ()
    assert result.source == ".github/review-tiers.yml"
    assert result.policy == Policy(
        size=SizePolicy(ignore=("**/*.lock", "package-lock.json", "vendor/**")),
        invariants=(
            Invariant(
                id="money-is-integer-cents",
                statement="Monetary amounts are integer cents, never floats.",
                paths=("billing/**",),
                patterns=(r"\bfloat\b", r"Decimal\("),
                owners=("@acme/payments",),
            ),
        ),
        interfaces=(
            Interface("public-api", "python", ("src/acme/api/**/*.py",), ("@acme/api-owners",)),
            Interface("rest-contract", "openapi", ("openapi/*.yaml",), ("@acme/api-owners",)),
        ),
        tiers=TiersPolicy(
            l1=L1Tier(
                when=L1When(only_paths=("docs/**", "**/*.md"), max_size="S"),
                checks=(CheckRequirement("lint"),),
            ),
            l2=L2Tier(
                checks=(CheckRequirement("lint"), CheckRequirement("test")),
                reviewers=Reviewers(teams=("acme/backend",), from_owners=True),
            ),
            l3=L3Tier(
                when=L3When(min_size="XXL", min_owners=3, paths=("infra/**",)),
                checks=(CheckRequirement("lint"), CheckRequirement("test")),
                reviewers=Reviewers(teams=("acme/architects",), invalidate_on_push=True),
            ),
        ),
    )


def test_version_alone_gives_the_built_in_defaults() -> None:
    result = parse_policy("version: 1\n")

    assert result.problems == ()
    assert result.policy == Policy()
    assert result.policy == default_policy().policy


def test_default_policy_is_labelled_and_has_no_digest() -> None:
    assert default_policy() == PolicyResult(Policy(), (), "built-in defaults", "")


def test_digest_is_sha256_of_the_text_and_source_is_kept() -> None:
    text = "version: 1\n"
    result = parse_policy(text, source="acme/.github:review-tiers.yml")

    assert result.digest == hashlib.sha256(text.encode()).hexdigest()
    assert result.source == "acme/.github:review-tiers.yml"
    assert parse_policy("").digest == hashlib.sha256(b"").hexdigest()


@pytest.mark.parametrize("path", sorted(CONFIGS.glob("*.yml")), ids=lambda p: p.name)
def test_every_fixture_parses_as_labelled(path: Path) -> None:
    result = parse_policy(path.read_text(encoding="utf-8"), source=path.name)

    if path.name.startswith("invalid-"):
        assert result.policy is None
        assert result.problems
    else:
        assert [p.render() for p in result.problems] == []
        assert result.policy is not None


def test_org_fallback_fixture_merges_partial_sections_with_defaults() -> None:
    policy = parse_policy((CONFIGS / "org-fallback.yml").read_text(encoding="utf-8")).policy

    assert policy is not None
    assert policy.tiers.l2.reviewers == Reviewers(
        teams=("acme/reviewers",), required_approvals=2, from_owners=True
    )
    assert policy.tiers.l3_when == L3When(min_size=None, min_owners=None)
    assert policy.tiers.l3.reviewers == Reviewers(teams=("acme/architects",))
    assert policy.ai.bots == ("dependabot[bot]", "renovate[bot]")
    assert policy.ai.require_section is None
    assert policy.ai.trailers == AiPolicy().trailers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "tiers:\n  L3:\n    when: {paths: ['infra/**']}\n",
            TiersPolicy(
                l3=L3Tier(
                    when=L3When(
                        invariants=False,
                        interfaces=False,
                        min_size=None,
                        min_owners=None,
                        paths=("infra/**",),
                    )
                )
            ),
            id="L3 when given: omitted keys are not triggers",
        ),
        pytest.param(
            "tiers:\n  L3:\n    checks: [lint]\n",
            TiersPolicy(l3=L3Tier(checks=(CheckRequirement("lint"),), reviewers=None)),
            id="L3 when omitted: default triggers",
        ),
        pytest.param(
            "tiers:\n  L1:\n    when: {max_size: M}\n",
            TiersPolicy(l1=L1Tier(when=L1When(only_paths=(), max_size="M"))),
            id="L1 when given: omitted keys constrain nothing",
        ),
        pytest.param(
            "tiers:\n  L1:\n    when: {only_paths: ['docs/**'], max_size: null}\n",
            TiersPolicy(l1=L1Tier(when=L1When(only_paths=("docs/**",), max_size=None))),
            id="L1 max_size null: no size constraint",
        ),
        pytest.param(
            "tiers:\n  L2:\n    reviewers: {users: [octocat], required_approvals: 2.0}\n",
            TiersPolicy(
                l2=L2Tier(
                    reviewers=Reviewers(users=("octocat",), required_approvals=2, from_owners=True)
                )
            ),
            id="reviewers merge with the tier's defaults; 2.0 is 2",
        ),
    ],
)
def test_tier_sections_merge_with_defaults(text: str, expected: TiersPolicy) -> None:
    result = parse_policy("version: 1\n" + text)

    assert result.problems == ()
    assert result.policy is not None
    assert result.policy.tiers == expected


def test_other_sections_map_onto_the_model() -> None:
    text = (
        "version: 1\nownership: {codeowners: false}\n"
        "size: {soft_limit: {lines: 200}, ignore: []}\n"
        "ai: {min_tier: L3, require_section: null, labels: [], bots: ['dependabot[bot]']}\n"
        "overrides: {roles: [admin, release-managers]}\n"
        "labels: {tier_prefix: 'review/'}\n"
    )
    policy = parse_policy(text).policy

    assert policy is not None
    assert policy.codeowners is False
    assert policy.size.soft_limit == SizeLimit(lines=200, files=40)
    assert policy.size.ignore == ()
    assert policy.size.buckets == Policy().size.buckets
    assert policy.ai == AiPolicy(
        labels=(), bots=("dependabot[bot]",), min_tier=Tier.L3, require_section=None
    )
    assert policy.overrides.roles == ("admin", "release-managers")
    assert policy.labels.tier_prefix == "review/"
    assert policy.labels.size_prefix == "size/"


def test_mode_is_enforce_unless_the_file_says_shadow() -> None:
    assert Policy().mode is Mode.ENFORCE
    shadowed = parse_policy("version: 1\nmode: shadow\n").policy
    assert shadowed is not None and shadowed.mode is Mode.SHADOW
    enforced = parse_policy("version: 1\nmode: enforce\n").policy
    assert enforced is not None and enforced.mode is Mode.ENFORCE


# --- problems: key path, line, sentence ----------------------------------------------------------

V1 = "version: 1\n"
INVARIANT = "invariants:\n  - id: money\n    statement: Integer cents.\n    paths: ['billing/**']\n"

PROBLEMS = [
    ("unknown top-level key", V1 + "foo: 1\n", "foo", 2, "unknown key 'foo'"),
    (
        "unknown nested key",
        V1 + "tiers:\n  L2:\n    reviewers:\n      teams: [acme/x]\n      approvals: 2\n",
        "tiers.L2.reviewers.approvals",
        6,
        "did you mean 'required_approvals'?",
    ),
    (
        "reviewers under L1",
        V1 + "tiers:\n  L1:\n    reviewers: {}\n",
        "tiers.L1.reviewers",
        4,
        "unknown key",
    ),
    (
        "wrong type",
        V1 + "size:\n  soft_limit:\n    lines: many\n",
        "size.soft_limit.lines",
        4,
        "must be a whole number, not the text 'many'",
    ),
    ("section is null", V1 + "size:\n", "size", 2, "must be a mapping, not null"),
    ("list expected", V1 + "size: {ignore: vendor/**}\n", "size.ignore", 2, "must be a list"),
    (
        "invalid invariant regex",
        V1 + INVARIANT + "    patterns: ['ok', 'float(']\n",
        "invariants[0].patterns[1]",
        6,
        "pattern 'float(' cannot run on RE2, the linear-time regex engine",
    ),
    (
        "invalid trailer regex",
        V1 + "ai:\n  trailers:\n    - '[unclosed'\n",
        "ai.trailers[0]",
        4,
        "missing ]: [unclosed",
    ),
    (
        "lookbehind in an invariant pattern",
        V1 + INVARIANT + "    patterns:\n      - '\\bfloat\\b'\n      - '(?<!int)\\(cents\\)'\n",
        "invariants[0].patterns[1]",
        8,
        "invalid perl operator: (?<! (lookbehind is not supported)",
    ),
    (
        "lookahead in a trailer",
        V1 + "ai:\n  trailers: ['^Co-authored-by: (?!Dependabot)']\n",
        "ai.trailers[0]",
        3,
        "linear-time regex engine that policy patterns use so that no input can stall the App",
    ),
    (
        "backreference",
        V1 + INVARIANT + "    patterns: ['(float)\\s+\\1']\n",
        "invariants[0].patterns[0]",
        6,
        "(backreferences are not supported)",
    ),
    ("invalid glob", V1 + "size:\n  ignore:\n    - 'a\\'\n", "size.ignore[0]", 4, "invalid glob"),
    (
        "comment glob",
        V1 + "tiers: {L3: {when: {paths: ['#infra']}}}\n",
        "tiers.L3.when.paths[0]",
        2,
        "comment in gitignore syntax",
    ),
    (
        "max_size not a bucket",
        V1 + "tiers:\n  L1:\n    when: {max_size: XXXL}\n",
        "tiers.L1.when.max_size",
        4,
        "must be one of XS, S, M, L, XL, XXL",
    ),
    (
        "min_size not a bucket",
        V1 + "tiers:\n  L3:\n    when:\n      min_size: huge\n",
        "tiers.L3.when.min_size",
        5,
        "must be one of",
    ),
    ("min_tier", V1 + "ai: {min_tier: L4}\n", "ai.min_tier", 2, "must be one of L1, L2, L3"),
    (
        "interface kind",
        V1 + "interfaces:\n  - {id: api, kind: rust, paths: [a]}\n",
        "interfaces[0].kind",
        3,
        "must be one of python, openapi, protobuf, graphql, sql, generic",
    ),
    (
        "negative approvals",
        V1 + "tiers: {L2: {reviewers: {required_approvals: -1}}}\n",
        "tiers.L2.reviewers.required_approvals",
        2,
        "must be at least 0",
    ),
    (
        "team with @",
        V1 + "tiers: {L3: {reviewers: {teams: ['@acme/arch']}}}\n",
        "tiers.L3.reviewers.teams[0]",
        2,
        "org/team-slug",
    ),
    ("bot login", V1 + "ai:\n  bots: ['not a login']\n", "ai.bots[0]", 3, "GitHub login"),
    (
        "owner",
        V1 + INVARIANT + "    owners: [payments]\n",
        "invariants[0].owners[0]",
        6,
        "CODEOWNERS owner",
    ),
    (
        "missing statement",
        V1 + "invariants:\n  - id: x\n    paths: [a]\n",
        "invariants[0].statement",
        3,
        "required key is missing",
    ),
    (
        "empty paths",
        V1 + "interfaces:\n  - {id: x, kind: sql, paths: []}\n",
        "interfaces[0].paths",
        3,
        "at least one entry",
    ),
    ("empty role", V1 + "overrides: {roles: ['']}\n", "overrides.roles[0]", 2, "must not be empty"),
    (
        "empty require_section",
        V1 + "ai: {require_section: ''}\n",
        "ai.require_section",
        2,
        "must not be empty",
    ),
    ("missing version", "size: {}\n", "version", 1, "required: must be 1"),
    ("version 2", "version: 2\n", "version", 1, "must be 1, not the number 2"),
    ("version true", "version: true\n", "version", 1, "must be 1, not true"),
    (
        "duplicate invariant id",
        V1 + INVARIANT + "  - {id: money, statement: s, paths: [b]}\n",
        "invariants[1].id",
        6,
        "duplicate id 'money'",
    ),
    (
        "duplicate interface id",
        V1
        + "interfaces:\n  - {id: a, kind: sql, paths: [x]}\n  - {id: a, kind: sql, paths: [y]}\n",
        "interfaces[1].id",
        4,
        "duplicate id 'a' (already used by interfaces[0].id)",
    ),
    (
        "buckets not increasing",
        V1 + "size:\n  buckets:\n    XS: 0\n    S: 10\n    M: 10\n    L: 100\n    XL: 500\n"
        "    XXL: 1000\n",
        "size.buckets.M",
        6,
        "must be greater than S (10)",
    ),
    (
        "XS not zero",
        V1 + "size: {buckets: {XS: 5, S: 10, M: 30, L: 100, XL: 500, XXL: 1000}}\n",
        "size.buckets.XS",
        2,
        "must be 0",
    ),
    (
        "bucket missing",
        V1 + "size:\n  buckets: {XS: 0, S: 10, M: 30, L: 100, XL: 500}\n",
        "size.buckets.XXL",
        3,
        "required key is missing",
    ),
    (
        "unknown bucket",
        V1 + "size:\n  buckets: {XS: 0, S: 10, M: 30, L: 100, XL: 500, XXL: 1000, XXXL: 5000}\n",
        "size.buckets.XXXL",
        3,
        "unknown key 'XXXL'",
    ),
    (
        "tier label too long",
        V1 + f"labels:\n  tier_prefix: '{'t' * 49}'\n",
        "labels.tier_prefix",
        3,
        "has 51 characters; GitHub allows at most 50",
    ),
    (
        "size label too long",
        V1 + f"labels: {{size_prefix: '{'s' * 48}'}}\n",
        "labels.size_prefix",
        2,
        "has 51 characters",
    ),
    (
        "fixed label too long",
        V1 + f"labels:\n  recheck: '{'r' * 51}'\n",
        "labels.recheck",
        3,
        "GitHub allows at most 50",
    ),
    (
        "ai label too long",
        V1 + f"ai:\n  labels:\n    - '{'a' * 60}'\n",
        "ai.labels[0]",
        4,
        "GitHub allows at most 50",
    ),
    (
        "override prefix equals tier prefix",
        V1 + "labels:\n  override_prefix: tier/\n",
        "labels.override_prefix",
        3,
        "starts with the managed prefix 'tier/'",
    ),
    (
        "duplicate key",
        V1 + "size: {}\nai: {}\nsize: {}\n",
        "size",
        4,
        "duplicate key 'size' (first on line 2)",
    ),
    (
        "nested duplicate key",
        V1 + "tiers:\n  L2:\n    checks: [a]\n    checks: [b]\n",
        "tiers.L2.checks",
        5,
        "duplicate key 'checks' (first on line 4)",
    ),
    ("syntax error", V1 + "size:\n  buckets: {XS: 0\n  ignore: []\n", "", 4, "invalid YAML"),
    ("bad indentation", V1 + "size:\n  ignore: []\n bad: 1\n", "", 4, "invalid YAML"),
    ("tab indentation", V1 + "size:\n\tignore: []\n", "", 3, "invalid YAML"),
    ("two documents", V1 + "---\nversion: 1\n", "", 2, "expected a single document"),
    ("empty file", "", "", 1, "the file is empty"),
    ("only comments", "# review-tiers\n\n", "", 1, "the file is empty"),
    ("top level list", "- version: 1\n", "", 1, "must be a mapping of settings"),
    ("top level text", "\nhello\n", "", 2, "not the text 'hello'"),
    ("top level null", "~\n", "", 1, "not null"),
    (
        "binary garbage",
        b"\x00\xff\xfe\x89PNG\r\n\x1a\n".decode("utf-8", errors="replace"),
        "",
        1,
        "not a text file",
    ),
    ("control character", V1 + "size: {}\x07\n", "", 2, "not a text file"),
    (
        "recursive alias",
        V1 + "tiers:\n  L2:\n    checks: &c [*c]\n",
        "tiers.L2.checks[0]",
        4,
        "refers to the value that contains it",
    ),
    (
        "alias bomb",
        "a: &a [1,2,3,4,5,6,7,8,9]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
        "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
        "e: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n",
        "",
        1,
        "too many values",
    ),
    ("deep nesting", "a: " + "[" * 100 + "]" * 100 + "\n", "", 1, "nested more than"),
    ("very deep nesting", "[" * 5000 + "]" * 5000, "", 1, "nested too deeply"),
    ("complex key", V1 + "? [a]\n: 1\n", "", 2, "keys must be plain text"),
    ("custom tag", V1 + "tiers: !tiers {}\n", "tiers", 2, "unsupported YAML tag '!tiers'"),
]


@pytest.mark.parametrize(
    ("text", "path", "line", "needle"),
    [pytest.param(*case[1:], id=case[0]) for case in PROBLEMS],
)
def test_problem_names_key_path_line_and_cause(
    text: str, path: str, line: int, needle: str
) -> None:
    result = parse_policy(text)

    assert result.policy is None
    assert all(p.line is not None for p in result.problems)
    matching = [p for p in result.problems if p.path == path and needle in p.message]
    assert matching, [p.render() for p in result.problems]
    assert matching[0].line == line


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "version: 1\nsize:\n  soft_limit:\n    lines: many\n",
            ("size.soft_limit.lines", 4, "must be a whole number, not the text 'many'"),
        ),
        (
            "version: 1\ntiers:\n  L2:\n    reviewers:\n      approvals: 2\n",
            (
                "tiers.L2.reviewers.approvals",
                5,
                "unknown key 'approvals'; did you mean 'required_approvals'?",
            ),
        ),
        (
            "version: 1\nfoo: 1\n",
            (
                "foo",
                2,
                "unknown key 'foo'; expected one of: version, extends, allow_loosen, size, "
                "ownership, invariants, interfaces, tiers, ai, overrides, labels, mode, preview",
            ),
        ),
        ("version: 1\nsize: {}\nsize: {}\n", ("size", 3, "duplicate key 'size' (first on line 2)")),
        (
            "version: 1\nmode: dry-run\n",
            ("mode", 2, "must be one of enforce, shadow; not the text 'dry-run'"),
        ),
    ],
)
def test_exact_sentences(text: str, expected: tuple[str, int, str]) -> None:
    assert only_problem(text) == expected


def test_all_problems_are_collected_and_sorted_by_line() -> None:
    result = parse_policy((CONFIGS / "invalid-typos.yml").read_text(encoding="utf-8"))

    assert [(p.line, p.path) for p in result.problems] == [
        (3, "size.soft_limit.lines"),
        (8, "tiers.L2.reviewers.approvals"),
        (10, "tiers.L1.when.max_size"),
        (15, "invariants[0].patterns[0]"),
    ]
    assert result.problems[0].render() == (
        "line 3: size.soft_limit.lines: must be a whole number, not the text 'many'"
    )


def test_keys_with_dots_are_quoted_in_paths() -> None:
    path, line, message = only_problem("version: 1\nsize:\n  'a.b': 1\n")

    assert (path, line) == ('size["a.b"]', 3)
    assert message.startswith("unknown key 'a.b'")


# --- never raises ------------------------------------------------------------------------------

KEYS = st.sampled_from(
    [
        "version",
        "size",
        "buckets",
        "XS",
        "ignore",
        "tiers",
        "L1",
        "L2",
        "L3",
        "when",
        "reviewers",
        "invariants",
        "interfaces",
        "id",
        "paths",
        "patterns",
        "ai",
        "labels",
        "min_tier",
        "kind",
    ]
) | st.text(max_size=8)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=12)
    | st.sampled_from(["L1", "XXL", "python", "[", "**/*.py", "#x", "\\", "tier/"])
)
TREES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(KEYS, children, max_size=5),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_arbitrary_text_never_raises(text: str) -> None:
    assert_consistent(parse_policy(text))


@settings(max_examples=300, deadline=None)
@given(TREES, st.booleans())
def test_arbitrary_yaml_structures_never_raise(tree: object, versioned: bool) -> None:
    if versioned and isinstance(tree, dict):
        tree = {"version": 1, **tree}
    assert_consistent(parse_policy(yaml.safe_dump(tree)))


def assert_consistent(result: PolicyResult) -> None:
    assert (result.policy is None) == bool(result.problems)
    assert all(p.line is not None and p.line >= 1 for p in result.problems)
    assert [p.line for p in result.problems] == sorted(p.line or 0 for p in result.problems)


# --- the JSON Schema ---------------------------------------------------------------------------


def test_schema_is_a_valid_draft_2020_12_schema() -> None:
    schema = policy_schema()

    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == "urn:review-tiers:config:v1"
    assert json.loads(json.dumps(schema)) == schema


def test_spec_example_validates_against_the_schema_directly() -> None:
    validator = jsonschema.Draft202012Validator(policy_schema())

    assert list(validator.iter_errors(yaml.safe_load(SPEC_EXAMPLE))) == []
    assert list(validator.iter_errors({"version": 1, "surprise": True}))


def test_every_property_has_a_description_and_objects_are_closed() -> None:
    def visit(node: object, where: str) -> None:
        if not isinstance(node, dict):
            return
        if node.get("type") == "object":
            assert node.get("additionalProperties") is False, where
        for key, child in node.get("properties", {}).items():
            assert child.get("description"), f"{where}.{key}"
            visit(child, f"{where}.{key}")
        visit(node.get("items"), f"{where}[]")

    visit(policy_schema(), "")


def test_schema_defaults_mirror_the_model_defaults() -> None:
    properties = policy_schema()["properties"]
    assert isinstance(properties, dict)

    assert properties["size"]["properties"]["buckets"]["default"] == Policy().size.buckets
    assert properties["ai"]["properties"]["trailers"]["default"] == list(AiPolicy().trailers)
    l3_when = properties["tiers"]["properties"]["L3"]["properties"]["when"]["properties"]
    assert l3_when["min_owners"]["default"] == 3


@pytest.mark.parametrize(
    ("text", "path"),
    [
        ("version: 1\nlabels:\n  override_prefix: tier/override-\n", "labels.override_prefix"),
        ("version: 1\nlabels:\n  tier_prefix: tier\n", "labels.tier_prefix"),
        ("version: 1\nlabels:\n  recheck: size/recheck\n", "labels.recheck"),
        ("version: 1\nai:\n  labels: [tier/ai]\n", "ai.labels[0]"),
    ],
)
def test_labels_under_a_managed_prefix_are_refused(text: str, path: str) -> None:
    result = parse_policy(text)
    assert result.policy is None
    assert [(p.path, p.line) for p in result.problems] == [(path, 3)]
    assert "managed prefix" in result.problems[0].message
