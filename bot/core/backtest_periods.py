"""Group a backtest's changes by day, week, month or year, whichever gives a readable chart."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from bot.core.backtest import TIERS, ChangeResult
from bot.core.backtest_svg import Stack

DAYS_MAX = 15  # up to this many days: one bar a day
WEEKS_MAX = 16  # then up to this many weeks: one bar a week
MONTHS_MAX = 36  # then up to this many months: one bar a month; beyond, one a year
NO_TIER = "none"


def tier_stacks(results: Sequence[ChangeResult]) -> tuple[str, list[Stack]]:
    """(period name, one stack per period from the oldest to the newest, empty ones included)."""
    if not results:
        return "day", []
    days = [datetime.fromtimestamp(r.merged_at, UTC).date() for r in results]
    first, last = min(days), max(days)
    unit = _unit(first, last)
    keys = _periods(first, last, unit)
    counts: dict[str, dict[str, int]] = {k: dict.fromkeys([*TIERS, NO_TIER], 0) for k in keys}
    for day, result in zip(days, results, strict=True):
        counts[_key(day, unit)][result.tier or NO_TIER] += 1
    return unit, [Stack(k, counts[k]) for k in keys]


def _unit(first: date, last: date) -> str:
    if (last - first).days < DAYS_MAX:
        return "day"
    if (last - first).days < WEEKS_MAX * 7:
        return "week"
    months = (last.year - first.year) * 12 + last.month - first.month
    return "month" if months < MONTHS_MAX else "year"


def _key(day: date, unit: str) -> str:
    if unit == "day":
        return day.isoformat()
    if unit == "week":
        return (day - timedelta(days=day.weekday())).isoformat()
    return f"{day.year}-{day.month:02d}" if unit == "month" else str(day.year)


def _periods(first: date, last: date, unit: str) -> list[str]:
    keys: list[str] = []
    day = first
    while day <= last:
        key = _key(day, unit)
        if not keys or keys[-1] != key:
            keys.append(key)
        day += timedelta(days=7 if unit == "week" else 1)
    if _key(last, unit) not in keys:
        keys.append(_key(last, unit))
    return keys
