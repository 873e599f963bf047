"""Which changed files an evaluation reads in full, before and after the change.

The App (``bot/evaluation/snapshot.py``) and ``review-tiers evaluate`` (``bot/local/offline.py``)
both ask this one function, so they read the same files: those an interface detector compares
and those whose lines an invariant with ``match: code`` lexes. A policy that asks for neither
costs no read.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.blast import interface_paths_needing_contents
from bot.core.config import Policy
from bot.core.invariants import invariant_paths_needing_contents, matched_files
from bot.core.models import FileChange


def paths_needing_contents(files: Sequence[FileChange], policy: Policy) -> tuple[str, ...]:
    """New paths of the changed files whose contents the rules read, in a stable order."""
    wanted = dict.fromkeys(interface_paths_needing_contents(files, policy.interfaces))
    wanted.update(dict.fromkeys(invariant_paths_needing_contents(files, policy.invariants)))
    return tuple(wanted)


def paths_needing_lines(files: Sequence[FileChange], policy: Policy) -> frozenset[str]:
    """New paths of the changed files whose added and removed lines a rule reads: those an
    invariant with patterns matches, and those any interface matches (its detector falls back
    to the changed lines). Every other file needs only its counts and first lines."""
    wanted: set[str] = set()
    for invariant in policy.invariants:
        if invariant.patterns:
            wanted.update(f.path for f in matched_files(files, invariant.paths))
    for interface in policy.interfaces:
        wanted.update(f.path for f in matched_files(files, interface.paths))
    return frozenset(wanted)
