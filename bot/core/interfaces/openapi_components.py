"""Compare reusable components once each, rated for wherever the document uses them.

An operation that refers to ``#/components/schemas/Pet`` on both sides leaves ``Pet`` to be
compared here, once, instead of once per operation. Its changes are rated for the directions
it is read in (see ``openapi_usage``); a component no operation uses is rated both ways, since
another file may use it. Removing a component is breaking only in a file without paths or
webhooks, a library of components that other files refer to.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.core.interfaces.openapi_parts import (
    compare_body,
    compare_header,
    compare_parameter,
    compare_response,
    note,
    under,
)
from bot.core.interfaces.openapi_refs import Direction, Finding, Note, Tree, findings
from bot.core.interfaces.openapi_schema import Comparison, Level, compare_schema
from bot.core.interfaces.openapi_usage import Usage, direction_of
from bot.core.severity import BREAKING, NON_BREAKING

_Rule = Callable[[Comparison, object, object, Direction], list[Note]]


def _schema(cmp: Comparison, old: object, new: object, direction: Direction) -> list[Note]:
    return under("", compare_schema(cmp, old, new, Level(direction)))


def _parameter(cmp: Comparison, old: object, new: object, direction: Direction) -> list[Note]:
    old_param, new_param = cmp.old.deref(old), cmp.new.deref(new)
    if not isinstance(old_param, dict) or not isinstance(new_param, dict):
        return [note(BREAKING, "", "changed to a reference that cannot be compared")]
    return compare_parameter(cmp, "", old_param, new_param, direction)


def _body(cmp: Comparison, old: object, new: object, direction: Direction) -> list[Note]:
    return compare_body(cmp, "", old, new, direction)


def _response(cmp: Comparison, old: object, new: object, direction: Direction) -> list[Note]:
    return compare_response(cmp, "", old, new, direction)


def _header(cmp: Comparison, old: object, new: object, direction: Direction) -> list[Note]:
    return compare_header(cmp, "", old, new, direction)


def _changed(breaking: bool) -> _Rule:
    def rule(cmp: Comparison, old: object, new: object, direction: Direction) -> list[Note]:
        return [note(BREAKING if breaking else NON_BREAKING, "", "changed")]

    return rule


# Section → (how its entries are named, how two versions of an entry compare).
_SECTIONS: dict[str, tuple[str, _Rule]] = {
    "schemas": ("schema", _schema),
    "parameters": ("parameter component", _parameter),
    "requestBodies": ("request body component", _body),
    "responses": ("response component", _response),
    "headers": ("header component", _header),
    "securitySchemes": ("security scheme", _changed(breaking=False)),
    "links": ("link", _changed(breaking=False)),
    # Callbacks and path items hold whole operations, read both ways: any change may break.
    "callbacks": ("callback", _changed(breaking=True)),
    "pathItems": ("path item", _changed(breaking=True)),
}


def compare_components(
    cmp: Comparison, usages: tuple[Usage, Usage], library: bool
) -> list[Finding]:
    """Each component added, removed or changed, in section and name order."""
    found: list[Finding] = []
    for section in sorted(_sections(cmp.old.tree) | _sections(cmp.new.tree)):
        kind, rule = _SECTIONS.get(section, (f"{section} entry", _changed(breaking=True)))
        old, new = cmp.old.section(section), cmp.new.section(section)
        for name in sorted(old.keys() | new.keys(), key=str):
            element = f'{kind} "{name}"'
            order = ("3", section, str(name))
            if name not in new:
                severity = BREAKING if library else NON_BREAKING
                found.append(Finding(order, severity, f"{element} removed"))
            elif name not in old:
                found.append(Finding(order, NON_BREAKING, f"{element} added"))
            elif old[name] != new[name]:
                direction = direction_of(usages, (section, str(name)))
                found += findings(order, element, rule(cmp, old[name], new[name], direction))
    return found


def _sections(tree: Tree) -> set[str]:
    components = tree.get("components")
    return {str(key) for key in components} if isinstance(components, dict) else set()


def is_library(tree: Tree) -> bool:
    """A file of components only, which other files refer to."""
    return not tree.get("paths") and not tree.get("webhooks")
