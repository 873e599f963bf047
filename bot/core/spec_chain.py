"""Follow a policy's ``extends`` through a SpecLoader to the chain of spec files it names.

A chain holds the repository's own file and at most SPEC_MAX_DEPTH spec files. A longer chain, a
cycle, a spec that cannot be read and an invalid spec file are problems; each names the key path
``extends`` and its line in the file that named the spec (the spec's own lines for an invalid
one), so the check and `check-config` show them like any other config error.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.config import ConfigProblem
from bot.core.policy_check import check_text
from bot.core.specs import (
    SPEC_MAX_DEPTH,
    SpecLoader,
    SpecRef,
    SpecText,
    SpecUnavailable,
    parse_spec_ref,
)
from bot.core.yamlpos import Positioned

EXTENDS = ("extends",)


@dataclass(frozen=True)
class PolicyFile:
    """One valid file of a chain: its plain data, the lines of its keys, its warnings, and the
    spec it was read as (None for the repository's own file)."""

    data: dict[str, object]
    loaded: Positioned
    warnings: tuple[ConfigProblem, ...] = ()
    spec: SpecText | None = None

    @property
    def origin(self) -> str:
        """owner/repo@sha:path for a spec file; "" for the repository's own."""
        return self.spec.origin if self.spec is not None else ""


@dataclass(frozen=True)
class Chain:
    """The repository's own file first, then each spec file, nearest first; or problems."""

    files: tuple[PolicyFile, ...]
    problems: tuple[ConfigProblem, ...] = ()
    invalid: SpecText | None = None  # a spec file that was read but has errors

    @property
    def read(self) -> tuple[SpecText, ...]:
        """Every spec file read, nearest first, valid or not: a push to any of them may
        change the policy, even one that has problems now."""
        found = [f.spec for f in self.files if f.spec is not None]
        return tuple(found + ([self.invalid] if self.invalid is not None else []))


@dataclass(frozen=True)
class Broken:
    """Why the chain stops at a spec file, and that file when it was read."""

    problems: tuple[ConfigProblem, ...]
    spec: SpecText | None = None


def follow_chain(own: PolicyFile, loader: SpecLoader, home: SpecRef | None = None) -> Chain:
    """Read every spec file ``own`` extends, directly or through other spec files."""
    files = [own]
    seen = {_identity(home)} if home is not None else set()
    while (named := files[-1].data.get("extends")) is not None:
        found = _next_file(files[-1], str(named), loader, seen, len(files) - 1)
        if isinstance(found, Broken):
            return Chain(tuple(files), found.problems, found.spec)
        seen.add(_identity(found.spec.ref if found.spec else None))
        files.append(found)
    return Chain(tuple(files))


def _next_file(
    naming: PolicyFile, named: str, loader: SpecLoader, seen: set[tuple[str, str]], depth: int
) -> PolicyFile | Broken:
    def problem(message: str) -> Broken:
        line = naming.loaded.line_of(EXTENDS)
        return Broken((ConfigProblem("extends", line, message, naming.origin),))

    try:
        ref = parse_spec_ref(named)
    except ValueError as err:
        return problem(str(err))
    if depth >= SPEC_MAX_DEPTH:
        return problem(
            f"'{named}' would be spec file {depth + 1} of the chain: a policy extends at most"
            f" {SPEC_MAX_DEPTH} spec files, directly or through each other"
        )
    if _identity(ref) in seen:
        return problem(f"'{named}' is already in this chain: extends must not form a cycle")
    try:
        text = loader(ref)
    except SpecUnavailable as err:
        return problem(f"cannot read the spec file '{named}': {err}")
    checked = check_text(text.text)
    data = checked.loaded.data
    if checked.problems or not isinstance(data, dict):
        problems = (ConfigProblem(p.path, p.line, p.message, text.origin) for p in checked.problems)
        return Broken(tuple(problems), text)
    warnings = tuple(
        ConfigProblem(w.path, w.line, w.message, text.origin) for w in checked.warnings
    )
    return PolicyFile(data, checked.loaded, warnings, text)


def _identity(ref: SpecRef | None) -> tuple[str, str]:
    # The same file of the same repository twice is a cycle, whatever refs name it: GitHub
    # treats owner and repository names without regard to case.
    return (ref.repo.lower(), ref.path) if ref is not None else ("", "")
