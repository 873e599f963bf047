"""The JSON Schema of the config file (version 1) and plain sentences for its violations."""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

import jsonschema

from bot.core.check_requirements import check_entry_schema
from bot.core.config import BUCKET_ORDER, Policy, SizeLimit, TierPolicy
from bot.core.triggers import (
    OnlyPaths,
    OwnedAreasAtLeast,
    SizeAtLeast,
    SizeAtMost,
    TouchesInterface,
    TouchesInvariant,
)
from bot.core.yamlpos import KeyPath, describe

SCHEMA_ID = "urn:review-tiers:config:v1"
INTERFACE_KINDS: tuple[str, ...] = ("python", "openapi", "protobuf", "graphql", "sql", "generic")
GITHUB_ROLES: tuple[str, ...] = ("read", "triage", "write", "maintain", "admin")
TIER_NAMES: tuple[str, ...] = ("L1", "L2", "L3")

# Patterns and the phrase that completes "'x' is not ..." when a value does not match.
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
OWNER_PATTERN = r"^(@[A-Za-z0-9][A-Za-z0-9-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?|[^@\s]+@[^@\s]+)$"
TEAM_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9][A-Za-z0-9._-]*$"
LOGIN_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9-]*(\[bot\])?$"
PATTERN_HINTS: dict[str, str] = {
    ID_PATTERN: "a valid id (letters, digits, '.', '_' and '-', starting with a letter or digit)",
    OWNER_PATTERN: "a CODEOWNERS owner (@user, @org/team-slug or an email address)",
    TEAM_PATTERN: "a team written as org/team-slug (without '@')",
    LOGIN_PATTERN: "a GitHub login such as octocat or dependabot[bot] (without '@')",
}

Schema = dict[str, object]
_COUNT: Schema = {"type": "integer", "minimum": 0}
_DEFAULTS = Policy()


def policy_schema() -> Schema:
    """The JSON Schema (draft 2020-12) of the config file, for validation and for editors."""
    codeowners = _value("Use CODEOWNERS on the base branch.", True, type="boolean")
    root = _obj(
        "review-tiers config, version 1, read from the PR's base branch; omitted keys: defaults.",
        required=("version",),
        version={"const": 1, "description": "Format version: 1."},
        size=_size(),
        ownership=_obj("Who owns the changed files.", codeowners=codeowners),
        invariants=_list("Registry of invariants; touching one escalates.", _invariant()),
        interfaces=_list("Declared contracts; touching one escalates.", _interface()),
        tiers=_tiers(),
        ai=_ai(),
        overrides=_obj("Who may apply override and exception labels.", roles=_roles()),
        labels=_labels(),
    )
    meta = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID}
    return {**meta, "title": "review-tiers configuration", **root}


def _obj(description: str, required: tuple[str, ...] = (), **properties: Schema) -> Schema:
    schema: Schema = {"type": "object", "description": description, "properties": properties}
    required_keys = {"required": list(required)} if required else {}
    return {**schema, "additionalProperties": False, **required_keys}


def _list(description: str, items: Schema, default: tuple[str, ...] | None = ()) -> Schema:
    """A list; a None default (a key that must be written) is left out."""
    schema: Schema = {"type": "array", "description": description, "items": items}
    return {**schema, **({"default": list(default)} if default is not None else {})}


def _strings(description: str, default: tuple[str, ...] | None = (), **item: object) -> Schema:
    return _list(description, {"type": "string", "minLength": 1, **item}, default)


def _value(description: str, default: object = None, **schema: object) -> Schema:
    """A scalar key; a None default is left out (no key here defaults to null)."""
    result: Schema = {**schema, "description": description}
    if default is not None:
        result["default"] = default
    return result


def _size() -> Schema:
    size = _DEFAULTS.size
    bounds = {k: _value(f"Lowest line count of {k}.", n, **_COUNT) for k, n in size.buckets.items()}
    buckets = _obj("Lower bounds of counted lines, increasing from XS = 0.", BUCKET_ORDER, **bounds)
    return _obj(
        "Size buckets, limits and files left out of the count.",
        buckets={**buckets, "default": dict(size.buckets)},
        generated=_strings("Globs of generated files, not counted.", size.generated),
        soft_limit=_limit("Over this, the sticky comment asks to split.", size.soft_limit),
        hard_limit=_limit("Over this, the check fails unless excepted.", size.hard_limit),
        ignore=_strings("Gitignore-style globs of files not counted.", size.ignore),
    )


def _limit(description: str, default: SizeLimit) -> Schema:
    lines = _value("Counted lines.", default.lines, **_COUNT)
    return _obj(description, lines=lines, files=_value("Counted files.", default.files, **_COUNT))


