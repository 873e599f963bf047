"""The declared areas of the policy model: invariants and interfaces (``invariants[]`` and
``interfaces[]`` of the config file), described like every section of bot/core/config.py."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.core.configfile.fields import Check, doc, internal
from bot.core.defaults import ID, OWNER
from bot.core.interfaces.registry import registered_kinds
from bot.core.severity import ESCALATE_ANY, ESCALATE_CHOICES

GLOB, REGEX = Check.GLOB, Check.REGEX
OWNERS = doc("Owners whose approval L3 needs.", pattern=OWNER)


def cite(ident: str, origin: str) -> str:
    """``"id"``, or ``"id" from acme/spec@<sha>:review-tiers.yml`` for a spec file's rule."""
    return f'"{ident}" from {origin}' if origin else f'"{ident}"'


OVERRIDE = doc("Replace the entry of this id that a spec file (extends) declares.")
ORIGIN = internal("the spec file that declared the entry; set by the spec merge")

# How an invariant's patterns read a changed line: its code only, or the whole line.
MATCH_CODE = "code"
MATCH_ALL = "all"
MATCH_CHOICES = (MATCH_CODE, MATCH_ALL)


@dataclass(frozen=True)
class Invariant:
    id: str = field(metadata=doc("Unique id.", pattern=ID, unique=True))
    statement: str = field(metadata=doc("The rule, in one sentence.", nonempty=True))
    paths: tuple[str, ...] = field(
        metadata=doc("Gitignore-style globs where it lives.", min_items=1, check=GLOB)
    )
    patterns: tuple[str, ...] = field(
        default=(),
        metadata=doc("Optional RE2 regexes; then a changed line must match one.", check=REGEX),
    )
    owners: tuple[str, ...] = field(default=(), metadata=OWNERS)
    match: str = field(
        default=MATCH_CODE,
        metadata=doc(
            "code: patterns skip comments and docstrings; all: they read whole lines.",
            choices=MATCH_CHOICES,
        ),
    )
    override: bool = field(default=False, metadata=OVERRIDE)
    # owner/repo@sha:path of the spec file that declared it; "" for the repository's own.
    origin: str = field(default="", metadata=ORIGIN)

    @property
    def cited(self) -> str:
        """Its id as reasons quote it, with the spec file it came from."""
        return cite(self.id, self.origin)


@dataclass(frozen=True)
class Interface:
    id: str = field(metadata=doc("Unique id.", pattern=ID, unique=True))
    kind: str = field(metadata=doc("How changes are detected.", choices=registered_kinds()))
    paths: tuple[str, ...] = field(
        metadata=doc("Gitignore-style globs of the contract's files.", min_items=1, check=GLOB)
    )
    owners: tuple[str, ...] = field(default=(), metadata=OWNERS)
    escalate: str = field(
        default=ESCALATE_ANY,
        metadata=doc(
            "any: every touch is L3; breaking: a breaking change is L3 and a non-breaking touch"
            " needs at least L2.",
            choices=ESCALATE_CHOICES,
        ),
    )
    override: bool = field(default=False, metadata=OVERRIDE)
    # owner/repo@sha:path of the spec file that declared it; "" for the repository's own.
    origin: str = field(default="", metadata=ORIGIN)
