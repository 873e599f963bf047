"""Compare two signatures of one Python callable: which differences break its callers.

A change breaks callers when a call that worked before can fail or bind differently after:
a parameter removed, renamed (callers may pass it by keyword), moved, made keyword-only or
positional-only, a new one without a default, a default taken away, ``*args`` or ``**kwargs``
dropped, a function turned into a coroutine or a property. New parameters with defaults,
annotations and default values are non-breaking.
"""

from __future__ import annotations

from collections.abc import Iterator

from bot.core.interfaces.python_signature import (
    KEYWORD_ONLY,
    POSITIONAL,
    POSITIONAL_ONLY,
    Param,
    Signature,
)
from bot.core.severity import BREAKING, NON_BREAKING, Severity

Finding = tuple[Severity, str]


def compare_signatures(old: Signature, new: Signature) -> Iterator[Finding]:
    """Each difference between two signatures of one callable, with its severity."""
    yield from _compare_shape(old, new)
    if "property" in (old.shape, new.shape):
        return  # an attribute read, or no longer one: its parameters are never passed
    renamed: set[str] = set()
    yield from _compare_positional(old, new, renamed)
    yield from _compare_keyword_only(old, new, renamed)
    yield from _compare_star("*", old.star_args, new.star_args)
    yield from _compare_star("**", old.star_kwargs, new.star_kwargs)
    if old.returns != new.returns:
        yield (
            NON_BREAKING,
            f"return annotation changed {_shown(old.returns)} → {_shown(new.returns)}",
        )


def _compare_shape(old: Signature, new: Signature) -> Iterator[Finding]:
    if old.is_async != new.is_async:
        yield BREAKING, "became a coroutine" if new.is_async else "is no longer a coroutine"
    if old.shape == new.shape:
        return
    if "property" in (old.shape, new.shape):
        yield BREAKING, "became a property" if new.shape else "is no longer a property"
    elif not new.shape:
        # Callers that call it on the class, without an instance, now fail.
        yield BREAKING, f"became an instance method (was a {old.shape})"
    else:
        yield NON_BREAKING, f"became a {new.shape}"


def _compare_positional(old: Signature, new: Signature, renamed: set[str]) -> Iterator[Finding]:
    """Positional parameters by place: each must keep its place, name and kind."""
    old_names = {p.name for p in (*old.positional, *old.keyword_only)}
    new_places = {p.name: at for at, p in enumerate(new.positional)}
    new_keywords = {p.name for p in new.keyword_only}
    for at, param in enumerate(old.positional):
        twin = new.positional[at] if at < len(new.positional) else None
        if param.name in new_places:
            moved_to = new_places[param.name]
            if moved_to != at:
                yield (
                    BREAKING,
                    f'parameter "{param.name}" moved from position {at + 1} to {moved_to + 1}',
                )
            yield from _compare_param(param, new.positional[moved_to])
        elif param.name in new_keywords:
            yield BREAKING, f'parameter "{param.name}" became keyword-only'
        elif twin is not None and twin.name not in old_names:
            renamed.add(twin.name)
            yield from _renamed(param, twin)
        else:
            yield BREAKING, f'parameter "{param.name}" removed'
    for param in new.positional:
        if param.name not in old_names and param.name not in renamed:
            yield _added(param)


def _compare_keyword_only(old: Signature, new: Signature, renamed: set[str]) -> Iterator[Finding]:
    """Keyword-only parameters by name; one removed and one added is a rename."""
    old_names = {p.name for p in (*old.positional, *old.keyword_only)}
    new_params = {p.name: p for p in (*new.positional, *new.keyword_only)}
    gone = [p for p in old.keyword_only if p.name not in new_params]
    fresh = [p for p in new.keyword_only if p.name not in old_names]
    if len(gone) == len(fresh) == 1:
        renamed.add(fresh[0].name)
        yield from _renamed(gone[0], fresh[0])
        gone, fresh = [], []
    for param in old.keyword_only:
        twin = new_params.get(param.name)
        if twin is not None and twin.kind == POSITIONAL_ONLY:
            yield BREAKING, f'parameter "{param.name}" became positional-only'
        elif twin is not None and twin.kind == POSITIONAL:
            yield NON_BREAKING, f'parameter "{param.name}" is no longer keyword-only'
        if twin is not None:
            yield from _compare_param(param, twin)
    for param in gone:
        yield BREAKING, f'keyword-only parameter "{param.name}" removed'
    for param in fresh:
        yield _added(param)


def _renamed(old: Param, new: Param) -> Iterator[Finding]:
    # Positional-only names cannot be passed by keyword, so renaming one breaks no caller.
    hidden = old.kind == new.kind == POSITIONAL_ONLY
    yield NON_BREAKING if hidden else BREAKING, f'parameter "{old.name}" renamed to "{new.name}"'
    yield from _compare_param(old, new)


def _added(param: Param) -> Finding:
    where = "keyword-only parameter" if param.kind == KEYWORD_ONLY else "parameter"
    if param.default is None:
        return BREAKING, f'required {where} "{param.name}" added'
    return NON_BREAKING, f'{where} "{param.name}" added with default {param.default}'


def _compare_param(old: Param, new: Param) -> Iterator[Finding]:
    """Kind, default and annotation of one parameter found on both sides."""
    name = f'parameter "{new.name}"'
    if old.kind == POSITIONAL and new.kind == POSITIONAL_ONLY:
        yield BREAKING, f"{name} became positional-only"
    elif old.kind == POSITIONAL_ONLY and new.kind == POSITIONAL:
        yield NON_BREAKING, f"{name} is no longer positional-only"
    if old.default is not None and new.default is None:
        yield BREAKING, f"{name} lost its default {old.default}"
    elif old.default is None and new.default is not None:
        yield NON_BREAKING, f"{name} gained default {new.default}"
    elif old.default != new.default:
        yield NON_BREAKING, f"default of {name} changed {old.default} → {new.default}"
    if old.annotation != new.annotation:
        was, now = _shown(old.annotation), _shown(new.annotation)
        yield NON_BREAKING, f"annotation of {name} changed {was} → {now}"


def _compare_star(star: str, was: str | None, now: str | None) -> Iterator[Finding]:
    if was and not now:
        yield BREAKING, f"{star}{was} removed"
    elif now and not was:
        yield NON_BREAKING, f"{star}{now} added"


def _shown(text: str | None) -> str:
    return "(none)" if text is None else text
