"""Parse config text into a validated Policy, or into problems naming key path and line.

The text is read with the line of every key and checked (bot/core/policy_check.py); a file that
extends a spec file is merged with its chain (bot/core/spec_merge.py); the result is built into
the model's dataclasses.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from bot.core.config import ConfigProblem, Policy
from bot.core.configfile.build import build
from bot.core.policy_check import check_text
from bot.core.spec_chain import PolicyFile, follow_chain
from bot.core.spec_merge import merge_chain
from bot.core.specs import SpecLoader, SpecRef, SpecText, SpecUnavailable

DEFAULT_SOURCE = ".github/review-tiers.yml"
DEFAULTS_SOURCE = "built-in defaults"


@dataclass(frozen=True)
class PolicyResult:
    """A policy (None when there are problems), its problems, its source and the text's hash."""

    policy: Policy | None
    problems: tuple[ConfigProblem, ...]
    source: str
    digest: str
    # Advice that does not make the file invalid, e.g. a required check with no pinned source.
    warnings: tuple[ConfigProblem, ...] = ()
    # The spec files the policy extends, nearest first (empty without `extends`); with
    # problems in the chain, those read before it stopped, including one with errors.
    specs: tuple[SpecText, ...] = ()
    # The policy as plain data, merged with its spec files (`check-config --resolved`).
    data: Mapping[str, object] | None = None


def default_policy() -> PolicyResult:
    """The built-in defaults, used when neither the repository nor the organisation has a file."""
    return PolicyResult(Policy(), (), DEFAULTS_SOURCE, "")


def no_specs(ref: SpecRef) -> SpecText:
    """The loader of a caller that reads no spec repository: `extends` is then a problem."""
    raise SpecUnavailable(f"{ref}: spec repositories are not read here")


def parse_policy(
    text: str,
    source: str = DEFAULT_SOURCE,
    loader: SpecLoader = no_specs,
    home: SpecRef | None = None,
) -> PolicyResult:
    """Parse and validate config text, merged with the spec files it extends (read through
    ``loader``; ``home`` is the file's own repository, so a chain back to it is a cycle).
    Never raises for any text: a loader's SpecUnavailable becomes a problem (other errors of
    the loader, such as a transient GitHub error, propagate so the caller can retry)."""
    digest = _digest(text)
    checked = check_text(text)
    data = checked.loaded.data
    if checked.problems or not isinstance(data, dict):
        return PolicyResult(None, checked.problems, source, digest, checked.warnings)
    if data.get("extends") is None:
        policy = build(Policy, data, Policy())
        return PolicyResult(policy, (), source, digest, checked.warnings, data=data)
    own = PolicyFile(data, checked.loaded, checked.warnings)
    chain = follow_chain(own, loader, home)
    if chain.problems:
        return PolicyResult(None, chain.problems, source, digest, checked.warnings, chain.read)
    specs = chain.read
    merged = merge_chain(chain.files)
    digest = _digest(text, *(f"{s.origin}\n{s.text}" for s in specs))
    if merged.policy is None:
        return PolicyResult(None, merged.problems, source, digest, merged.warnings, specs)
    return PolicyResult(merged.policy, (), source, digest, merged.warnings, specs, merged.data)


def _digest(*texts: str) -> str:
    hashed = hashlib.sha256()
    for text in texts:
        hashed.update(text.encode("utf-8", "surrogatepass"))
    return hashed.hexdigest()
