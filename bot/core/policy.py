"""Parse config text into a validated Policy, or into problems naming key path and line.

The text is read with the line of every key, checked against the JSON Schema derived from the
model and against the rules the schema cannot express, then built into the model's dataclasses.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from bot.core.check_requirements import unpinned_warning
from bot.core.config import BUCKET_ORDER, ConfigProblem, LabelPolicy, Policy
from bot.core.configfile.build import build
from bot.core.configfile.checks import field_findings
from bot.core.schema import schema_findings
from bot.core.specs import SpecText
from bot.core.yamlpos import KeyPath, describe, format_path, load_positioned, walk

DEFAULT_SOURCE = ".github/review-tiers.yml"
DEFAULTS_SOURCE = "built-in defaults"

Finding = tuple[KeyPath, str]


@dataclass(frozen=True)
class PolicyResult:
    """A policy (None when there are problems), its problems, its source and the text's hash."""

    policy: Policy | None
    problems: tuple[ConfigProblem, ...]
    source: str
    digest: str
    # Advice that does not make the file invalid, e.g. a required check with no pinned source.
    warnings: tuple[ConfigProblem, ...] = ()
    # The spec files the policy extends, nearest first (empty without `extends`).
    specs: tuple[SpecText, ...] = ()


def default_policy() -> PolicyResult:
    """The built-in defaults, used when neither the repository nor the organisation has a file."""
    return PolicyResult(Policy(), (), DEFAULTS_SOURCE, "")


def parse_policy(text: str, source: str = DEFAULT_SOURCE) -> PolicyResult:
    """Parse and validate config text; never raises, whatever the text."""
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    loaded = load_positioned(text)
    found = [] if loaded.data is None and loaded.problems else _findings(loaded.data)
    problems = {*loaded.problems}
    problems.update(ConfigProblem(format_path(p), loaded.line_of(p), m) for p, m in found)
    ordered = tuple(sorted(problems, key=lambda p: (p.line or 0, p.path, p.message)))
    warnings = tuple(
        ConfigProblem(format_path(path), loaded.line_of(path), message)
        for path, message in _warnings(loaded.data)
    )
    if ordered or not isinstance(loaded.data, dict):
        return PolicyResult(None, ordered, source, digest, warnings)
    return PolicyResult(build(Policy, loaded.data, Policy()), (), source, digest, warnings)


def _warnings(data: object) -> Iterator[Finding]:
    for tier in ("L1", "L2", "L3"):
        for path, entry in walk(data, ("tiers", tier, "checks", "*")):
            if isinstance(entry, str):
                yield path, unpinned_warning(entry)


def _findings(data: object) -> list[Finding]:
    if not isinstance(data, dict):
        what = f"not {describe(data)}"
        return [((), f"the top level must be a mapping of settings such as `version: 1`, {what}")]
    # The schema, then the rules it cannot express (each tolerates values of the wrong type).
    rules = [*field_findings(Policy, data), *_bucket_findings(data), *_prefix_findings(data)]
    return [*schema_findings(data), *rules]


def _bucket_findings(data: object) -> Iterator[Finding]:
    for path, buckets in walk(data, ("size", "buckets")):
        numbers = buckets if isinstance(buckets, dict) else {}
        bounds = [(name, numbers[name]) for name in BUCKET_ORDER if _is_number(numbers.get(name))]
        if bounds and bounds[0][0] == "XS" and bounds[0][1] != 0:
            yield (*path, "XS"), "must be 0, so that every change falls into a bucket"
        for (low, low_bound), (high, high_bound) in itertools.pairwise(bounds):
            if high_bound <= low_bound:
                yield (*path, high), f"must be greater than {low} ({low_bound}): bounds increase"


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _prefix_findings(data: object) -> Iterator[Finding]:
    # The App removes any label under a tier or size prefix that it did not decide, so no
    # other label it reads (overrides, exception, recheck, AI) may start with one.
    given = data.get("labels") if isinstance(data, dict) else None
    labels = given if isinstance(given, dict) else {}
    defaults = LabelPolicy()
    managed = [labels.get(k, getattr(defaults, k)) for k in ("tier_prefix", "size_prefix")]
    named = [
        (("labels", k), labels.get(k, getattr(defaults, k)))
        for k in ("override_prefix", "size_exception", "recheck")
    ]
    for path, value in [*named, *walk(data, ("ai", "labels", "*"))]:
        clash = [m for m in managed if isinstance(m, str) and m and str(value).startswith(m)]
        if clash and isinstance(value, str):
            where = path if path[-1] in labels or path[0] == "ai" else ("labels", "tier_prefix")
            yield (
                where,
                f"'{value}' starts with the managed prefix '{clash[0]}': the App would remove it",
            )
