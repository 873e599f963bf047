"""Parse config text into a validated Policy, or into problems naming key path and line."""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from bot.core import config
from bot.core.check_requirements import requirement_from_config, unpinned_warning
from bot.core.config import BUCKET_ORDER, ConfigProblem, Policy
from bot.core.globs import glob_problem
from bot.core.models import Tier
from bot.core.patterns import pattern_problem
from bot.core.schema import schema_findings
from bot.core.triggers import L1When, L3When
from bot.core.yamlpos import KeyPath, describe, format_path, load_positioned, walk

DEFAULT_SOURCE = ".github/review-tiers.yml"
DEFAULTS_SOURCE = "built-in defaults"
LABEL_MAX_CHARS = 50  # GitHub rejects longer label names.

Finding = tuple[KeyPath, str]
if TYPE_CHECKING:
    from _typeshed import DataclassInstance

_D = TypeVar("_D", bound="DataclassInstance")

_GLOBS: tuple[KeyPath, ...] = (
    ("size", "ignore", "*"),
    ("size", "generated", "*"),
    ("invariants", "*", "paths", "*"),
    ("interfaces", "*", "paths", "*"),
    ("tiers", "L1", "when", "only_paths", "*"),
    ("tiers", "L3", "when", "paths", "*"),
    ("ai", "instruction_files", "*"),
)
_REGEXES: tuple[KeyPath, ...] = (("invariants", "*", "patterns", "*"), ("ai", "trailers", "*"))
_LABEL_NAMES: tuple[KeyPath, ...] = (
    ("labels", "size_exception"),
    ("labels", "recheck"),
    ("ai", "labels", "*"),
)
# Each prefix with its longest suffix must still fit GitHub's label limit.
_LABEL_PREFIXES: dict[str, str] = {
    "tier_prefix": "L3",
    "size_prefix": "XXL",
    "override_prefix": "L3",
}


@dataclass(frozen=True)
class PolicyResult:
    """A policy (None when there are problems), its problems, its source and the text's hash."""

    policy: Policy | None
    problems: tuple[ConfigProblem, ...]
    source: str
    digest: str
    # Advice that does not make the file invalid, e.g. a required check with no pinned source.
    warnings: tuple[ConfigProblem, ...] = ()


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
    return PolicyResult(_build(loaded.data), (), source, digest, warnings)


def _warnings(data: object) -> Iterator[Finding]:
    for tier in ("L1", "L2", "L3"):
        for path, entry in walk(data, ("tiers", tier, "checks", "*")):
            if isinstance(entry, str):
                yield path, unpinned_warning(entry)


def _findings(data: object) -> list[Finding]:
    if not isinstance(data, dict):
        what = f"not {describe(data)}"
        return [((), f"the top level must be a mapping of settings such as `version: 1`, {what}")]
    return [*schema_findings(data), *_semantic_findings(data)]


def _semantic_findings(data: dict[str, object]) -> Iterator[Finding]:
    """Rules JSON Schema cannot express; each tolerates values of the wrong type."""
    # The compiler evaluation matches with: what passes here always compiles there.
    yield from _text_findings(data, _GLOBS, glob_problem)
    yield from _text_findings(data, _REGEXES, _check_regex)
    yield from _text_findings(data, _LABEL_NAMES, _check_label)
    for key, suffix in _LABEL_PREFIXES.items():
        yield from _text_findings(data, (("labels", key),), partial(_check_label, suffix=suffix))
    yield from _duplicate_ids(data, "invariants")
    yield from _duplicate_ids(data, "interfaces")
    yield from _bucket_findings(data)
    yield from _prefix_findings(data)


def _text_findings(
    data: object, patterns: tuple[KeyPath, ...], check: Callable[[str], str | None]
) -> Iterator[Finding]:
    for pattern in patterns:
        for path, value in walk(data, pattern):
            message = check(value) if isinstance(value, str) else None
            if message:
                yield path, message


def _check_regex(pattern: str) -> str | None:
    # Patterns run on a linear-time engine: what it cannot compile is an error here.
    return pattern_problem(pattern)


def _check_label(prefix: str, suffix: str = "") -> str | None:
    name = prefix + suffix
    if len(name) <= LABEL_MAX_CHARS:
        return None
    return f"label '{name}' has {len(name)} characters; GitHub allows at most {LABEL_MAX_CHARS}"


