"""The keys of a tier's ``when`` mapping come from rule classes registered with the tier.

A rule is a frozen dataclass whose fields are its keys (with ``doc`` metadata, like every
field of the model). A RuleSet holds one instance of each registered rule class and is built
from the settings of all of them, so ``L3When(paths=("infra/**",))`` reads as one mapping.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Generic, TypeVar


@dataclass(frozen=True)
class Rule:
    """A rule written under a tier's ``when``; subclasses are frozen dataclasses."""


R = TypeVar("R", bound=Rule)
T = TypeVar("T", bound=Rule)


@dataclass(frozen=True, init=False)
class RuleSet(Generic[R]):
    """One instance of each rule class ``registry()`` names, in its order.

    Built from settings by field name; a setting left out keeps its rule's default.
    """

    rules: tuple[R, ...]

    def __init__(self, **settings: Any) -> None:
        rules: list[R] = []
        for kind in self.registry():
            names = {f.name for f in dataclasses.fields(kind)}
            rules.append(
                dataclasses.replace(kind(), **{n: settings.pop(n) for n in names & set(settings)})
            )
        if settings:
            raise TypeError(f"{type(self).__name__} has no setting {', '.join(sorted(settings))}")
        object.__setattr__(self, "rules", tuple(rules))

    @classmethod
    def registry(cls) -> tuple[type[R], ...]:
        """The rule classes of this tier, in the order their reasons are given."""
        raise NotImplementedError

    def rule(self, kind: type[T]) -> T:
        """The instance of one rule class."""
        found = next((r for r in self.rules if type(r) is kind), None)
        if not isinstance(found, kind):
            raise KeyError(f"{kind.__name__} is not a rule of {type(self).__name__}")
        return found
