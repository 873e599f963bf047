"""Which way each component is read: in requests, in responses, or both.

A component is compared once, on its own, so its changes must be rated for every place that
uses it. The walk starts at every operation (parameters and request bodies are requests,
responses are responses; webhooks reverse the two) and follows references, each component at
most once per direction, so cycles end and the work stays linear in the document's size.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.core.interfaces.openapi_refs import Direction, Spec, Tree, component_of, flip, ref_of

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
Usage = dict[tuple[str, str], set[Direction]]


def component_usage(spec: Spec) -> Usage:
    """Each used component, as ``(section, name)``, with the directions it is read in."""
    usage: Usage = {}
    stack: list[tuple[object, Direction]] = list(_roots(spec.tree))
    visited: set[tuple[str, Direction]] = set()
    while stack:
        node, direction = stack.pop()
        if isinstance(node, list):
            stack += [(item, direction) for item in node]
            continue
        if not isinstance(node, dict):
            continue
        ref = ref_of(node)
        if ref is not None and (ref, direction) not in visited:
            visited.add((ref, direction))
            _mark(usage, ref, direction)
            stack.append((spec.resolve(ref), direction))
        stack += [(value, direction) for value in node.values()]
    return usage


def direction_of(usages: tuple[Usage, Usage], key: tuple[str, str]) -> Direction:
    """The direction to rate a component in, from where both sides use it (unused: both)."""
    seen = usages[0].get(key, set()) | usages[1].get(key, set())
    if len(seen) == 1:
        return next(iter(seen))
    return "both"


def operations(item: object) -> Iterator[tuple[str, Tree]]:
    """The operations of a path item, by lower-case method, in the order methods are listed."""
    if isinstance(item, dict):
        for method in METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                yield method, operation


def _roots(tree: Tree) -> Iterator[tuple[object, Direction]]:
    sections: tuple[tuple[str, Direction], ...] = (("paths", "request"), ("webhooks", "response"))
    for section, direction in sections:
        items = tree.get(section)
        if not isinstance(items, dict):
            continue
        for item in items.values():
            yield from _item_roots(item, direction)


def _item_roots(item: object, request: Direction) -> Iterator[tuple[object, Direction]]:
    if not isinstance(item, dict):
        return
    response = flip(request)
    yield item.get("parameters"), request
    for _, operation in operations(item):
        yield operation.get("parameters"), request
        yield operation.get("requestBody"), request
        yield operation.get("responses"), response
        # Callbacks send requests the other way; rate what they use both ways, to be safe.
        yield operation.get("callbacks"), "both"


def _mark(usage: Usage, ref: str, direction: Direction) -> None:
    component = component_of(ref)
    if component is None:
        return
    found = usage.setdefault(component, set())
    if direction == "both":
        found.update(("request", "response"))
    else:
        found.add(direction)
