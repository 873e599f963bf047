"""Compare database migrations: which new statements drop, rename or narrow the schema.

Migrations are added, rarely edited: for each file on the after side, the statements or
operations that are new relative to its before side (all of them for a new file) are classified.
Statements removed from a file that still exists, and removed files, are breaking: a migration
that may already have run was rewritten. Down files (``*.down.sql``, ``down.sql``, Flyway
``U<version>__*.sql``), down sections and ``downgrade()`` are the rollback side and are ignored.
``.sql`` files are read with sqlglot; ``.py`` files as Django or Alembic migrations.

What each statement is rated is listed in ``sql_rules`` (and docs/interface-severity.md):
drops, renames, type changes, ``NOT NULL`` without a default, data loss (``DELETE``,
``TRUNCATE``, ``UPDATE``) and code the comparator cannot judge (``DO``, ``CALL``, ``SELECT
fn()``) are breaking; creations, nullable or defaulted columns, ``COMMENT ON``, ``GRANT`` and
plain ``INSERT`` are not. Text whose statements depend on whether block comments nest
(``sql_comments``) is breaking, naming the statements in question.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping

from bot.core.interfaces.detector import compared
from bot.core.interfaces.sql_python import PythonMigrationError, python_steps
from bot.core.interfaces.sql_script import script_steps
from bot.core.interfaces.sql_steps import Finding, MigrationContext, Step, breaking
from bot.core.interfaces.sql_text import SqlTextError
from bot.core.severity import ContractParseError, InterfaceChange

# Larger files are refused rather than parsed: reading stays well under a few seconds a side.
MAX_CHARS = 256 * 1024
_ROLLBACK = re.compile(r"(^|/)(down\.sql|[^/]*[._]down\.sql|U\d[^/]*__[^/]*\.sql)$", re.IGNORECASE)


def compare_sql(before: Mapping[str, str], after: Mapping[str, str]) -> tuple[InterfaceChange, ...]:
    """The classified changes of the migration files on both sides, by path then file order."""
    changes: list[InterfaceChange] = []
    for path in sorted(set(before) | set(after)):
        if is_rollback(path):
            continue
        if path not in after:
            changes.append(InterfaceChange(path, "breaking", "migration removed"))
            continue
        old = read_steps(path, before[path], "before") if path in before else []
        new = read_steps(path, after[path], "after")
        changes.extend(InterfaceChange(path, f.severity, f.what) for f in _compare(old, new))
    return tuple(changes)


def is_rollback(path: str) -> bool:
    """Whether ``path`` is the rollback side of a migration."""
    return bool(_ROLLBACK.search(path))


def read_steps(path: str, text: str, side: str) -> list[Step]:
    """The steps of one side of a migration file; unreadable files raise ContractParseError."""
    if len(text) > MAX_CHARS:
        raise ContractParseError(path, side, f"is larger than {MAX_CHARS // 1024} KiB")
    if "\x00" in text:
        raise ContractParseError(path, side, "is not text")
    lowered = path.lower()
    try:
        if lowered.endswith(".sql"):
            return script_steps(text, whole_file=True)
        if lowered.endswith(".py"):
            return python_steps(text)
    except (SqlTextError, PythonMigrationError) as err:
        raise ContractParseError(path, side, str(err)) from err
    raise ContractParseError(path, side, "is not a .sql or .py migration")


def _compare(old: list[Step], new: list[Step]) -> list[Finding]:
    """Classify the steps of ``new`` that ``old`` lacks; steps only ``old`` has are breaking."""
    unmatched = Counter(step.key for step in old)
    ctx = MigrationContext()
    findings: list[Finding] = []
    for step in new:
        if unmatched[step.key] > 0:
            unmatched[step.key] -= 1
        else:
            findings.extend(step.classify(ctx))
    for step in old:
        if unmatched[step.key] > 0:
            unmatched[step.key] -= 1
            findings.append(breaking(f'"{step.label}" removed from an existing migration'))
    return findings


DETECTOR = compared("sql", compare_sql)
