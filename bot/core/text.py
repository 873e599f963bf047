"""Text as reports show it: names and sentences from a change, on one line and bounded."""

from __future__ import annotations


def one_line(text: str, limit: int) -> str:
    """``text`` with every run of whitespace (newlines too) made one space, cut to ``limit``."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
