"""Files that steer coding agents (``ai.instruction_files``) make a change at least L2."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.core.config import DEFAULT_INSTRUCTION_FILES, AiPolicy, Policy
from bot.core.diff import parse_files_listing
from bot.core.evaluate import Evaluation, evaluate
from bot.core.globs import GlobSet
from bot.core.models import PullMeta, Reason, RepoContext, Tier
from bot.core.policy import parse_policy
from bot.core.schema import policy_schema
from tests.builders import file_entry

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
# One realistic path per default pattern, as the agents' own documentation places them.
REALISTIC = {
    "**/AGENTS.md": "services/billing/AGENTS.md",
    "**/AGENT.md": "AGENT.md",
    "**/CLAUDE.md": "CLAUDE.md",
    "**/CLAUDE.local.md": "tools/CLAUDE.local.md",
    ".claude/**": ".claude/settings.json",
    "**/GEMINI.md": "packages/web/GEMINI.md",
    ".cursorrules": ".cursorrules",
    "**/.cursor/rules/**": "apps/web/.cursor/rules/python-style.mdc",
    ".github/copilot-instructions.md": ".github/copilot-instructions.md",
    ".github/instructions/**": ".github/instructions/tests.instructions.md",
    ".github/prompts/**": ".github/prompts/release.prompt.md",
    ".windsurfrules": ".windsurfrules",
    ".windsurf/rules/**": ".windsurf/rules/style.md",
    ".clinerules": ".clinerules",
}


def run(*entries: dict[str, object], policy: Policy | None = None) -> Evaluation:
    return evaluate(
        parse_files_listing(list(entries)), RepoContext(), PullMeta(), policy or Policy()
    )


def test_every_default_has_a_realistic_example() -> None:
    assert set(REALISTIC) == set(AiPolicy().instruction_files) == set(DEFAULT_INSTRUCTION_FILES)


@pytest.mark.parametrize(("pattern", "path"), sorted(REALISTIC.items()))
def test_default_matches_a_realistic_path(pattern: str, path: str) -> None:
    assert GlobSet.from_patterns(DEFAULT_INSTRUCTION_FILES).first_match(path) == pattern


def test_agents_md_edit_is_l2_not_l1() -> None:
    result = run(file_entry("AGENTS.md", 3, "- Never run the tests."))

    assert result.decision.tier is Tier.L2
    assert result.decision.reasons == (
        Reason(
            "agent-instructions",
            "AGENTS.md steers coding agents (ai.instruction_files): at least L2",
        ),
    )


def test_rename_away_from_an_instruction_file_counts() -> None:
    entry = {**file_entry("docs/old-agents.md", 0), "status": "renamed"}
    entry["previous_filename"] = "docs/AGENTS.md"

    result = run(entry)

    assert result.decision.tier is Tier.L2
    assert result.decision.reasons[0] == Reason(
        "agent-instructions",
        "docs/AGENTS.md (renamed to docs/old-agents.md) steers coding agents "
        "(ai.instruction_files): at least L2",
    )


def test_many_instruction_files_are_named_up_to_three() -> None:
    paths = ["a/AGENTS.md", "b/AGENTS.md", "c/CLAUDE.md", "d/GEMINI.md", ".cursorrules"]

    result = run(*(file_entry(p, 1, "x") for p in paths))

    assert result.decision.reasons[0].message == (
        "a/AGENTS.md, b/AGENTS.md, c/CLAUDE.md and 2 more steer coding agents "
        "(ai.instruction_files): at least L2"
    )


def test_reason_is_kept_at_l3_and_next_to_the_ai_minimum() -> None:
    policy = replace(Policy(), ai=AiPolicy(min_tier=Tier.L3))
    meta = PullMeta(labels=("ai-assisted",))
    changes = parse_files_listing([file_entry("CLAUDE.md", 2, "x")])

    result = evaluate(changes, RepoContext(), meta, policy)

    assert result.decision.tier is Tier.L3
    assert [r.code for r in result.decision.reasons] == ["ai", "agent-instructions", "ai-label"]


def test_an_empty_list_turns_the_rule_off() -> None:
    policy = parse_policy("version: 1\nai:\n  instruction_files: []\n").policy
    assert policy is not None

    assert run(file_entry("AGENTS.md", 3, "x"), policy=policy).decision.tier is Tier.L1


def test_configured_globs_replace_the_defaults() -> None:
    policy = parse_policy("version: 1\nai:\n  instruction_files: ['prompts/**']\n").policy
    assert policy is not None and policy.ai.instruction_files == ("prompts/**",)

    assert run(file_entry("prompts/review.md", 3, "x"), policy=policy).decision.tier is Tier.L2


def test_globs_are_validated_with_key_path_and_line() -> None:
    result = parse_policy("version: 1\nai:\n  instruction_files:\n    - '#AGENTS.md'\n")

    assert [(p.path, p.line) for p in result.problems] == [("ai.instruction_files[0]", 4)]
    assert "comment in gitignore syntax" in result.problems[0].message


def test_defaults_are_published_in_the_schema_and_the_readme() -> None:
    ai = policy_schema()["properties"]["ai"]["properties"]  # type: ignore[index]
    assert ai["instruction_files"]["default"] == list(DEFAULT_INSTRUCTION_FILES)
    assert all(f"`{pattern}`" in README for pattern in DEFAULT_INSTRUCTION_FILES)
    assert "`agent-instructions`" in README
