"""Decide whether a changed file touches a declared interface, by the interface's kind.

Reason codes: ``interface`` for each finding that touches the interface, ``interface-unchanged``
when a file was compared and nothing public changed (the verdict is then not touched),
``unparsable`` when a side of the file does not parse (the verdict is then touched), and
``interface-fallback`` when no contents were available and the changed lines decided.
Messages start with the file path (or the kind, for path-only kinds), never the interface id.
"""

from __future__ import annotations

from bot.core.interfaces.contracts import assess
from bot.core.interfaces.verdict import FALLBACK, TOUCHED, UNCHANGED, UNPARSABLE, InterfaceVerdict
from bot.core.models import FileChange, FileVersions

__all__ = [
    "FALLBACK",
    "TOUCHED",
    "UNCHANGED",
    "UNPARSABLE",
    "InterfaceVerdict",
    "classify_interface_change",
]


def classify_interface_change(
    kind: str, change: FileChange, versions: FileVersions | None
) -> InterfaceVerdict:
    """Whether ``change`` touches an interface of ``kind``, with one reason per finding.

    The detector registered for ``kind`` decides (see ``registry``): the contract kinds parse
    the contents before and after (``contracts.assess``); ``generic``, and any unknown kind (to
    stay on the safe side), are touched by any change to a matched path.
    """
    contents = {change.path: versions} if versions is not None else {}
    [(_, verdict)] = assess(kind, [change], contents).verdicts
    return verdict
