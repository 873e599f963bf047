"""The verdict an interface detector returns: touched or not, with the reasons why."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.models import Reason

# Stable reason codes shared by every detector.
TOUCHED = "interface"
UNCHANGED = "interface-unchanged"
FALLBACK = "interface-fallback"
UNPARSABLE = "unparsable"

NO_CONTENTS = "before/after contents were not available"


@dataclass(frozen=True)
class InterfaceVerdict:
    """Whether a change touches a declared interface, and one reason per finding."""

    touched: bool
    reasons: tuple[Reason, ...]


def touched_by(reasons: list[Reason], unchanged: Reason) -> InterfaceVerdict:
    """Touched when any reason carries the touch code; otherwise report ``unchanged`` as well."""
    touched = any(reason.code == TOUCHED for reason in reasons)
    if touched:
        return InterfaceVerdict(True, tuple(reasons))
    return InterfaceVerdict(False, (*reasons, unchanged))


def unparsable(path: str, failures: list[tuple[str, str]]) -> InterfaceVerdict:
    """Touched, one reason per side (``before``/``after``) that did not parse, with why.

    A file the parser cannot read cannot be shown to leave the interface alone, and one bad
    line must not send it to a weaker check: it touches the interface (fail closed).
    """
    reasons = tuple(
        Reason(UNPARSABLE, f"{path}: the {side} version {why}; it counts as touching the interface")
        for side, why in failures
    )
    return InterfaceVerdict(True, reasons)


def unreadable(path: str) -> InterfaceVerdict:
    """Touched: the contents were asked for, yet neither side could be read (too large, binary
    or not text), so the changed lines alone would be a weaker check than the parser's."""
    return unparsable(path, [("before and after", "could not be read (too large or not text)")])
