"""Tier rules go through one place: every rule class is registered, every registered rule's keys
are in the published schema and reach the rule from the file, and the tier decision asks every
registered rule."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from abc import ABC
from pathlib import Path
from typing import Any

import pytest

import bot.core
from bot.core.config import Policy
from bot.core.configfile.build import off
from bot.core.configfile.fields import Setting, settings_of, unwrap
from bot.core.configfile.rules import Rule
from bot.core.models import BUCKET_ORDER, PullFacts, Reason, SizeFacts, Tier
from bot.core.policy import parse_policy
from bot.core.schema import policy_schema
from bot.core.tiers import classify_tier
from bot.core.triggers import L1_CONDITIONS, L3_TRIGGERS, Condition, Trigger

BOT = Path(bot.core.__file__).resolve().parent.parent
REGISTRIES: dict[str, tuple[type[Rule], ...]] = {"L1": L1_CONDITIONS, "L3": L3_TRIGGERS}
BASES: dict[str, type[Rule]] = {"L1": Condition, "L3": Trigger}


def unregistered(base: type, registry: tuple[type, ...]) -> list[str]:
    """Concrete subclasses of ``base`` (at any depth) that ``registry`` does not list."""
    found: list[str] = []
    todo = list(base.__subclasses__())
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if not inspect.isabstract(cls) and cls not in registry:
            found.append(cls.__qualname__)
    return sorted(found)


def test_the_check_finds_an_unregistered_class() -> None:
    class Base(ABC):  # noqa: B024 - a stand-in for the rule bases
        pass

    class Listed(Base):
        pass

    class Forgotten(Listed):
        pass

    assert unregistered(Base, (Listed,)) == [f"{Forgotten.__qualname__}"]


def test_every_rule_class_in_bot_core_is_registered() -> None:
    for module in pkgutil.walk_packages(bot.core.__path__, "bot.core."):
        importlib.import_module(module.name)
    for tier, base in BASES.items():
        assert unregistered(base, REGISTRIES[tier]) == [], f"add them to the {tier} registry"


def rule_bases(tree: ast.Module) -> list[tuple[str, str]]:
    """(class, base) for each class whose bases name a rule base."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for base in node.bases:
                name = base.attr if isinstance(base, ast.Attribute) else getattr(base, "id", "")
                if name in {"Condition", "Trigger"}:
                    found.append((node.name, name))
    return found


def test_no_rule_class_anywhere_in_bot_is_left_out() -> None:
    registered = {cls.__name__ for registry in REGISTRIES.values() for cls in registry}
    for path in sorted(BOT.rglob("*.py")):
        for name, _ in rule_bases(ast.parse(path.read_text())):
            assert name in registered, f"{path.relative_to(BOT)}: {name} is not registered"


def when_schema(tier: str) -> dict[str, Any]:
    tiers = policy_schema()["properties"]["tiers"]["properties"]  # type: ignore[index]
    properties: dict[str, Any] = tiers[tier]["properties"]["when"]["properties"]
    return properties


@pytest.mark.parametrize("tier", REGISTRIES)
def test_the_schema_has_exactly_the_registered_keys(tier: str) -> None:
    keys = [s.key for rule in REGISTRIES[tier] for s in settings_of(rule)]
    assert list(when_schema(tier)) == keys
    assert len(keys) == len(set(keys)), "two rules of a tier share a key"


def registered_settings() -> list[tuple[str, type[Rule], Setting]]:
    return [
        (tier, rule, setting)
        for tier, registry in REGISTRIES.items()
        for rule in registry
        for setting in settings_of(rule)
    ]


SETTINGS = registered_settings()
IDS = [f"{tier}.{setting.key}" for tier, _, setting in SETTINGS]


@pytest.mark.parametrize(("tier", "rule", "setting"), SETTINGS, ids=IDS)
def test_each_key_is_described_with_its_default(tier: str, rule: type, setting: Setting) -> None:
    schema = when_schema(tier)[setting.key]
    default = getattr(rule(), setting.name)
    assert schema["description"] == setting.doc.description
    expected = list(default) if isinstance(default, tuple) else default
    assert schema.get("default") == expected


def other_value(setting: Setting, current: object) -> Any:
    """A valid value of the key that differs from ``current``."""
    base, _ = unwrap(setting.hint)
    if base is bool:
        return not current
    if base is int:
        return (current if isinstance(current, int) else 0) + 2
    if base is str:
        return next(c for c in setting.doc.choices or BUCKET_ORDER if c != current)
    return ["infra/**", "*.tf"]


@pytest.mark.parametrize(("tier", "rule", "setting"), SETTINGS, ids=IDS)
def test_each_key_reaches_its_rule_from_the_file(tier: str, rule: type, setting: Setting) -> None:
    value = other_value(setting, getattr(rule(), setting.name))
    result = parse_policy(
        f"version: 1\ntiers:\n  {tier}:\n    when:\n      {setting.key}: {value}\n"
    )
    assert result.policy is not None, [p.render() for p in result.problems]
    when = result.policy.tiers.l1_when if tier == "L1" else result.policy.tiers.l3_when
    expected = tuple(value) if isinstance(value, list) else value
    assert getattr(when.rule(rule), setting.name) == expected
    # The rest of a written `when` is off.
    for other in when.rules:
        for s in settings_of(type(other)):
            if s is not setting:
                assert getattr(other, s.name) == off(s.hint)


def spy(calls: list[type], result: object) -> Any:
    """A rule method that records which rule class it was asked on."""

    def method(self: Rule, _facts: object) -> object:
        calls.append(type(self))
        return result

    return method


def test_the_tier_decision_asks_every_registered_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    fired: list[type] = []
    held: list[type] = []
    for trigger in L3_TRIGGERS:
        monkeypatch.setattr(trigger, "fire", spy(fired, []))
    for condition in L1_CONDITIONS:
        monkeypatch.setattr(condition, "holds", spy(held, "it holds"))
    size = SizeFacts(lines=1, files=1, label="XS", additions=1, deletions=0)
    facts = PullFacts(("docs/a.md",), size, (), (), (), {}, False, (), False)
    assert classify_tier(facts, Policy()) == (
        Tier.L1,
        [Reason("low-risk", " and ".join(["it holds"] * len(L1_CONDITIONS)))],
    )
    assert fired == list(L3_TRIGGERS)
    assert held == list(L1_CONDITIONS)
