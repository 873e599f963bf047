"""Compare reserved and extension number ranges, and reserved names, of a message or enum.

As ``buf breaking`` does, ranges are compared by the numbers they cover, not as written:
``reserved 1 to 5;`` may become ``reserved 1 to 3, 4 to 10;`` without any number given back.
"""

from __future__ import annotations

from collections.abc import Iterable

from bot.core.interfaces.protobuf_model import Ranges
from bot.core.interfaces.protobuf_options import Found
from bot.core.severity import BREAKING, NON_BREAKING

_GIVEN_BACK = {"reserved": "no longer reserved", "extension": "no longer open to extensions"}


def compare_ranges(owner: str, kind: str, old: Ranges, new: Ranges, maximum: int) -> list[Found]:
    """A breaking finding per span of numbers ``old`` covers and ``new`` does not, and back."""
    before, after = merge(old), merge(new)
    found: list[Found] = []
    for start, end in subtract(before, after):
        span = _span(start, end, maximum)
        found.append((BREAKING, f"{owner}: {kind} {span} {_GIVEN_BACK[kind]}"))
    for start, end in subtract(after, before):
        found.append((NON_BREAKING, f"{owner}: {kind} {_span(start, end, maximum)} added"))
    return found


def compare_names(owner: str, old: frozenset[str], new: frozenset[str]) -> list[Found]:
    """Reserved names given back break (a field may take the name again); new ones do not."""
    found: list[Found] = [
        (BREAKING, f'{owner}: reserved name "{name}" no longer reserved')
        for name in sorted(old - new)
    ]
    found += [
        (NON_BREAKING, f'{owner}: reserved name "{name}" added') for name in sorted(new - old)
    ]
    return found


def merge(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """The ranges sorted, with overlapping and adjacent ones joined."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted((min(pair), max(pair)) for pair in ranges):
        if merged and start <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def subtract(
    covered: list[tuple[int, int]], removed: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """The spans of ``covered`` outside ``removed``; both merged, so one sweep suffices."""
    out: list[tuple[int, int]] = []
    index = 0
    for start, end in covered:
        while index < len(removed) and removed[index][1] < start:
            index += 1
        cursor, probe = start, index
        while probe < len(removed) and removed[probe][0] <= end:
            if removed[probe][0] > cursor:
                out.append((cursor, removed[probe][0] - 1))
            cursor = max(cursor, removed[probe][1] + 1)
            probe += 1
        if cursor <= end:
            out.append((cursor, end))
    return out


def _span(start: int, end: int, maximum: int) -> str:
    """``number 5``, ``numbers 5 to 9`` or ``numbers 1000 to max``."""
    if start == end:
        return f"number {start}"
    return f"numbers {start} to {'max' if end == maximum else end}"
