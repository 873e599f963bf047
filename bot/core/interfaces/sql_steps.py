"""The steps of a migration and the sentences that classify them, shared by every front end.

A migration file (SQL, Django or Alembic) is read as a list of ``Step``: one statement or
operation, with a normalised ``key`` (comments and layout removed) that identifies it when the
two sides of a file are compared, and a ``classify`` function run only for steps that are new.
Every front end words its findings through the helpers below, so ``table orders: column amount
dropped`` reads the same whether it came from SQL, Django or Alembic.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from bot.core.severity import BREAKING, NON_BREAKING, Severity
from bot.core.text import one_line

# Longest excerpt of a statement quoted in a sentence, so one odd statement cannot flood a report.
EXCERPT_CHARS = 80
_NEW = "a table created in this migration"


@dataclass(frozen=True)
class Finding:
    """One classified effect of a step."""

    severity: Severity
    what: str


@dataclass
class MigrationContext:
    """What earlier new steps of the same migration did: the tables (or models) created so far.

    Constraints and NOT NULL columns added to a table the same migration creates narrow nothing
    any consumer could already rely on.
    """

    created: set[str] = field(default_factory=set)

    def create(self, owner: str) -> None:
        self.created.add(owner.lower())

    def is_new(self, owner: str) -> bool:
        return owner.lower() in self.created


@dataclass(frozen=True)
class Place:
    """A column of a table (``table orders``, ``column amount``) or a field of a model."""

    owner: str
    member: str

    def __str__(self) -> str:
        return f"{self.owner}: {self.member}"


@dataclass(frozen=True)
class Step:
    """One statement or operation of a migration."""

    key: str
    label: str
    classify: Callable[[MigrationContext], tuple[Finding, ...]]


def excerpt(text: str) -> str:
    """The text on one line, cut to a readable length."""
    return one_line(text, EXCERPT_CHARS)


def breaking(what: str) -> Finding:
    return Finding(BREAKING, what)


def non_breaking(what: str) -> Finding:
    return Finding(NON_BREAKING, what)


def unreadable(what: str) -> Finding:
    """A step whose effect cannot be read: breaking, so nothing slips through (fail closed)."""
    return breaking(f"{what} could not be parsed")


def column_added(
    place: Place, *, not_null: bool, has_default: bool, ctx: MigrationContext
) -> Finding:
    """A new column: breaking only when NOT NULL without a default on an existing table."""
    if has_default:
        return non_breaking(f"{place} added with a default")
    if not not_null:
        return non_breaking(f"{place} added (nullable)")
    if ctx.is_new(place.owner):
        return non_breaking(f"{place} added as NOT NULL to {_NEW}")
    return breaking(f"{place} added as NOT NULL without a default")


def column_dropped(place: Place) -> Finding:
    return breaking(f"{place} dropped")


def column_renamed(place: Place, new: str) -> Finding:
    return breaking(f"{place} renamed to {new}")


def column_type_changed(place: Place, type_text: str) -> Finding:
    return breaking(f"{place} type changed to {type_text}")


def column_set_not_null(place: Place, ctx: MigrationContext) -> Finding:
    if ctx.is_new(place.owner):
        return non_breaking(f"{place} set NOT NULL on {_NEW}")
    return breaking(f"{place} set NOT NULL")


def column_made_nullable(place: Place) -> Finding:
    return non_breaking(f"{place} made nullable")


def column_default_set(place: Place) -> Finding:
    return non_breaking(f"{place} default set")


def column_default_dropped(place: Place) -> Finding:
    # Writers that leave the column out relied on the default; now they store NULL or fail.
    return breaking(f"{place} default dropped")


def table_created(table: str, ctx: MigrationContext) -> Finding:
    ctx.create(f"table {table}")
    return non_breaking(f"table {table} created")


def renamed(kind: str, name: str, new: str) -> Finding:
    return breaking(f"{kind} {name} renamed to {new}")


def dropped(kind: str, name: str) -> Finding:
    return breaking(f"{kind} {name} dropped")


def constraint_added(owner: str, name: str, ctx: MigrationContext) -> Finding:
    """A constraint narrows what an existing table accepts; on a new table it narrows nothing."""
    if ctx.is_new(owner):
        return non_breaking(f"{owner}: {name} added to {_NEW}")
    return breaking(f"{owner}: {name} added (existing rows and writers must satisfy it)")


def index_created(owner: str, name: str, *, unique: bool, ctx: MigrationContext) -> Finding:
    if unique:
        return constraint_added(owner, f"unique index {name}", ctx)
    return non_breaking(f"{owner}: index {name} created")


def data_change(table: str, verb: str) -> Finding:
    """Rows added: every row a consumer could read is still there, unchanged."""
    return non_breaking(f"table {table}: rows {verb} (data change)")


def data_loss(table: str, verb: str) -> Finding:
    """Rows deleted or rewritten: what consumers read is gone or different, for good."""
    return breaking(f"table {table}: rows {verb} (data loss)")


def runs_code(what: str) -> Finding:
    """A statement whose effect is code (a function, a block): it may alter schema or data."""
    return breaking(f"{what} runs code the comparator cannot judge")