def _duplicate_ids(data: object, section: str) -> Iterator[Finding]:
    seen: dict[str, KeyPath] = {}
    for path, value in walk(data, (section, "*", "id")):
        if isinstance(value, str) and value in seen:
            yield path, f"duplicate id '{value}' (already used by {format_path(seen[value])})"
        elif isinstance(value, str):
            seen[value] = path


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
    managed = [
        labels.get(k, getattr(config.LabelPolicy, k)) for k in ("tier_prefix", "size_prefix")
    ]
    named = [
        (("labels", k), labels.get(k, getattr(config.LabelPolicy, k)))
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


def _build(data: Mapping[str, Any]) -> Policy:
    """The model from validated data; omitted keys keep the defaults of ``Policy()``."""
    defaults = Policy()
    ai = dict(data.get("ai", {}))
    if "min_tier" in ai:
        ai["min_tier"] = Tier(ai["min_tier"])
    return Policy(
        version=1,
        size=_build_size(data.get("size", {}), defaults.size),
        codeowners=data.get("ownership", {}).get("codeowners", defaults.codeowners),
        invariants=tuple(config.Invariant(**_frozen(item)) for item in data.get("invariants", [])),
        interfaces=tuple(config.Interface(**_frozen(item)) for item in data.get("interfaces", [])),
        tiers=_build_tiers(data.get("tiers", {})),
        ai=_merge(defaults.ai, ai),
        overrides=_merge(defaults.overrides, data.get("overrides", {})),
        labels=_merge(defaults.labels, data.get("labels", {})),
    )


def _build_size(section: Mapping[str, Any], default: config.SizePolicy) -> config.SizePolicy:
    buckets = section.get("buckets", default.buckets)
    return config.SizePolicy(
        buckets={name: int(buckets[name]) for name in BUCKET_ORDER},
        generated=tuple(section.get("generated", default.generated)),
        soft_limit=_merge(default.soft_limit, section.get("soft_limit", {})),
        hard_limit=_merge(default.hard_limit, section.get("hard_limit", {})),
        ignore=tuple(section.get("ignore", default.ignore)),
    )


def _build_tiers(section: Mapping[str, Any]) -> config.TiersPolicy:
    default = config.TiersPolicy()
    l1, l2, l3 = (section.get(name, {}) for name in ("L1", "L2", "L3"))
    return config.TiersPolicy(
        l1_when=_l1_when(l1["when"]) if "when" in l1 else default.l1_when,
        l1=_tier(default.l1, l1),
        l2=_tier(default.l2, l2),
        l3_when=_l3_when(l3["when"]) if "when" in l3 else default.l3_when,
        l3=_tier(default.l3, l3),
        l3_reviewers_configured="reviewers" in l3,
    )


def _tier(default: config.TierPolicy, section: Mapping[str, Any]) -> config.TierPolicy:
    reviewers = _merge(default.reviewers, section.get("reviewers", {}))
    given = section.get("checks")
    checks = default.checks if given is None else tuple(map(requirement_from_config, given))
    return config.TierPolicy(checks=checks, reviewers=reviewers)


def _l1_when(when: Mapping[str, Any]) -> L1When:
    # A written `when` lists every condition: what it leaves out constrains nothing.
    return L1When(only_paths=tuple(when.get("only_paths", ())), max_size=when.get("max_size"))


def _l3_when(when: Mapping[str, Any]) -> L3When:
    # A written `when` lists every trigger: what it leaves out does not escalate.
    return L3When(
        invariants=when.get("invariants", False),
        interfaces=when.get("interfaces", False),
        min_size=when.get("min_size"),
        min_owners=_frozen(when.get("min_owners")),
        paths=tuple(when.get("paths", ())),
    )


def _merge(default: _D, section: Mapping[str, Any]) -> _D:
    return dataclasses.replace(default, **_frozen(dict(section)))


def _frozen(value: Any) -> Any:
    """Lists become tuples (the model is immutable); integral floats such as 1.0 become ints."""
    if isinstance(value, list):
        return tuple(value)
    if isinstance(value, dict):
        return {key: _frozen(item) for key, item in value.items()}
    return int(value) if isinstance(value, float) else value