def _invariant() -> Schema:
    return _obj(
        "An invariant: a rule of the system its owners guard.",
        required=("id", "statement", "paths"),
        id=_value("Unique id.", type="string", pattern=ID_PATTERN),
        statement=_value("The rule, in one sentence.", type="string", minLength=1),
        paths={**_strings("Gitignore-style globs where it lives.", None), "minItems": 1},
        patterns=_strings("Optional RE2 regexes; then a changed line must match one."),
        owners=_strings("Owners whose approval L3 needs.", pattern=OWNER_PATTERN),
    )


def _interface() -> Schema:
    return _obj(
        "An interface or contract whose change escalates to L3.",
        required=("id", "kind", "paths"),
        id=_value("Unique id.", type="string", pattern=ID_PATTERN),
        kind=_value("How changes are detected.", enum=list(INTERFACE_KINDS)),
        paths={**_strings("Gitignore-style globs of the contract's files.", None), "minItems": 1},
        owners=_strings("Owners whose approval L3 needs.", pattern=OWNER_PATTERN),
    )


def _tiers() -> Schema:
    l1, l3 = _DEFAULTS.tiers.l1_when, _DEFAULTS.tiers.l3_when
    l1_paths, max_size = l1.rule(OnlyPaths).only_paths, l1.rule(SizeAtMost).max_size
    buckets, owners = [*BUCKET_ORDER, None], {"type": ["integer", "null"], "minimum": 1}
    l1_when = _obj(
        "All-of: L1 only when every condition holds; omitted keys impose nothing.",
        only_paths=_strings("Every changed file matches one of these globs.", l1_paths),
        max_size=_value("Size bucket at most this; null: any.", max_size, enum=buckets),
    )
    l3_when = _obj(
        "Any-of: each key is a trigger; omitted keys are not triggers.",
        invariants=_value(
            "Touching an invariant.", l3.rule(TouchesInvariant).invariants, type="boolean"
        ),
        interfaces=_value(
            "Touching an interface.", l3.rule(TouchesInterface).interfaces, type="boolean"
        ),
        min_size=_value(
            "Size bucket at least this; null: off.", l3.rule(SizeAtLeast).min_size, enum=buckets
        ),
        min_owners=_value(
            "At least this many owned areas (distinct owner sets of the CODEOWNERS entries"
            " deciding the changed files); null: off.",
            l3.rule(OwnedAreasAtLeast).min_owners,
            **owners,
        ),
        paths=_strings("Any changed file matches one of these globs."),
    )
    checks = _list(
        "Automated checks the tier requires, each by name and source.", check_entry_schema()
    )
    l2_reviewers, l3_reviewers = _reviewers(_DEFAULTS.tiers.l2), _reviewers(_DEFAULTS.tiers.l3)
    l3_reviewers["description"] = (
        "Whose approvals L3 needs; omitted: what L2 needs. Either way, plus one approval from"
        " each owner of a touched invariant or interface."
    )
    return _obj(
        "Tier rules and requirements.",
        L1=_obj("Automated tier.", when=l1_when, checks=checks),
        L2=_obj("Team review.", checks=checks, reviewers=l2_reviewers),
        L3=_obj("Architecture review.", when=l3_when, checks=checks, reviewers=l3_reviewers),
    )


def _reviewers(tier: TierPolicy) -> Schema:
    default, boolean = tier.reviewers, {"type": "boolean"}
    return _obj(
        "Whose approvals the tier needs.",
        teams=_strings("Teams to request.", pattern=TEAM_PATTERN),
        users=_strings("Users to request.", pattern=LOGIN_PATTERN),
        required_approvals=_value("Approvals needed.", default.required_approvals, **_COUNT),
        from_owners=_value("Also request owners of touched files.", default.from_owners, **boolean),
        invalidate_on_push=_value(
            "Only head approvals count.", default.invalidate_on_push, **boolean
        ),
    )


def _ai() -> Schema:
    ai = _DEFAULTS.ai
    section = _value("Heading AI-assisted PRs at L2+ must have; null: none.", ai.require_section)
    return _obj(
        "How AI-assisted pull requests are recognised and treated.",
        trailers=_strings("RE2 regexes over commit message lines, any case.", ai.trailers),
        labels=_strings("Labels marking a pull request AI-assisted.", ai.labels),
        bots=_strings("Bot logins whose pull requests are AI-assisted.", pattern=LOGIN_PATTERN),
        min_tier=_value(
            "Lowest tier of AI-assisted PRs.", ai.min_tier.value, enum=list(TIER_NAMES)
        ),
        require_section={**section, "type": ["string", "null"], "minLength": 1},
        instruction_files=_strings(
            "Gitignore-style globs of files that steer coding agents; a change is at least L2.",
            ai.instruction_files,
        ),
    )


