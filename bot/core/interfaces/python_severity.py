"""Compare the two sides of a Python interface: which public API changes break importers.

Public names follow the rules that decide whether a module's interface was touched at all
(``__all__`` when the module lists it literally, else no leading underscore); here each
change also gets a severity. Removing a public function, class, method or module constant
breaks importers, and so do the signature changes ``python_params`` lists; new names and
compatible signature changes do not; bodies and docstrings are no change.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from bot.core.interfaces.python_api import (
    UnparsableSourceError,
    dunder_all,
    is_exported,
    is_public_name,
    parse_python,
    top_statements,
)
from bot.core.interfaces.python_params import compare_signatures
from bot.core.interfaces.python_signature import Signature, read_signature
from bot.core.severity import (
    BREAKING,
    NON_BREAKING,
    ContractParseError,
    InterfaceChange,
    Severity,
)

# A hand-written module is rarely past 300 kB; the AST of a megabyte takes a second or two.
MAX_FILE_CHARS = 1_000_000
MAX_SIDE_CHARS = 2_000_000
_Definition = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef
# Names bound without a definition: a constant assigned here, or a name __all__ re-exports.
_PLAIN = frozenset({"constant", "name"})


@dataclass(frozen=True)
class PublicName:
    """One public name of a module: what it is and the parts of it callers rely on."""

    kind: str
    signature: Signature | None = None
    bases: tuple[str, ...] = ()
    annotation: str | None = None


def compare_python(
    before: Mapping[str, str], after: Mapping[str, str]
) -> tuple[InterfaceChange, ...]:
    """The public API changes of each module, ordered by file and name.

    A module present on one side only adds or removes all its public names. A side that
    does not parse raises ``ContractParseError``.
    """
    old_modules = _read_side(before, "before")
    new_modules = _read_side(after, "after")
    found: list[tuple[str, str, InterfaceChange]] = []
    for path in sorted(old_modules.keys() | new_modules.keys()):
        changes = _compare_modules(old_modules.get(path, {}), new_modules.get(path, {}))
        for name, severity, what in changes:
            found.append((path, name, InterfaceChange(path, severity, what)))
    found.sort(key=lambda item: (item[0], item[1], item[2].what))
    return tuple(change for _, _, change in found)


def _read_side(files: Mapping[str, str], side: str) -> dict[str, dict[str, PublicName]]:
    total = 0
    modules: dict[str, dict[str, PublicName]] = {}
    for path in sorted(files):
        text = files[path]
        total += len(text)
        if len(text) > MAX_FILE_CHARS or total > MAX_SIDE_CHARS:
            limit = f"{MAX_FILE_CHARS:,} per file and {MAX_SIDE_CHARS:,} per side"
            raise ContractParseError(path, side, f"is past the {limit} characters read")
        modules[path] = _read_module(path, text, side)
    return modules


def _read_module(path: str, text: str, side: str) -> dict[str, PublicName]:
    try:
        return public_names(parse_python(text))
    except UnparsableSourceError as err:
        raise ContractParseError(path, side, f"does not parse as Python ({err})") from err
    except (ValueError, RecursionError, MemoryError) as err:
        # Absurdly deep expressions can exhaust the stack when written back as text for a
        # default value.
        why = f"does not parse as Python ({type(err).__name__})"
        raise ContractParseError(path, side, why) from err


def public_names(tree: ast.Module) -> dict[str, PublicName]:
    """Each public name of a module (``Class.method`` for methods) with its call shape."""
    exported = dunder_all(tree.body)
    definitions: dict[str, list[_Definition]] = {}
    names: dict[str, PublicName] = {}
    for node in top_statements(tree.body):
        if isinstance(node, _Definition) and is_exported(node.name, exported):
            _collect(definitions, "", node)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            annotation = ast.unparse(node.annotation) if isinstance(node, ast.AnnAssign) else None
            for name in _assigned(node):
                if name != "__all__" and is_exported(name, exported):
                    names.setdefault(name, PublicName("constant", annotation=annotation))
    for name, nodes in definitions.items():
        names[name] = _defined(name, nodes)
    for name in exported or ():
        names.setdefault(name, PublicName("name"))
    return names


def _collect(found: dict[str, list[_Definition]], prefix: str, node: _Definition) -> None:
    name = prefix + node.name
    found.setdefault(name, []).append(node)
    if isinstance(node, ast.ClassDef):
        for child in top_statements(node.body):
            if isinstance(child, _Definition) and is_public_name(child.name):
                _collect(found, name + ".", child)


def _defined(name: str, nodes: list[_Definition]) -> PublicName:
    """The definition callers get: the last one, skipping ``typing.overload`` stubs."""
    real = [node for node in nodes if not _is_overload(node)]
    node = (real or nodes)[-1]
    if isinstance(node, ast.ClassDef):
        return PublicName("class", bases=tuple(ast.unparse(base) for base in node.bases))
    is_method = "." in name
    return PublicName("method" if is_method else "function", read_signature(node, is_method))


def _is_overload(node: _Definition) -> bool:
    return any(ast.unparse(d).rsplit(".", 1)[-1] == "overload" for d in node.decorator_list)


def _assigned(node: ast.Assign | ast.AnnAssign) -> Iterator[str]:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    for target in targets:
        elements = target.elts if isinstance(target, ast.Tuple | ast.List) else [target]
        for element in elements:
            if isinstance(element, ast.Name):
                yield element.id


def _compare_modules(
    old: dict[str, PublicName], new: dict[str, PublicName]
) -> Iterator[tuple[str, Severity, str]]:
    for name in sorted(old.keys() | new.keys()):
        was, now = old.get(name), new.get(name)
        if now is None and was is not None and not _owner_missing(name, new):
            yield name, BREAKING, f"public {was.kind} {name} removed"
        elif was is None and now is not None and not _owner_missing(name, old):
            yield name, NON_BREAKING, f"public {now.kind} {name} added"
        elif was is not None and now is not None:
            for severity, detail in _compare_name(was, now):
                yield name, severity, f"{was.kind} {name}: {detail}"


def _owner_missing(name: str, other: dict[str, PublicName]) -> bool:
    """A method whose class is itself added or removed is reported once, with the class."""
    owner, dot, _ = name.rpartition(".")
    return bool(dot) and owner not in other


def _compare_name(was: PublicName, now: PublicName) -> Iterator[tuple[Severity, str]]:
    if was.kind != now.kind and not {was.kind, now.kind} <= _PLAIN:
        yield BREAKING, f"became a {now.kind}"
    elif was.signature is not None and now.signature is not None:
        yield from compare_signatures(was.signature, now.signature)
    elif was.kind == "class":
        for base in was.bases:
            if base not in now.bases:
                # A private base is no promise to importers; its public methods, if they
                # moved, show up as this class's own.
                public = is_public_name(base.rsplit(".", 1)[-1])
                yield BREAKING if public else NON_BREAKING, f"no longer derives from {base}"
        for base in now.bases:
            if base not in was.bases:
                yield NON_BREAKING, f"now also derives from {base}"
    elif was.annotation != now.annotation and was.kind == now.kind:
        was_shown, now_shown = was.annotation or "(none)", now.annotation or "(none)"
        yield NON_BREAKING, f"annotation changed {was_shown} → {now_shown}"
