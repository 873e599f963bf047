"""Render the one sticky comment: split request, missing generation context, refused overrides."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from bot.core.config import Policy
from bot.core.models import PullFacts, TierDecision
from bot.core.names import COMMENT_MARKER

COMMENT_BUDGET = 60_000  # GitHub's cap is 65,536; stay well clear of it.
SPLIT_ROWS = 15


def suggest_split(facts: PullFacts) -> list[tuple[str, int]]:
    """Groups of changed files by owner, else by top-level directory, largest first."""
    groups: Counter[str] = Counter()
    ignored = set(facts.size.ignored_files)  # they do not count toward the size either
    for path in (p for p in facts.files if p not in ignored):
        owners = facts.owners_by_file.get(path, ())
        if owners:
            key = "owned by " + " ".join(owners)
        else:
            key = (path.split("/", 1)[0] + "/") if "/" in path else "top-level files"
        groups[key] += 1
    return groups.most_common()


def render_sticky(
    facts: PullFacts, decision: TierDecision, policy: Policy, refused: Sequence[str]
) -> str | None:
    """The comment body, or None when nothing applies (then the comment goes away)."""
    sections: list[str] = []
    if decision.limits.soft_exceeded:
        sections.append(_split_section(facts, policy))
    if decision.missing_generation_context and policy.ai.require_section:
        sections.append(
            "### Generation context missing\n"
            "This pull request is AI-assisted. Please add a section to its description:\n\n"
            f"```\n{policy.ai.require_section}\n<how the change was produced and checked>\n```"
        )
    if refused:
        lines = "\n".join(f"- {why}" for why in refused)
        sections.append(f"### Override not applied\n{lines}")
    if not sections:
        return None
    body = f"{COMMENT_MARKER}\n## review-tiers\n\n" + "\n\n".join(sections) + "\n"
    return (
        body if len(body) <= COMMENT_BUDGET else body[: COMMENT_BUDGET - 20] + "\n\n(truncated)\n"
    )


def _split_section(facts: PullFacts, policy: Policy) -> str:
    soft = policy.size.soft_limit
    rows = suggest_split(facts)
    table = "\n".join(f"| {name} | {count} |" for name, count in rows[:SPLIT_ROWS])
    more = f"\n\n…and {len(rows) - SPLIT_ROWS} more groups." if len(rows) > SPLIT_ROWS else ""
    return (
        "### Please split this pull request\n"
        f"It changes {facts.size.lines} lines in {facts.size.files} counted files, over the "
        f"soft limit of {soft.lines} lines or {soft.files} files. Smaller pull requests get "
        "faster, better reviews. A possible split:\n\n"
        f"| part | files |\n|---|---|\n{table}{more}"
    )
