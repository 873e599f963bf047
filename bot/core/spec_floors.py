"""The floor keys of a spec file: the keys a repository extending it may only tighten, and what
"stricter" means for each.

Every other key of a spec file is a default the nearer file replaces. For a floor key, the value
that applies is the stricter of the nearer value and the value each spec file writes, unless that
spec file lists the key in ``allow_loosen``. A spec file sets a floor only where it writes the
key: a key it leaves out imposes nothing. Each ``join`` takes two schema-valid values as the file
wrote them (the nearer one may be None: absent, or off) and returns the stricter.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

from bot.core.check_requirements import CheckSource, requirement_from_config
from bot.core.models import BUCKET_ORDER

Join = Callable[[object, object], object]


@dataclass(frozen=True)
class Floor:
    """One floor key: its path in the file, how the stricter value is found, and that rule in
    words (the README lists them)."""

    path: tuple[str, ...]
    join: Join
    stricter: str

    @property
    def dotted(self) -> str:
        return ".".join(self.path)

    def loosenable(self, allowed: Collection[str]) -> bool:
        """Whether ``allow_loosen`` names this key, or a section holding it."""
        return any(self.dotted == a or self.dotted.startswith(a + ".") for a in allowed)


def _higher_tier(near: object, spec: object) -> object:
    return spec if near is None else max(str(near), str(spec))  # "L1" < "L2" < "L3"


def _enforce(near: object, spec: object) -> object:
    # Enforcing is stricter than shadowing: a spec that enforces cannot be shadowed locally.
    return "enforce" if "enforce" in (near, spec) else spec if near is None else near


def _lower_number(near: object, spec: object) -> object:
    # None is "off" (min_owners) and loosest; the file's numbers are whole and schema-valid.
    numbers = [n for n in (near, spec) if isinstance(n, int | float) and not isinstance(n, bool)]
    return min(numbers) if numbers else None


def _higher_number(near: object, spec: object) -> object:
    numbers = [n for n in (near, spec) if isinstance(n, int | float) and not isinstance(n, bool)]
    return max(numbers) if numbers else None


def _either_on(near: object, spec: object) -> object:
    return bool(near) or bool(spec)


def _lower_bucket(near: object, spec: object) -> object:
    # A lower size threshold fires on more changes; None ("off") fires on none.
    named = [b for b in (near, spec) if isinstance(b, str) and b in BUCKET_ORDER]
    return min(named, key=BUCKET_ORDER.index) if named else None


def _union(near: object, spec: object) -> object:
    return list(dict.fromkeys([*_listed(near), *_listed(spec)]))


def _narrower(near: object, spec: object) -> object:
    # Only the roles both files allow: narrowing can leave nobody able to override.
    return list(_listed(spec)) if near is None else [r for r in _listed(near) if r in _listed(spec)]


def _checks(near: object, spec: object) -> object:
    """Every check either file requires; for a name both require, the spec's entry, unless it
    accepts any source and the nearer one pins a source."""
    merged: dict[str, object] = {}
    for entry in _listed(near):
        merged[requirement_from_config(entry).name] = entry
    for entry in _listed(spec):
        name = requirement_from_config(entry).name
        if name not in merged or _pinned(entry) or not _pinned(merged[name]):
            merged[name] = entry
    return list(merged.values())


def _pinned(entry: object) -> bool:
    return requirement_from_config(entry).source is not CheckSource.ANY


def _listed(value: object) -> list[object]:
    return list(value) if isinstance(value, list | tuple) else []


# The keys under tiers.L3.when; tests/core/test_spec_floors.py fails when a trigger's key is
# missing here, so a new trigger cannot escape the spec's floor.
WHEN_FLOORS: dict[str, tuple[Join, str]] = {
    "invariants": (_either_on, "on wins over off"),
    "interfaces": (_either_on, "on wins over off"),
    "min_size": (_lower_bucket, "the lower bucket (null, off, is the loosest)"),
    "min_owners": (_lower_number, "the lower count (null, off, is the loosest)"),
    "paths": (_union, "the globs of both"),
}

_CHECKS = "every check either requires; a pinned source wins over any source"
_APPROVALS = "the larger number"

FLOORS: tuple[Floor, ...] = (
    Floor(("ai", "min_tier"), _higher_tier, "the higher tier"),
    Floor(("size", "hard_limit", "lines"), _lower_number, "the lower limit"),
    Floor(("size", "hard_limit", "files"), _lower_number, "the lower limit"),
    *(Floor(("tiers", "L3", "when", k), j, why) for k, (j, why) in WHEN_FLOORS.items()),
    *(Floor(("tiers", tier, "checks"), _checks, _CHECKS) for tier in ("L1", "L2", "L3")),
    Floor(("tiers", "L2", "reviewers", "required_approvals"), _higher_number, _APPROVALS),
    Floor(("tiers", "L3", "reviewers", "required_approvals"), _higher_number, _APPROVALS),
    Floor(("overrides", "roles"), _narrower, "only the roles both allow"),
    Floor(("mode",), _enforce, "enforce wins over shadow"),
)

# What `allow_loosen` may list: a floor key, or a section of them (`tiers.L3.when`).
LOOSEN_CHOICES: tuple[str, ...] = tuple(
    sorted(
        {
            ".".join(f.path[:end])
            for f in FLOORS
            for end in range(min(2, len(f.path)), len(f.path) + 1)
        }
    )
)
