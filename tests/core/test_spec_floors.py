"""The floor keys stay complete: every L3 trigger key has a floor, and allow_loosen may name
every floor key and the sections holding them, nothing else."""

from __future__ import annotations

from bot.core.configfile.fields import settings_of
from bot.core.schema import policy_schema
from bot.core.spec_floors import FLOORS, LOOSEN_CHOICES, WHEN_FLOORS, Floor
from bot.core.triggers import L3When


def test_every_l3_trigger_key_is_a_floor_key() -> None:
    keys = {s.key for s in settings_of(L3When)}
    assert set(WHEN_FLOORS) == keys
    assert {f.path[-1] for f in FLOORS if f.path[:3] == ("tiers", "L3", "when")} == keys


def test_allow_loosen_accepts_floor_keys_and_their_sections() -> None:
    items = policy_schema()["properties"]["allow_loosen"]["items"]  # type: ignore[index]
    assert items == {"enum": list(LOOSEN_CHOICES)}
    assert {f.dotted for f in FLOORS} <= set(LOOSEN_CHOICES)
    assert {"tiers.L3.when", "size.hard_limit", "tiers.L2.reviewers"} <= set(LOOSEN_CHOICES)
    assert not {"tiers", "ai", "labels.tier_prefix", "size.soft_limit"} & set(LOOSEN_CHOICES)


def test_a_section_in_allow_loosen_covers_its_keys_only() -> None:
    floor = next(f for f in FLOORS if f.dotted == "tiers.L3.when.min_size")
    assert floor.loosenable(["tiers.L3.when"]) and floor.loosenable(["tiers.L3"])
    assert not floor.loosenable(["tiers.L3.when.min_owners", "tiers.L3.wh"])


def test_off_values_are_the_loosest() -> None:
    joins = {f.dotted: f for f in FLOORS}

    def join(key: str, near: object, spec: object) -> object:
        found: Floor = joins[key]
        return found.join(near, spec)

    assert join("tiers.L3.when.min_size", None, "XL") == "XL"
    assert join("tiers.L3.when.min_size", "M", None) == "M"
    assert join("tiers.L3.when.min_owners", None, 3) == 3
    assert join("tiers.L3.when.invariants", None, False) is False
    assert join("overrides.roles", ["write"], ["admin"]) == []