def _roles() -> Schema:
    roles = ", ".join(GITHUB_ROLES)
    description = f"Repository roles that may apply override labels: {roles} or a custom role."
    return _strings(description, _DEFAULTS.overrides.roles)


def _labels() -> Schema:
    labels, text, named = _DEFAULTS.labels, {"type": "string"}, {"type": "string", "minLength": 1}
    return _obj(
        "Label names (GitHub allows at most 50 characters).",
        tier_prefix=_value("Prefix of tier labels (tier/L1).", labels.tier_prefix, **text),
        size_prefix=_value("Prefix of size labels (size/XS).", labels.size_prefix, **text),
        override_prefix=_value("Prefix of override labels.", labels.override_prefix, **text),
        size_exception=_value("Size-exception label.", labels.size_exception, **named),
        recheck=_value("Label asking for re-evaluation.", labels.recheck, **named),
    )


def schema_findings(data: object) -> Iterator[tuple[KeyPath, str]]:
    """Every schema violation in ``data`` as (key path, sentence)."""
    for error in _validator().iter_errors(data):
        yield from _explain(error)


@cache
def _validator() -> Any:
    return jsonschema.Draft202012Validator(policy_schema())


def _explain(error: Any) -> Iterator[tuple[KeyPath, str]]:
    path: KeyPath = tuple(error.absolute_path)
    kind, expected, instance = error.validator, error.validator_value, error.instance
    if kind == "additionalProperties":
        known = list(error.schema.get("properties", {}))
        for key in sorted(set(instance) - set(known)):
            yield (*path, key), _unknown_key(key, known)
    elif kind == "required":
        for key in [k for k in expected if k not in instance]:
            yield (*path, key), _MISSING.get(key, "required key is missing")
    elif kind == "oneOf":
        yield from _one_of(error, path)
    else:
        explain = _MESSAGES.get(kind)
        yield path, explain(expected, instance) if explain else str(error.message)


def _one_of(error: Any, path: KeyPath) -> Iterator[tuple[KeyPath, str]]:
    """Explain the branch the value was meant for (by its type), or which keys it must choose."""
    branches, instance = error.validator_value, error.instance
    keys = [b["required"][0] for b in branches if list(b) == ["required"]]
    if len(keys) == len(branches):
        present = [k for k in keys if isinstance(instance, dict) and k in instance]
        if not present:
            yield path, f"names no source: add one of {', '.join(keys)}"
        else:
            yield path, f"names more than one source ({' and '.join(present)}): keep exactly one"
        return
    fitting = [i for i, b in enumerate(branches) if _fits(b.get("type"), instance)]
    if not fitting:
        yield path, _type([b["type"] for b in branches if "type" in b], instance)
        return
    for sub in error.context:
        if sub.relative_schema_path[0] == fitting[0]:
            yield from _explain(sub)


def _fits(kind: str | list[str] | None, instance: object) -> bool:
    names = [] if kind is None else [kind] if isinstance(kind, str) else kind
    checks = {"string": str, "object": dict, "array": list}
    return any(isinstance(instance, checks.get(n, ())) for n in names)


def _unknown_key(key: str, known: list[str]) -> str:
    close = difflib.get_close_matches(key, known, n=1)
    hint = f"did you mean '{close[0]}'?" if close else f"expected one of: {', '.join(known)}"
    return f"unknown key '{key}'; {hint}"


def _type(expected: Any, instance: object) -> str:
    names = [expected] if isinstance(expected, str) else list(expected)
    return f"must be {' or '.join(_TYPE_NAMES[n] for n in names)}, not {describe(instance)}"


def _enum(allowed: list[object], instance: object) -> str:
    choices = ", ".join("null" if a is None else str(a) for a in allowed)
    return f"must be one of {choices}; not {describe(instance)}"


_TYPE_NAMES = {"object": "a mapping", "array": "a list", "string": "text", "null": "null"}
_TYPE_NAMES.update(integer="a whole number", boolean="true or false")
_MISSING = {"version": "required: must be 1 (add `version: 1` at the top of the file)"}
_MESSAGES: dict[str, Callable[[Any, Any], str]] = {
    "type": _type,
    "enum": _enum,
    "const": lambda value, instance: f"must be {json.dumps(value)}, not {describe(instance)}",
    "minimum": lambda value, instance: f"must be at least {value}, not {instance}",
    "pattern": lambda value, instance: f"{instance!r} is not {PATTERN_HINTS.get(value, value)}",
    "minLength": lambda _value, _instance: "must not be empty",
    "minItems": lambda _value, _instance: "must list at least one entry",
}
