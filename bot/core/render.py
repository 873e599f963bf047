"""Render a decision for people and machines: plain text, the check-run markdown, and JSON."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.codeowners import CodeOwnersError
from bot.core.models import PullFacts, Reason, TierDecision
from bot.core.render_changes import changes_json, changes_markdown, changes_text
from bot.core.text import one_line

# A broken CODEOWNERS file can have thousands of bad lines; people see the first ones.
CODEOWNERS_ERRORS_SHOWN = 20
MESSAGE_CHARS = 200


@dataclass(frozen=True)
class Progress:
    """How far a requirement is met: approvals in a group, or a required check."""

    name: str
    obtained: int
    required: int
    detail: str = ""  # for a check: which report decided, in one sentence

    @property
    def met(self) -> bool:
        return self.obtained >= self.required


def decision_json(facts: PullFacts, decision: TierDecision) -> dict[str, object]:
    """The object ``evaluate --format json`` prints."""
    return {
        "tier": decision.tier.value,
        "computed_tier": decision.computed_tier.value,
        "size": {
            "label": facts.size.label,
            "lines": facts.size.lines,
            "additions": facts.size.additions,
            "deletions": facts.size.deletions,
            "files": facts.size.files,
            "ignored_files": list(facts.size.ignored_files),
        },
        "invariants": [t.id for t in facts.invariants],
        "specs": list(facts.specs),
        "interfaces": [t.id for t in facts.interfaces],
        "interface_changes": changes_json(facts),
        "owners": list(facts.owners),
        "ai_assisted": facts.ai_assisted,
        "reasons": [{"code": r.code, "message": r.message} for r in decision.reasons],
        "labels": list(decision.labels),
        "reviewers": sorted({m for g in decision.groups for m in g.members}),
        "requirements": [
            {"group": g.name, "members": list(g.members), "required": g.required}
            for g in decision.groups
        ],
        "checks": [check.as_json() for check in decision.checks],
        "limits": {
            "soft_exceeded": decision.limits.soft_exceeded,
            "hard_exceeded": decision.limits.hard_exceeded,
            "size_exception": decision.limits.size_exception,
        },
        "generation_context_missing": decision.missing_generation_context,
        "truncated": facts.truncated,
        "codeowners_errors": [
            {
                "path": e.path,
                "line": e.line,
                "kind": e.kind,
                "message": e.message,
                "source": e.source,
            }
            for e in facts.codeowners_errors
        ],
    }


def render_text(facts: PullFacts, decision: TierDecision) -> str:
    """A terminal report: tier, reasons, size table."""
    lines = [f"tier: {decision.tier.value}", "", "reasons:"]
    lines += [f"  - [{r.code}] {r.message}" for r in decision.reasons]
    lines += ["", "size:"]
    lines += [f"  {k:<14}{v}" for k, v in _size_rows(facts)]
    if any(t.changes for t in facts.interfaces):
        lines += ["", "interface changes:", *changes_text(facts)]
    if facts.owners:
        lines += ["", "owners: " + ", ".join(facts.owners)]
    if facts.codeowners_errors:
        lines += ["", "CODEOWNERS warnings (GitHub skips these lines, so they own nothing):"]
        shown, more = _first_errors(facts.codeowners_errors)
        lines += [f"  - {_shorten(e.render())}" for e in shown]
        lines += [f"  - …and {more} more"] if more else []
    if decision.groups:
        lines += ["", "approvals required:"]
        lines += [
            f"  - {g.name}: {g.required} of {', '.join(g.members) or 'anyone with write access'}"
            for g in decision.groups
        ]
    if decision.checks:
        lines += ["", "checks required:"]
        lines += [f"  - {check.describe()}" for check in decision.checks]
    lines += ["", "labels: " + ", ".join(decision.labels)]
    lines += [f"spec files: {', '.join(facts.specs)}"] if facts.specs else []
    return "\n".join(lines) + "\n"


def _size_rows(facts: PullFacts) -> list[tuple[str, str]]:
    size = facts.size
    return [
        ("bucket", size.label),
        ("lines", f"{size.lines} (+{size.additions} / -{size.deletions})"),
        ("files", f"{size.files} counted, {len(size.ignored_files)} ignored"),
    ]


def _first_errors(
    errors: Sequence[CodeOwnersError],
) -> tuple[Sequence[CodeOwnersError], int]:
    """The errors people are shown, and how many more there are."""
    shown = errors[:CODEOWNERS_ERRORS_SHOWN]
    return shown, len(errors) - len(shown)


def _shorten(text: str) -> str:
    # A message quotes the bad pattern or owner, and a line can be as long as the file.
    return text if len(text) <= MESSAGE_CHARS else text[: MESSAGE_CHARS - 1] + "…"


def reason_code(code: str, docs_url: str = "") -> str:
    """A reason code in Markdown: linked to its entry in docs/reasons.md when the App knows
    where that is published (README: REVIEW_TIERS_DOCS_URL), plain otherwise."""
    return f"[`{code}`]({docs_url}#{code})" if docs_url else f"`{code}`"


# A reason quotes names from the change (a field, a path, an operation): one line each, so no
# name can start a heading or a checklist of its own, and a bounded list, so the summary keeps
# room for the requirements under GitHub's 65,535 characters.
REASON_CHARS = 500
SHOWN_REASONS = 60


def _md_reasons(reasons: Sequence[Reason], docs_url: str) -> list[str]:
    shown = [
        f"- {reason_code(r.code, docs_url)} {_md_escape(one_line(r.message, REASON_CHARS))}"
        for r in reasons[:SHOWN_REASONS]
    ]
    more = len(reasons) - SHOWN_REASONS
    if more > 0:
        shown.append(f"- …and {more} more (`review-tiers evaluate` lists them all)")
    return shown


def _md_escape(text: str) -> str:
    return text.replace("<", "&lt;").replace(">", "&gt;")


_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def _md_literal(text: str) -> str:
    """Text shown as written: a pattern such as docs/**/*.md must not turn bold or italic."""
    return _md_escape(_MD_SPECIAL.sub(r"\\\1", text))


def render_markdown(
    facts: PullFacts,
    decision: TierDecision,
    progress: Sequence[Progress] = (),
    grants: Sequence[str] = (),
    docs_url: str = "",
) -> str:
    """The check-run summary: tier, reasons, size, touched areas, owners, grants, checklist.

    With a ``docs_url``, each reason code links to ``<docs_url>#<code>``.
    """
    why = _md_reasons(decision.reasons, docs_url)
    out = [f"## Review tier: {decision.tier.value}", "", "### Why", *why]
    out += ["", "### Size", "", "| | |", "|---|---|"]
    out += [f"| {k} | {v} |" for k, v in _size_rows(facts)]
    if facts.invariants:
        out += ["", "### Invariants touched"]
        out += [
            f"- **{t.id}**: {_md_escape(one_line(t.statement, REASON_CHARS))} ({_files(t.files)})"
            + (f" from `{t.origin}`" if t.origin else "")
            for t in facts.invariants
        ]
    if facts.interfaces:
        out += ["", "### Interfaces touched"]
        out += [
            f"- **{t.id}** ({t.kind}): {_files(t.files)}"
            + (f" from `{t.origin}`" if t.origin else "")
            for t in facts.interfaces
        ]
        if any(t.changes for t in facts.interfaces):
            out += ["", "### Interface changes", *changes_markdown(facts)]
    if facts.owners:
        out += ["", "### Owners", ", ".join(facts.owners)]
    if facts.codeowners_errors:
        out += ["", "### CODEOWNERS warnings", _CODEOWNERS_NOTE, ""]
        shown, more = _first_errors(facts.codeowners_errors)
        out += [f"- `{e.path}` line {e.line}: {_md_literal(_shorten(e.message))}" for e in shown]
        out += [f"- …and {more} more"] if more else []
    if grants:
        out += ["", "### Override and exception labels", *(f"- {line}" for line in grants)]
    out += ["", "### Requirements", *render_checklist(decision, progress)]
    if facts.specs:
        out += ["", "Policy spec files: " + ", ".join(f"`{s}`" for s in facts.specs)]
    return "\n".join(out) + "\n"


def _files(paths: Sequence[str]) -> str:
    return _md_escape(", ".join(one_line(p, 200) for p in paths[:5]))


_CODEOWNERS_NOTE = (
    "GitHub skips these lines of the base branch's CODEOWNERS file, so they own nothing and "
    "request no reviews; review-tiers skips them too. Fix them there: they do not fail this "
    "check."
)


def render_checklist(decision: TierDecision, progress: Sequence[Progress]) -> list[str]:
    """One checkbox per approval group and required check, with obtained / required."""
    known = {p.name: p for p in progress}
    rows: list[str] = []
    for group in decision.groups:
        p = known.get(group.name, Progress(group.name, 0, group.required))
        who = ", ".join(group.members) or "anyone with write access"
        rows.append(
            f"- [{'x' if p.met else ' '}] {group.name}: {p.obtained}/{p.required} "
            f"approvals ({_md_escape(who)})"
        )
    for check in decision.checks:
        p = known.get(check.key, Progress(check.key, 0, 1))
        rows.append(f"- [{'x' if p.met else ' '}] {_md_escape(p.detail or check.describe())}")
    return rows or ["- [x] no approvals or checks required"]
