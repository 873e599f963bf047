"""Interface changes with their severity, as the check summary, the terminal and JSON show them.

People see the first changes, breaking ones first, then how many more; JSON carries them all.
"""

from __future__ import annotations

from bot.core.models import PullFacts
from bot.core.severity import BREAKING, InterfaceChange
from bot.core.text import one_line

# The check summary has room for 65,535 characters in all; this keeps the list well inside it.
SHOWN_CHANGES = 30
MAX_WHAT_CHARS = 300


def interface_changes(facts: PullFacts) -> list[tuple[str, InterfaceChange]]:
    """Every change of every touched interface, with the interface's id, breaking ones first."""
    every = [(touch.id, change) for touch in facts.interfaces for change in touch.changes]
    return sorted(every, key=lambda item: item[1].severity != BREAKING)


def changes_json(facts: PullFacts) -> list[dict[str, str]]:
    """The ``interface_changes`` of ``evaluate --format json``: interface, path, severity, what."""
    return [
        {"interface": iid, "path": c.path, "severity": c.severity, "what": c.what}
        for iid, c in interface_changes(facts)
    ]


def changes_text(facts: PullFacts) -> list[str]:
    """Terminal lines: one per change shown, then how many more."""
    every = interface_changes(facts)
    shown = [
        f"  - [{c.severity}] {iid}: {c.path}: {one_line(c.what, MAX_WHAT_CHARS)}"
        for iid, c in every[:SHOWN_CHANGES]
    ]
    return shown + _more(len(every), "  - ")


def changes_markdown(facts: PullFacts) -> list[str]:
    """Check-summary lines; ``what`` is shown as code so names keep their characters."""
    every = interface_changes(facts)
    return [_markdown(iid, c) for iid, c in every[:SHOWN_CHANGES]] + _more(len(every), "- ")


def changes_details(facts: PullFacts) -> str:
    """The check run's text: every interface change when the summary shows only a part, ""
    otherwise (the caller clips it to GitHub's limit)."""
    every = interface_changes(facts)
    if len(every) <= SHOWN_CHANGES:
        return ""
    lines = [f"## All {len(every)} interface changes", ""]
    lines += [_markdown(iid, c) for iid, c in every]
    return "\n".join(lines) + "\n"


def _markdown(iid: str, change: InterfaceChange) -> str:
    what = _code(one_line(change.what, MAX_WHAT_CHARS))
    return f"- **{change.severity}** `{iid}` `{_code(change.path)}`: `{what}`"


def _more(count: int, prefix: str) -> list[str]:
    more = count - SHOWN_CHANGES
    if more <= 0:
        return []
    return [
        f"{prefix}…and {more} more (the check's details and `evaluate --format json` list them all)"
    ]


def _code(text: str) -> str:
    # A backtick would end the code span early; a newline would end the list item.
    return " ".join(text.replace("`", "'").split())
