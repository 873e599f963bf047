"""Check one config file's text: the JSON Schema derived from the model, the rules it cannot
express, and the advice that leaves the file valid; every finding names its key path and line."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from bot.core.check_requirements import unpinned_warning
from bot.core.config import BUCKET_ORDER, ConfigProblem, LabelPolicy, Policy
from bot.core.configfile.checks import field_findings
from bot.core.schema import schema_findings
from bot.core.yamlpos import KeyPath, Positioned, describe, format_path, load_positioned, walk

Finding = tuple[KeyPath, str]


@dataclass(frozen=True)
class CheckedText:
    """The file read with the line of every key, its problems (sorted by line) and warnings."""

    loaded: Positioned
    problems: tuple[ConfigProblem, ...]
    warnings: tuple[ConfigProblem, ...]


def check_text(text: str) -> CheckedText:
    """Read and check config text; never raises, whatever the text."""
    loaded = load_positioned(text)
    found = [] if loaded.data is None and loaded.problems else findings(loaded.data)
    problems = {*loaded.problems}
    problems.update(ConfigProblem(format_path(p), loaded.line_of(p), m) for p, m in found)
    ordered = tuple(sorted(problems, key=lambda p: (p.line or 0, p.path, p.message)))
    warnings = tuple(
        ConfigProblem(format_path(path), loaded.line_of(path), message)
        for path, message in _warnings(loaded.data)
    )
    return CheckedText(loaded, ordered, warnings)


def _warnings(data: object) -> Iterator[Finding]:
    for tier in ("L1", "L2", "L3"):
        for path, entry in walk(data, ("tiers", tier, "checks", "*")):
            if isinstance(entry, str):
                yield path, unpinned_warning(entry)


def findings(data: object) -> list[Finding]:
    """Every problem of plain config data, by key path."""
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
