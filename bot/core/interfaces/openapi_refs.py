"""Local ``$ref`` resolution in one OpenAPI document, and the shared vocabulary of comparisons.

A local reference (``#/components/schemas/Pet``, or any JSON pointer into the same file) is
resolved; a remote one (another file, a URL) is never fetched and stays an opaque name, equal
to another only when spelled the same. A reference that leads nowhere resolves to None.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, NamedTuple
from urllib.parse import unquote

from bot.core.severity import BREAKING, NON_BREAKING, Severity

Tree = dict[object, object]
# Who reads the element: the API reads requests (narrowing them breaks callers), callers read
# responses (widening them breaks callers); ``both`` when a component serves either.
Direction = Literal["request", "response", "both"]
# Schemas nested deeper than this are compared for equality only.
MAX_DEPTH = 48
# Reference chains (a reference to a reference ...) longer than this are left unresolved.
_MAX_HOPS = 32


@dataclass
class Budget:
    """Work left for one comparison: a hostile document cannot make it run for ever."""

    remaining: int = 2_000_000

    def spend(self) -> bool:
        """Take one step; False once the budget is gone."""
        self.remaining -= 1
        return self.remaining >= 0


class Note(NamedTuple):
    """One difference inside an element: where (a property path), what, and the keyword."""

    severity: Severity
    where: str
    phrase: str
    keyword: str = ""


class Finding(NamedTuple):
    """One change to report: its place in the report order, severity and sentence."""

    order: tuple[str, ...]
    severity: Severity
    what: str


def findings(order: tuple[str, ...], element: str, notes: list[Note]) -> list[Finding]:
    """Notes about ``element`` as findings: ``GET /pets: parameter query "limit" removed``."""
    return [Finding(order, n.severity, f"{element}: {n.phrase}") for n in notes]


def rate(direction: Direction, *, request: bool, response: bool) -> Severity:
    """Breaking when the change breaks whoever reads the element in ``direction``."""
    if direction == "request":
        breaks = request
    elif direction == "response":
        breaks = response
    else:
        breaks = request or response
    return BREAKING if breaks else NON_BREAKING


def flip(direction: Direction) -> Direction:
    """Webhooks reverse the roles: the API sends the request and reads the response."""
    if direction == "request":
        return "response"
    return "request" if direction == "response" else "both"


def ref_of(node: object) -> str | None:
    """The ``$ref`` string of a reference object, else None."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            return ref
    return None


def component_of(ref: str) -> tuple[str, str] | None:
    """``(section, name)`` for ``#/components/<section>/<name>``, else None."""
    parts = ref.split("/")
    if len(parts) == 4 and parts[:2] == ["#", "components"]:
        return _unescape(parts[2]), _unescape(parts[3])
    return None


@dataclass
class Spec:
    """One side's document, with its references resolved on demand."""

    tree: Tree
    _cache: dict[str, object] = field(default_factory=dict)

    def resolve(self, ref: str) -> object | None:
        """The node a local reference points to, following chains; None if remote or missing."""
        if ref not in self._cache:
            self._cache[ref] = self._follow(ref)
        return self._cache[ref]

    def deref(self, node: object) -> object | None:
        """``node`` itself, or what it refers to when it is a reference."""
        ref = ref_of(node)
        return node if ref is None else self.resolve(ref)

    def section(self, name: str) -> Tree:
        """A ``components`` section, empty when absent or malformed."""
        components = self.tree.get("components")
        found = components.get(name) if isinstance(components, dict) else None
        return found if isinstance(found, dict) else {}

    def _follow(self, ref: str) -> object | None:
        seen: set[str] = set()
        node: object | None = None
        current: str | None = ref
        while current is not None:
            if current in seen or len(seen) >= _MAX_HOPS or not current.startswith("#"):
                return None
            seen.add(current)
            node = _pointer(self.tree, current[1:])
            current = ref_of(node)
        return node


def _pointer(tree: Tree, pointer: str) -> object | None:
    node: object = tree
    for token in (_unescape(part) for part in pointer.split("/")[1:]):
        if isinstance(node, dict):
            node = _lookup(node, token)
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return None
        if node is None:
            return None
    return node


def _lookup(node: Tree, token: str) -> object | None:
    if token in node:
        return node[token]
    # YAML reads unquoted status codes as integers: "#/.../responses/200" still finds them.
    return node.get(int(token)) if token.isdigit() else None


def _unescape(token: str) -> str:
    return unquote(token).replace("~1", "/").replace("~0", "~")
