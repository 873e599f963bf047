"""Extract the public API of a Python module from its source, as names with signatures."""

from __future__ import annotations

import ast
import warnings
from collections.abc import Iterator
from dataclasses import dataclass

from bot.core.interfaces.parse_session import cached

_Definition = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
# Decorators that change how the callable is called or reached, so they belong to its shape.
_CALL_SHAPE = frozenset(
    {"staticmethod", "classmethod", "property", "cached_property", "setter", "getter", "deleter"}
)


class UnparsableSourceError(Exception):
    """The source text is not a Python module this parser can read."""


@dataclass(frozen=True)
class ApiEntry:
    """One public name: its kind (function, class, method or name) and its signature text."""

    kind: str
    signature: str


def is_public_name(name: str) -> bool:
    """Public: no leading underscore, except dunders such as ``__init__`` that shape calls."""
    if name.startswith("__") and name.endswith("__") and len(name) > 4:
        return True
    return not name.startswith("_")


def parse_python(text: str) -> ast.Module:
    """``text`` parsed quietly; any failure is an ``UnparsableSourceError`` saying why, in the
    form ``SyntaxError at line N: message`` or the error's name. Parsed once per evaluation
    (the detector and the comparator share the tree, and neither changes it)."""
    return cached("python", text, _parse)


def _parse(text: str) -> ast.Module:
    try:
        with warnings.catch_warnings():
            # Odd escapes in string literals warn while parsing; they change no definition.
            warnings.simplefilter("ignore")
            return ast.parse(text)
    except SyntaxError as err:
        where = f" at line {err.lineno}" if err.lineno else ""
        raise UnparsableSourceError(f"SyntaxError{where}: {err.msg}") from err
    except (ValueError, RecursionError, MemoryError) as err:
        # Some Python releases reject null bytes with ValueError; absurdly deep expressions
        # exhaust the stack, which CPython's parser reports as MemoryError or RecursionError.
        raise UnparsableSourceError(type(err).__name__) from err


def parse_public_api(text: str) -> dict[str, ApiEntry]:
    """Map each public name (``Class.method`` for methods) to its kind and signature."""
    tree = parse_python(text)
    try:
        return _module_api(tree)
    except (ValueError, RecursionError, MemoryError) as err:
        raise UnparsableSourceError(type(err).__name__) from err


def _module_api(tree: ast.Module) -> dict[str, ApiEntry]:
    exported = dunder_all(tree.body)
    api: dict[str, ApiEntry] = {}
    for node in top_statements(tree.body):
        if isinstance(node, _Definition) and is_exported(node.name, exported):
            _add_definition(api, "", node)
    for name in exported or ():
        # Listed but not defined here (a re-export, a constant): public without a signature.
        api.setdefault(name, ApiEntry("name", ""))
    return api


def is_exported(name: str, exported: tuple[str, ...] | None) -> bool:
    return is_public_name(name) if exported is None else name in exported


def top_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Yield statements, looking inside ``if``/``try`` blocks where definitions often hide."""
    for node in body:
        if isinstance(node, ast.If):
            yield from top_statements(node.body)
            yield from top_statements(node.orelse)
        elif isinstance(node, ast.Try | ast.TryStar):
            yield from top_statements(node.body)
            for handler in node.handlers:
                yield from top_statements(handler.body)
            yield from top_statements(node.orelse)
            yield from top_statements(node.finalbody)
        else:
            yield node


def dunder_all(body: list[ast.stmt]) -> tuple[str, ...] | None:
    """The literal ``__all__`` of the module, or None when absent or computed."""
    names: list[str] | None = None
    for node in top_statements(body):
        if isinstance(node, ast.AugAssign) and _targets_all([node.target]):
            extra = _literal_names(node.value)
            names = None if names is None or extra is None else names + extra
        elif _assigns_all(node):
            names = _literal_names(getattr(node, "value", None))
        else:
            continue
        if names is None:
            # A computed __all__ cannot be read statically: judge by underscores instead.
            return None
    return None if names is None else tuple(names)


def _assigns_all(node: ast.stmt) -> bool:
    if isinstance(node, ast.Assign):
        return _targets_all(node.targets)
    return isinstance(node, ast.AnnAssign) and _targets_all([node.target])


def _targets_all(targets: list[ast.expr]) -> bool:
    return any(isinstance(target, ast.Name) and target.id == "__all__" for target in targets)


def _literal_names(value: ast.expr | None) -> list[str] | None:
    if not isinstance(value, ast.List | ast.Tuple):
        return None
    names = [item.value for item in value.elts if isinstance(item, ast.Constant)]
    if len(names) != len(value.elts) or not all(isinstance(name, str) for name in names):
        return None
    return [str(name) for name in names]


def _add_definition(api: dict[str, ApiEntry], prefix: str, node: _Definition) -> None:
    name = prefix + node.name
    if isinstance(node, ast.ClassDef):
        _merge(api, name, ApiEntry("class", _class_signature(node)))
        for child in top_statements(node.body):
            if isinstance(child, _Definition) and is_public_name(child.name):
                _add_definition(api, name + ".", child)
        return
    kind = "method" if prefix else "function"
    _merge(api, name, ApiEntry(kind, _function_signature(node)))


def _merge(api: dict[str, ApiEntry], name: str, entry: ApiEntry) -> None:
    """Keep every definition of a name: overloads and property setters share one name."""
    seen = api.get(name)
    if seen is not None and seen.kind == entry.kind:
        entry = ApiEntry(entry.kind, f"{seen.signature}; {entry.signature}")
    api[name] = entry


def _class_signature(node: ast.ClassDef) -> str:
    parts = [ast.unparse(base) for base in node.bases]
    parts += [ast.unparse(keyword) for keyword in node.keywords]
    return f"({', '.join(parts)})"


def _function_signature(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    shape = [f"@{name}" for name in map(_decorator_name, node.decorator_list) if name]
    is_async = "async " if isinstance(node, ast.AsyncFunctionDef) else ""
    returns = f" -> {ast.unparse(node.returns)}" if node.returns else ""
    return " ".join([*shape, f"{is_async}({ast.unparse(node.args)}){returns}"])


def _decorator_name(decorator: ast.expr) -> str:
    """The call-shaping decorator's last dotted part (``functools.cached_property``), else ''."""
    name = ast.unparse(decorator).rsplit(".", 1)[-1]
    return name if name in _CALL_SHAPE else ""
