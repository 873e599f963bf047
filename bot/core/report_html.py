"""The HTML view of the review-depth report: one self-contained page (inline CSS and SVG, no
script, nothing fetched when it is opened), each chart followed by the table of its numbers."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from bot.core.backtest_html import STYLE
from bot.core.backtest_svg import Stack, bars, legend, stacked_bars
from bot.core.report import STAMPED_TIERS, TIERS


def render_report_html(report: Mapping[str, Any]) -> str:
    body = ["<h1>review-tiers report</h1>", _window(report["window"])]
    for repo in report["repositories"]:
        body.append(_repository(repo))
    if not report["repositories"]:
        body.append("<p>No pull request was evaluated in the window.</p>")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>review-tiers report</title><style>{STYLE}</style></head>"
        f"<body>{''.join(body)}</body></html>\n"
    )


def _window(window: Mapping[str, Any]) -> str:
    oldest = window["oldest_audit_record"] or "none"
    text = escape(f"From {window['since']} to {window['until']}; oldest audit record: {oldest}.")
    if window["before_oldest_record"]:
        text += (
            ' <strong id="partial">The window starts before the oldest audit record: '
            "its beginning is not covered.</strong>"
        )
    return f'<p class="muted">{text}</p>'


def _repository(repo: Mapping[str, Any]) -> str:
    name = escape(repo["repository"])
    return (
        f'<section class="repository" data-repository="{name}"><h2>{name}</h2>'
        + _summary(repo)
        + _weeks(repo)
        + _depth(repo)
        + _unapproved(repo)
        + "</section>"
    )


def _summary(repo: Mapping[str, Any]) -> str:
    rows: list[tuple[str, str, Any]] = []
    for tier in TIERS:
        counts = repo["tiers"][tier]
        rows += [(f"evaluated-{tier}", f"{tier} evaluated", counts["evaluated"])]
        rows += [(f"merged-{tier}", f"{tier} merged", counts["merged"])]
    rows += [
        ("rubber-stamp-rate", "rubber-stamp rate (%)", _percent(repo["rubber_stamp_rate"])),
        ("ai-assisted-share", "AI-assisted share (%)", _percent(repo["ai_assisted_share"])),
        (
            "generation-context-coverage",
            "generation-context coverage (%)",
            _percent(repo["generation_context_coverage"]),
        ),
    ]
    rows += [
        (f"first-review-{t}", f"time to first review, {t} (s)", _number(s))
        for t, s in repo["time_to_first_review_seconds"].items()
    ]
    rows += [
        (f"invariant-{i}", f"invariant {i} touched (%)", _percent(rate))
        for i, rate in repo["invariant_touch_rate"].items()
    ]
    cells = "".join(
        f'<tr><th>{escape(label)}</th><td class="n" data-total="{escape(key)}">{value}</td></tr>'
        for key, label, value in rows
    )
    return f'<h3>Summary</h3><table class="totals">{cells}</table>'


def _weeks(repo: Mapping[str, Any]) -> str:
    stacks = [Stack(row["week"], {t: row[t] for t in TIERS}) for row in repo["tiers_by_week"]]
    chart = stacked_bars(stacks, TIERS, "Evaluated pull requests per week, by tier")
    head = "".join(f"<th>{h}</th>" for h in ("week", *TIERS, "total"))
    rows = "".join(
        f"<tr><td>{escape(s.label)}</td>"
        + "".join(f'<td class="n">{s.counts[t]}</td>' for t in TIERS)
        + f'<td class="n">{sum(s.counts.values())}</td></tr>'
        for s in stacks
    )
    table = f'<table class="tiers-by-week"><tr>{head}</tr>{rows}</table>'
    return f"<h3>Tiers by week</h3>{legend(TIERS)}{chart}{table}"


def _depth(repo: Mapping[str, Any]) -> str:
    depth = {t: repo["tiers"][t]["review_depth"] for t in STAMPED_TIERS}
    chart = bars({t: round(100 * d) for t, d in depth.items() if d is not None}, "Review depth")
    rows = "".join(
        f'<tr><td>{t}</td><td class="n">{repo["tiers"][t]["merged"]}</td>'
        f'<td class="n" data-depth="{t}">{_percent(d)}</td></tr>'
        for t, d in depth.items()
    )
    head = "<tr><th>tier</th><th>merged</th><th>review depth (%)</th></tr>"
    return f'<h3>Review depth (%)</h3>{chart}<table class="depth">{head}{rows}</table>'


def _unapproved(repo: Mapping[str, Any]) -> str:
    items = repo["l3_merged_without_required_approval"]
    if not items:
        return "<p>Every merged L3 pull request had its required approvals.</p>"
    rows = "".join(
        f'<tr><td><a href="{escape(i["url"])}">#{i["pull_number"]}</a></td>'
        f"<td>{escape(', '.join(i['missing']))}</td></tr>"
        for i in items
    )
    return (
        "<h3>L3 merged without the required approvals</h3>"
        f'<table class="unapproved"><tr><th>pull request</th><th>missing</th></tr>{rows}</table>'
    )


def _percent(share: float | None) -> str:
    return "n/a" if share is None else f"{100 * share:.1f}"


def _number(value: int | None) -> str:
    return "n/a" if value is None else str(value)
