"""Tier rules go through one place: every rule class is registered, every registered rule's keys
are in the published schema, and the tier decision asks every registered rule."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
from abc import ABC
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest

import bot.core
from bot.core.config import Policy
from bot.core.configfile.rules import Rule
from bot.core.models import PullFacts, Reason, SizeFacts, Tier
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
    keys = [f.name for rule in REGISTRIES[tier] for f in fields(rule)]
    assert list(when_schema(tier)) == keys
    assert len(keys) == len(set(keys)), "two rules of a tier share a key"


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
