"""The text view of a backtest: one row per change, then the summary."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.backtest import ChangeResult, Summary, iso_utc
from bot.core.text import one_line

TITLE_WIDTH = 50


def render_backtest_text(results: Sequence[ChangeResult], summary: Summary) -> str:
    if not results:
        return "No changes in the window: nothing to classify.\n" + _summary_lines(summary)
    rows: list[tuple[str, ...]] = [
        ("commit", "PR", "merged (UTC)", "tier", "size", "lines", "title")
    ]
    rows += [_row(r) for r in results]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    lines = [
        "  ".join([*(c.ljust(w) for c, w in zip(row[:-1], widths, strict=True)), row[-1]]).rstrip()
        for row in rows
    ]
    return "\n".join(lines) + "\n\n" + _summary_lines(summary)


def _row(result: ChangeResult) -> tuple[str, ...]:
    size = result.size or {}
    return (
        result.commit[:12],
        f"#{result.pull_number}" if result.pull_number is not None else "-",
        iso_utc(result.merged_at)[:16].replace("T", " "),
        result.tier or "none",
        str(size.get("label", "-")),
        str(size.get("lines", "-")),
        one_line(result.title, TITLE_WIDTH) + (" (AI)" if result.ai_assisted else ""),
    )


def _summary_lines(summary: Summary) -> str:
    total = summary.changes
    tiers = ", ".join(f"{tier} {count}" for tier, count in summary.tiers.items())
    sizes = ", ".join(f"{label} {count}" for label, count in summary.sizes.items())
    out = [
        f"changes: {total}",
        f"tiers: {tiers}",
        f"sizes: {sizes}",
        f"AI-assisted: {summary.ai_assisted}",
    ]
    if summary.invalid_config:
        out.append(f"no tier (invalid policy at the base): {summary.invalid_config}")
    return "\n".join(out) + "\n"
