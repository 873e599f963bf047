"""The HTML view of a backtest: one self-contained page (inline CSS and SVG, no script, nothing
fetched when it is opened), each chart followed by the table of the numbers it draws."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from bot.core.backtest import TIERS, ChangeResult, Summary, iso_utc
from bot.core.backtest_periods import NO_TIER, tier_stacks
from bot.core.backtest_svg import Stack, bars, legend, stacked_bars

STYLE = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#222;
margin:0 auto;max-width:1180px;padding:16px 24px}
h1{font-size:1.5em;margin:.4em 0}h2{font-size:1.2em;margin:1.4em 0 .4em}
table{border-collapse:collapse;margin:.4em 0 1em}th,td{border:1px solid #ccc;padding:3px 8px;
text-align:left}td.n{text-align:right;font-variant-numeric:tabular-nums}
.chart{max-width:100%;height:auto;display:block}.legend .key{margin-right:1em}
.scroll{max-height:30em;overflow:auto}#changes td{white-space:nowrap}
#changes td:last-child{white-space:normal}.muted{color:#666}
"""


def render_backtest_html(results: Sequence[ChangeResult], summary: Summary, tip: str) -> str:
    body = [
        "<h1>review-tiers backtest</h1>",
        f'<p class="muted">Branch tip <code>{escape(tip[:12])}</code>; {_window(results)}.</p>',
        _totals(summary),
    ]
    if results:
        body += [_tier_mix(results), _sizes(summary), _changes(results)]
    else:
        body.append("<p>No changes in the window: nothing to classify.</p>")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>review-tiers backtest</title><style>{STYLE}</style></head>"
        f"<body>{''.join(body)}</body></html>\n"
    )


def _window(results: Sequence[ChangeResult]) -> str:
    if not results:
        return "no changes in the window"
    stamps = [r.merged_at for r in results]
    return f"{len(results)} changes merged from {iso_utc(min(stamps))} to {iso_utc(max(stamps))}"


def _totals(summary: Summary) -> str:
    rows = [("changes", "changes", summary.changes)]
    rows += [(f"tier-{tier}", f"tier {tier}", n) for tier, n in summary.tiers.items()]
    if summary.invalid_config:
        rows.append(("invalid-config", "no tier (invalid policy)", summary.invalid_config))
    rows.append(("ai-assisted", "AI-assisted", summary.ai_assisted))
    cells = "".join(
        f'<tr><th>{escape(label)}</th><td class="n" data-total="{key}">{n}</td></tr>'
        for key, label, n in rows
    )
    return f'<h2>Summary</h2><table id="totals">{cells}</table>'


def _tier_mix(results: Sequence[ChangeResult]) -> str:
    unit, stacks = tier_stacks(results)
    series = [*TIERS, *([NO_TIER] if any(r.tier is None for r in results) else [])]
    chart = stacked_bars(stacks, series, f"Tier mix per {unit}")
    return (
        f"<h2>Tier mix per {unit}</h2>{legend(series)}{chart}"
        f'<div class="scroll">{_period_table(unit, stacks, series)}</div>'
    )


def _period_table(unit: str, stacks: Sequence[Stack], series: Sequence[str]) -> str:
    head = "".join(f"<th>{escape(s)}</th>" for s in [unit, *series, "total"])
    rows = "".join(
        f"<tr><td>{escape(s.label)}</td>"
        + "".join(f'<td class="n">{s.counts.get(name, 0)}</td>' for name in series)
        + f'<td class="n">{sum(s.counts.values())}</td></tr>'
        for s in stacks
    )
    return f'<table id="tier-mix"><tr>{head}</tr>{rows}</table>'


def _sizes(summary: Summary) -> str:
    rows = "".join(
        f'<tr><td>{escape(label)}</td><td class="n" data-size="{escape(label)}">{n}</td></tr>'
        for label, n in summary.sizes.items()
    )
    chart = bars(summary.sizes, "Size distribution")
    table = f'<table id="sizes"><tr><th>size</th><th>changes</th></tr>{rows}</table>'
    return f"<h2>Size distribution</h2>{chart}{table}"


def _changes(results: Sequence[ChangeResult]) -> str:
    head = "".join(f"<th>{h}</th>" for h in ("merged (UTC)", "commit", "PR", "tier", "size"))
    rows = "".join(_change_row(r) for r in results)
    return (
        f"<h2>Changes</h2>"
        f'<div class="scroll"><table id="changes"><tr>{head}<th>lines</th><th>title</th></tr>'
        f"{rows}</table></div>"
    )


def _change_row(result: ChangeResult) -> str:
    size = result.size or {}
    number = f"#{result.pull_number}" if result.pull_number is not None else ""
    title = escape(result.title) + (" <em>(AI-assisted)</em>" if result.ai_assisted else "")
    cells = [
        escape(iso_utc(result.merged_at)[:16].replace("T", " ")),
        f"<code>{escape(result.commit[:12])}</code>",
        escape(number),
        escape(result.tier or NO_TIER),
        escape(str(size.get("label", ""))),
    ]
    lines = escape(str(size.get("lines", "")))
    return (
        "<tr>"
        + "".join(f"<td>{c}</td>" for c in cells)
        + f'<td class="n">{lines}</td><td>{title}</td></tr>'
    )
