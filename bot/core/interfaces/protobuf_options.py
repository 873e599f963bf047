"""Which option changes break generated code or the wire, and how option changes read.

The tables follow the FILE category of ``buf breaking``: file options that name generated
packages and classes, field options that change how values are typed in generated code
(``jstype``, ``ctype``, ``default``), editions features that change presence, encoding or
JSON, and an RPC's idempotency level. Every other option change (``deprecated``, custom
annotations) is reported as non-breaking.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.core.interfaces.protobuf_model import Options
from bot.core.severity import BREAKING, NON_BREAKING, Severity

Found = tuple[Severity, str]
_MAX_SHOWN = 80
UNSET = "(unset)"


@dataclass(frozen=True)
class OptionRule:
    """An option whose change breaks: its value when unset, and the one change that breaks."""

    default: str = UNSET
    # When set, only a change to this value breaks (the option may be relaxed freely).
    breaks_only_to: str | None = None


_FEATURES = {
    f"features.{name}": OptionRule()
    for name in (
        "field_presence",
        "enum_type",
        "json_format",
        "utf8_validation",
        "message_encoding",
        "(pb.cpp).string_type",
        "(pb.java).utf8_validation",
    )
}
_FALSE = OptionRule("false")
FILE_RULES: Mapping[str, OptionRule] = {
    **{
        name: OptionRule()
        for name in (
            "go_package",
            "java_package",
            "java_outer_classname",
            "csharp_namespace",
            "objc_class_prefix",
            "php_class_prefix",
            "php_metadata_namespace",
            "php_namespace",
            "ruby_package",
            "swift_prefix",
        )
    },
    "java_multiple_files": _FALSE,
    "java_string_check_utf8": _FALSE,
    "cc_generic_services": _FALSE,
    "java_generic_services": _FALSE,
    "py_generic_services": _FALSE,
    "cc_enable_arenas": OptionRule("true"),
    "optimize_for": OptionRule("SPEED"),
    **_FEATURES,
}
MESSAGE_RULES: Mapping[str, OptionRule] = {
    "no_standard_descriptor_accessor": OptionRule("false", breaks_only_to="true"),
    "deprecated_legacy_json_field_conflicts": _FALSE,
    **_FEATURES,
}
ENUM_RULES = MESSAGE_RULES
FIELD_RULES: Mapping[str, OptionRule] = {
    "jstype": OptionRule("JS_NORMAL"),
    "ctype": OptionRule("STRING"),
    "default": OptionRule(),
    **_FEATURES,
}
RPC_RULES: Mapping[str, OptionRule] = {"idempotency_level": OptionRule("IDEMPOTENCY_UNKNOWN")}
NO_RULES: Mapping[str, OptionRule] = {}
# A written default equal to the type's zero value changes nothing.
_ZERO_DEFAULTS = frozenset({"0", "-0", "0.0", "-0.0", "false", '""'})


def compare_options(
    subject: str, old: Options, new: Options, rules: Mapping[str, OptionRule]
) -> list[Found]:
    """One finding per option whose value differs, breaking when ``rules`` says so."""
    found: list[Found] = []
    for name in sorted(old.keys() | new.keys()):
        if name == "json_name":
            continue  # compared as the field's JSON name
        rule = rules.get(name)
        default = rule.default if rule else UNSET
        before, after = _value(name, old, default), _value(name, new, default)
        if before == after:
            continue
        breaks = rule is not None and rule.breaks_only_to in (None, after)
        found.append(
            (
                BREAKING if breaks else NON_BREAKING,
                f"{subject} option {name} {_change(before, after)}",
            )
        )
    return found


def _change(before: str, after: str) -> str:
    if before == UNSET:
        return f"set to {shown(after)}"
    if after == UNSET:
        return f"unset (was {shown(before)})"
    return f"changed {shown(before)} → {shown(after)}"


def _value(name: str, options: Options, default: str) -> str:
    value = options.get(name, default)
    return UNSET if name == "default" and value in _ZERO_DEFAULTS else value


def shown(value: str) -> str:
    """A value short enough to stand in a sentence."""
    if len(value) <= _MAX_SHOWN:
        return value
    return value[: _MAX_SHOWN - 1] + "…"
