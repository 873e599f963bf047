"""Turn SQL text (a migration file, or SQL embedded in a Python migration) into steps.

Statements are parsed lazily, when classified, so the statements two sides share are only
tokenized. A statement no dialect reads becomes a breaking finding naming it.
"""

from __future__ import annotations

from bot.core.interfaces.sql_rules import classify_statement
from bot.core.interfaces.sql_steps import (
    Finding,
    MigrationContext,
    Step,
    breaking,
    excerpt,
    unreadable,
)
from bot.core.interfaces.sql_text import (
    PARSE_DIALECTS,
    Parsed,
    SqlTextError,
    Statement,
    forward_sections,
    parse_one,
    read_script,
)

# Characters of parse attempts per file side: 128 KiB of statements the first dialect reads, or
# 32 KiB of statements every dialect has to try; either takes a second or two at most.
PARSE_BUDGET = 128 * 1024


class _Parses:
    """Parse each statement once, in the first dialect that reads it fully, within a budget.

    Every attempt costs the statement's length; once ``PARSE_BUDGET`` is spent, the remaining
    statements are not parsed (and so are reported as unreadable). That bounds the time a file
    of statements no dialect reads (each tried four times) can take.
    """

    def __init__(self) -> None:
        self._seen: dict[str, Parsed | None] = {}
        self._budget = PARSE_BUDGET
        self.exhausted = False

    def __call__(self, text: str) -> Parsed | None:
        if text not in self._seen:
            self._seen[text] = self._parse(text)
        return self._seen[text]

    def _parse(self, text: str) -> Parsed | None:
        fallback: Parsed | None = None
        for dialect in PARSE_DIALECTS:
            if self._budget < len(text):
                self.exhausted = True
                break
            self._budget -= len(text)
            parsed = parse_one(text, dialect)
            if parsed is not None and not parsed.command:
                return parsed
            fallback = fallback or parsed
        return fallback


def script_steps(text: str, *, whole_file: bool) -> list[Step]:
    """The steps of the forward sections of ``text``.

    With ``whole_file``, text in which no statement parses at all raises ``SqlTextError``: it
    is not SQL, rather than SQL with one odd statement.
    """
    script = read_script(forward_sections(text))
    statements = script.statements
    parses = _Parses()
    if whole_file and statements and not any(parses(s.text) for s in statements):
        raise SqlTextError("has no statement that parses as SQL")
    steps = [_step(statement, parses) for statement in statements]
    if script.nesting is not None:
        finding = breaking(script.nesting.what)
        steps.append(Step(script.nesting.key, "nested comment", lambda _ctx: (finding,)))
    return steps


def _step(statement: Statement, parses: _Parses) -> Step:
    def classify(ctx: MigrationContext) -> tuple[Finding, ...]:
        parsed = parses(statement.text)
        if parsed is None:
            finding = unreadable(f'statement "{excerpt(statement.text)}"')
            if parses.exhausted:
                finding = breaking(f"{finding.what} (the file is too long to read in full)")
            return (finding,)
        return classify_statement(parsed, statement.text, ctx)

    return Step(statement.key, excerpt(statement.text), classify)


def embedded_steps(text: str) -> list[Step]:
    """Steps of SQL held in a Python string; text that is not SQL is one unreadable step."""
    try:
        return script_steps(text, whole_file=False)
    except SqlTextError:
        finding = unreadable(f'SQL "{excerpt(text)}"')
        return [Step(" ".join(text.split()), excerpt(text), lambda _ctx: (finding,))]
