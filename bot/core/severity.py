"""One change to a declared interface, with its severity: what a contract comparator returns.

A comparator parses both sides of the files of one interface and lists what changed, each change
``breaking`` (a consumer written against the old side can fail against the new one) or
``non-breaking`` (additions, documentation, changes no consumer can observe). ``what`` is one
sentence naming the element, e.g. ``message Order: field 3 "amount" changed type int64 →
double``. A side that cannot be parsed raises ``ContractParseError``: the caller treats the file
as a breaking change with an ``unparsable`` reason (fail closed).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["breaking", "non-breaking"]
BREAKING: Severity = "breaking"
NON_BREAKING: Severity = "non-breaking"

# An interface's ``escalate``: which of its touches make L3.
ESCALATE_ANY = "any"
ESCALATE_BREAKING = "breaking"
ESCALATE_CHOICES = (ESCALATE_ANY, ESCALATE_BREAKING)


@dataclass(frozen=True)
class InterfaceChange:
    """One element of a contract that changed between the two sides."""

    path: str
    severity: Severity
    what: str


class ContractParseError(ValueError):
    """A side of a contract file that cannot be read; ``side`` is ``before`` or ``after``."""

    def __init__(self, path: str, side: str, why: str) -> None:
        super().__init__(f"{path}: the {side} version {why}")
        self.path = path
        self.side = side
        self.why = why


def worst(changes: tuple[InterfaceChange, ...]) -> Severity | None:
    """The severity of a set of changes: breaking if any is, None when nothing changed."""
    if not changes:
        return None
    return BREAKING if any(c.severity == BREAKING for c in changes) else NON_BREAKING
