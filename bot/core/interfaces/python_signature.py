"""Read how a Python function or method is called from its definition's AST."""

from __future__ import annotations

import ast
from dataclasses import dataclass

POSITIONAL_ONLY = "positional-only"
POSITIONAL = "positional"
KEYWORD_ONLY = "keyword-only"
# Decorators that change how a callable is reached; the last dotted part is what counts.
_SHAPES = {
    "staticmethod": "staticmethod",
    "classmethod": "classmethod",
    "property": "property",
    "cached_property": "property",
    "setter": "property",
    "getter": "property",
    "deleter": "property",
}


@dataclass(frozen=True)
class Param:
    """One named parameter: its kind, default and annotation as written (None when absent)."""

    name: str
    kind: str
    default: str | None
    annotation: str | None


@dataclass(frozen=True)
class Signature:
    """How a function is called, without the ``self`` or ``cls`` a method receives."""

    positional: tuple[Param, ...]
    keyword_only: tuple[Param, ...]
    star_args: str | None
    star_kwargs: str | None
    returns: str | None
    is_async: bool
    shape: str


def read_signature(node: ast.FunctionDef | ast.AsyncFunctionDef, is_method: bool) -> Signature:
    """The signature of a function or method definition."""
    args = node.args
    shape = _shape(node)
    positional = _params(args.posonlyargs, POSITIONAL_ONLY) + _params(args.args, POSITIONAL)
    defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    positional = tuple(_with_default(p, d) for p, d in zip(positional, defaults, strict=True))
    if is_method and shape != "staticmethod" and positional:
        positional = positional[1:]
    keyword_only = tuple(
        _with_default(p, d)
        for p, d in zip(_params(args.kwonlyargs, KEYWORD_ONLY), args.kw_defaults, strict=True)
    )
    return Signature(
        positional=positional,
        keyword_only=keyword_only,
        star_args=args.vararg.arg if args.vararg else None,
        star_kwargs=args.kwarg.arg if args.kwarg else None,
        returns=_text(node.returns),
        is_async=isinstance(node, ast.AsyncFunctionDef),
        shape=shape,
    )


def _shape(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    for decorator in node.decorator_list:
        shape = _SHAPES.get(ast.unparse(decorator).rsplit(".", 1)[-1], "")
        if shape:
            return shape
    return ""


def _params(args: list[ast.arg], kind: str) -> tuple[Param, ...]:
    return tuple(Param(arg.arg, kind, None, _text(arg.annotation)) for arg in args)


def _with_default(param: Param, default: ast.expr | None) -> Param:
    return Param(param.name, param.kind, _text(default), param.annotation)


def _text(node: ast.expr | None) -> str | None:
    return None if node is None else ast.unparse(node)
