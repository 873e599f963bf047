"""Merge ``allOf`` members into one schema, so property lists compare however they are split.

A schema that moves a property from itself into an ``allOf`` member (or back) has not changed,
so both sides are flattened before comparing. Members referenced by the same name on both sides
are left in place: the referenced component is compared once, on its own, and merging it would
report each of its changes a second time here. Remote references, references that lead nowhere
and references already merged (a cycle, or a diamond of shared parents) are left in place too,
so the work stays linear in the number of schemas.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.core.interfaces.openapi_keywords import canonical
from bot.core.interfaces.openapi_refs import MAX_DEPTH, Budget, Spec, Tree, ref_of


def shared_members(old: Tree, new: Tree) -> frozenset[str]:
    """The references found in the ``allOf`` lists of both sides."""
    return _member_refs(old) & _member_refs(new)


def merge_all_of(spec: Spec, schema: Tree, shared: frozenset[str], budget: Budget) -> Tree:
    """``schema`` with its ``allOf`` members folded in, except those left in place."""
    if "allOf" not in schema:
        return schema
    return _Merger(spec, shared, budget).merge(schema, 0)


def _member_refs(schema: Tree) -> frozenset[str]:
    members = schema.get("allOf")
    if not isinstance(members, list):
        return frozenset()
    return frozenset(ref for ref in map(ref_of, members) if ref is not None)


@dataclass
class _Merger:
    spec: Spec
    shared: frozenset[str]
    budget: Budget
    seen: set[str] = field(default_factory=set)

    def merge(self, schema: Tree, depth: int) -> Tree:
        members = schema.get("allOf")
        if not isinstance(members, list) or depth > MAX_DEPTH:
            return schema
        merged: Tree = {key: value for key, value in schema.items() if key != "allOf"}
        kept: list[object] = []
        for member in members:
            ref = ref_of(member)
            if ref is not None and ref in self.seen:
                continue  # already folded in: allOf with the same member twice is the same
            target = self._target(member, ref)
            if not isinstance(target, dict) or not self.budget.spend():
                kept.append(member)
                continue
            kept += _absorb(merged, self.merge(target, depth + 1))
        if kept:
            # Order does not matter to allOf; sorting keeps a reordered list equal.
            merged["allOf"] = sorted(kept, key=canonical)
        return merged

    def _target(self, member: object, ref: str | None) -> object:
        if ref is None:
            return member
        if ref in self.shared:
            return None
        self.seen.add(ref)
        return self.spec.resolve(ref)


def _absorb(merged: Tree, member: Tree) -> list[object]:
    """Fold ``member`` into ``merged``; return the members it kept in place."""
    kept: list[object] = []
    for key, value in member.items():
        if key == "properties" and isinstance(value, dict):
            properties = merged.get("properties")
            combined = dict(properties) if isinstance(properties, dict) else {}
            for name, schema in value.items():
                combined.setdefault(name, schema)
            merged["properties"] = combined
        elif key == "required" and isinstance(value, list):
            required = merged.get("required")
            names = list(required) if isinstance(required, list) else []
            known = set(map(canonical, names))
            merged["required"] = names + [n for n in value if canonical(n) not in known]
        elif key == "allOf" and isinstance(value, list):
            kept += value
        else:
            merged.setdefault(key, value)
    return kept
