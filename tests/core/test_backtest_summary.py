"""The pure parts of a backtest: pull numbers and titles from subjects, the summary, the
periods of the tier-mix chart and the text view."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.core.backtest import ChangeResult, change_title, pull_number, summarize
from bot.core.backtest_periods import tier_stacks
from bot.core.backtest_text import render_backtest_text
from bot.core.models import Reason

BUCKETS = ("XS", "S", "M", "L", "XL", "XXL")


def result(day: str, tier: str | None, label: str = "S", ai: bool = False) -> ChangeResult:
    stamp = int(datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp())
    size = {"label": label, "lines": 12} if tier else None
    return ChangeResult("a" * 40, None, "t", stamp, tier, size, (Reason("default", "d"),), ai)


@pytest.mark.parametrize(
    ("subject", "number"),
    [
        ("Merge pull request #123 from acme/feature", 123),
        ("Add the ledger (#45)", 45),
        ("Add the ledger (#45) and more", None),
        ("Merge branch 'main' into feature", None),
        ("Fix #12 in the parser", None),
        ("Merge pull request #7 from", None),
    ],
)
def test_pull_number_from_merge_and_squash_subjects(subject: str, number: int | None) -> None:
    assert pull_number(subject) == number


def test_titles() -> None:
    merge = "Merge pull request #3 from acme/x"
    assert change_title(merge, f"{merge}\n\nAdd the ledger\n\nmore") == "Add the ledger"
    assert change_title(merge, merge) == merge
    assert change_title("Add the ledger (#45)", "") == "Add the ledger"
    assert change_title("Plain commit", "Plain commit\n\nbody") == "Plain commit"


def test_summary_counts_with_zeros_and_unknown_labels() -> None:
    summary = summarize(
        [
            result("2026-01-01", "L1", "XS"),
            result("2026-01-02", "L3", "HUGE", ai=True),
            result("2026-01-02", None),
        ],
        BUCKETS,
    )
    assert summary.tiers == {"L1": 1, "L2": 0, "L3": 1}
    assert summary.sizes == {**dict.fromkeys(BUCKETS, 0), "XS": 1, "HUGE": 1}
    assert (summary.ai_assisted, summary.invalid_config, summary.changes) == (1, 1, 3)


@pytest.mark.parametrize(
    ("days", "unit", "labels"),
    [
        (["2026-01-01", "2026-01-03"], "day", ["2026-01-01", "2026-01-02", "2026-01-03"]),
        (
            ["2026-01-01", "2026-01-20"],
            "week",
            ["2025-12-29", "2026-01-05", "2026-01-12", "2026-01-19"],
        ),
        (
            ["2026-01-31", "2026-06-01"],
            "month",
            ["2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"],
        ),
        (["2020-01-01", "2026-06-01"], "year", [str(y) for y in range(2020, 2027)]),
    ],
)
def test_periods_fill_the_gaps(days: list[str], unit: str, labels: list[str]) -> None:
    found_unit, stacks = tier_stacks([result(d, "L2") for d in days])
    assert found_unit == unit
    assert [s.label for s in stacks] == labels
    assert sum(s.counts["L2"] for s in stacks) == len(days)


def test_text_view_of_an_empty_window_says_so() -> None:
    text = render_backtest_text([], summarize([], BUCKETS))
    assert text.startswith("No changes in the window")
    assert "tiers: L1 0, L2 0, L3 0" in text
