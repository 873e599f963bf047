"""The policy-change section of the check: the new files' errors and warnings, and the preview
of the open pull requests' tiers, fitted into GitHub's summary limit with the rest in the text.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot.core.actions import CheckState
from bot.core.models import Tier
from bot.core.outcome import OUTPUT_LIMIT
from bot.core.preview import ARROWS, DIRECTIONS, Dependents, PolicyPreview, PreviewRow
from bot.core.text import one_line

SHOWN_ROWS = 60
SHOWN_PROBLEMS = 30
TITLE_CHARS = 80
MESSAGE_CHARS = 300
_CUT = "\n\n(truncated to fit GitHub's limit)\n"
_SPECIAL = re.compile(r"([\\`*_\[\]|~#])")


def with_preview(check: CheckState, preview: PolicyPreview, tier: Tier) -> CheckState:
    """``check`` with the section appended; errors in the new policy make it fail whatever
    the requirements. Rows that do not fit the summary are listed in full in the text."""
    least = "\n".join(section(preview, 0))
    room = OUTPUT_LIMIT - len(least) - len(_CUT) - 2
    summary = check.summary if len(check.summary) <= room else check.summary[:room] + _CUT
    shown = min(SHOWN_ROWS, len(preview.rows))
    body = "\n".join(section(preview, shown))
    while shown and len(summary) + len(body) + 1 > OUTPUT_LIMIT:
        shown = max(0, shown - max(1, shown // 8))
        body = "\n".join(section(preview, shown))
    text = check.text
    if shown < len(preview.rows):
        text = clip(f"{text}\n{details(preview)}".lstrip("\n"))
    out = replace(check, summary=f"{summary}\n{body}", text=text)
    if not preview.failing:
        return out
    count = len(preview.new.problems)
    title = f"{tier.value}: the new policy has {count} error(s)"
    return replace(out, status="completed", conclusion="failure", title=title)


def section(preview: PolicyPreview, shown: int) -> list[str]:
    """The markdown section, listing the first ``shown`` rows."""
    named = " and ".join(f"`{path}`" for path in preview.touch.paths)
    out = [
        "### Policy change",
        "",
        f"This pull request changes {named}. Its own tier comes from the base branch's "
        "policy; this section shows what the new files would do once merged.",
    ]
    if preview.touch.policy:
        out += ["", f"The new policy: `{_code(preview.new.source)}`."]
    out += _problems(preview)
    out += _codeowners(preview)
    out += _rows(preview, shown)
    if preview.dependents is not None:
        out += _dependents(preview.dependents)
    return [*out, ""]


def details(preview: PolicyPreview) -> str:
    """Every row, for the check's text when the summary shows only a part."""
    rows = preview.ordered()
    lines = [f"## Policy preview: all {len(rows)} open pull requests", ""]
    return "\n".join([*lines, *(_row(row) for row in rows)]) + "\n"


def clip(text: str) -> str:
    if len(text) <= OUTPUT_LIMIT:
        return text
    return text[: OUTPUT_LIMIT - len(_CUT)] + _CUT


def _problems(preview: PolicyPreview) -> list[str]:
    problems = preview.new.problems
    if not problems:
        return []
    out = [
        "",
        "#### Errors in the new policy",
        "",
        f"`{_code(preview.new.source)}` has {len(problems)} error(s); this check fails until "
        "they are fixed (`review-tiers check-config FILE` shows the same list).",
        "",
    ]
    out += [
        f"- `{_code(p.path or '<root>')}` line {p.line or '?'}: {_literal(p.message)}"
        for p in problems[:SHOWN_PROBLEMS]
    ]
    more = len(problems) - SHOWN_PROBLEMS
    return out + ([f"- …and {more} more"] if more > 0 else [])


def _codeowners(preview: PolicyPreview) -> list[str]:
    errors = preview.new.codeowners_errors
    if not errors:
        return []
    out = [
        "",
        "#### New CODEOWNERS warnings",
        "",
        "GitHub would skip these lines of the new CODEOWNERS file, so they would own nothing "
        "and request no reviews. They do not fail this check, as on the base branch.",
        "",
    ]
    out += [
        f"- `{_code(e.path)}` line {e.line}: {_literal(e.message)}" for e in errors[:SHOWN_PROBLEMS]
    ]
    more = len(errors) - SHOWN_PROBLEMS
    return out + ([f"- …and {more} more"] if more > 0 else [])


def _rows(preview: PolicyPreview, shown: int) -> list[str]:
    out = ["", "#### Policy preview", ""]
    if preview.failing:
        return [*out, "No preview: the new policy has errors."]
    if preview.off:
        return [*out, "No preview: `preview.max_pulls` is 0 on the base branch."]
    counts = preview.counts()
    tally = ", ".join(f"{counts[d]} {ARROWS[d]} {d}" for d in DIRECTIONS)
    base = f"`{_code(preview.base_ref)}`"
    out += [
        f"{len(preview.rows)} open pull request(s) previewed under the new files: {tally}. "
        f"Those of this repository target {base}, as this change does; each shows its tier "
        "today → under the new files, before any override label.",
    ]
    rows = preview.ordered()
    if rows:
        out += ["", *(_row(row) for row in rows[:shown])]
        more = len(rows) - shown
        if more > 0:
            out.append(f"- …and {more} more (the check's details list them all)")
    return out + _left_out(preview)


def _left_out(preview: PolicyPreview) -> list[str]:
    out: list[str] = []
    if preview.over_cap:
        out.append(
            f"{preview.over_cap} more open pull requests were not previewed "
            "(`preview.max_pulls` on the base branch)."
        )
    if preview.not_previewed:
        out.append(
            f"{preview.not_previewed} more open pull requests were not previewed: "
            f"{preview.stopped}."
        )
    if preview.unreadable:
        out.append(f"{preview.unreadable} open pull request(s) could not be read.")
    return ["", *out] if out else []


def _dependents(found: Dependents) -> list[str]:
    out = ["", "#### Repositories extending this file", ""]
    out.append(
        f"{found.total} repositories extend it; {len(found.shown)} of them read, with "
        f"{found.open_pulls} open pull request(s) in all; those previewed are listed above "
        "as owner/name#number."
    )
    if found.unevaluated:
        listed = ", ".join(f"`{_code(r)}`" for r in found.unevaluated[:SHOWN_ROWS])
        out.append(f"Their tiers under the new file could not be worked out for: {listed}.")
    if found.left:
        why = f": {found.stopped}" if found.stopped else " (`preview.max_pulls`)"
        out.append(f"{found.left} of their open pull requests were not previewed{why}.")
    skipped = found.total - len(found.shown)
    if skipped > 0:
        out.append(f"{skipped} more extending repositories were not previewed.")
    return out


def _row(row: PreviewRow) -> str:
    where = f"{_literal(row.repo)}#{row.number}" if row.repo else f"#{row.number}"
    title = _literal(one_line(row.title, TITLE_CHARS))
    arrow = ARROWS[row.direction]
    return f"- {arrow} {where} {row.before.value} → {row.after.value}: {title}"


def _literal(text: str) -> str:
    """Text shown as written: markup in a title or message must not format the list."""
    flat = one_line(text, MESSAGE_CHARS)
    return _SPECIAL.sub(r"\\\1", flat).replace("<", "&lt;").replace(">", "&gt;")


def _code(text: str) -> str:
    return " ".join(text.replace("`", "'").split())
