"""Find changed files that steer coding agents (``ai.instruction_files``): never low-risk."""

from __future__ import annotations

from bot.core.globs import GlobSet
from bot.core.models import PullFacts, Reason

CODE = "agent-instructions"
# Enough names for the reason to point at the files without flooding the summary.
_NAMED = 3


def instruction_files_changed(facts: PullFacts, patterns: tuple[str, ...]) -> list[str]:
    """Changed files matching ``patterns`` on either side of a rename, old path cited."""
    if not patterns:
        return []
    return facts.paths_matching(GlobSet.from_patterns(patterns).matches)


def classify_instruction_files(facts: PullFacts, patterns: tuple[str, ...]) -> list[Reason]:
    """One reason when agent instruction files changed: such a change is at least L2.

    An agent reads these files as orders for every later change it writes, so an edit to one
    is a change to how code gets written, whatever its extension says about risk.
    """
    hits = instruction_files_changed(facts, patterns)
    if not hits:
        return []
    named = ", ".join(hits[:_NAMED])
    more = f" and {len(hits) - _NAMED} more" if len(hits) > _NAMED else ""
    message = (
        f"{named}{more} steer{'s' if len(hits) == 1 else ''} coding agents "
        "(ai.instruction_files): at least L2"
    )
    return [Reason(CODE, message)]
