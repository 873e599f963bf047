"""Classify the changes to an OpenAPI interface as breaking or non-breaking, element by element.

``compare_openapi`` reads both sides of each file (OpenAPI 3.0 or 3.1, YAML or JSON), resolves
local ``$ref``s and reports one sentence per change. The rules are oasdiff's: what its
``breaking`` command reports (errors and warnings) is breaking here, what only its changelog
reports is not. In short:

- breaking: a path, operation or webhook removed; a parameter or request body removed; a new
  required parameter, path parameter, request body or request property; an optional one made
  required; a response status, media type, header or property removed; a type or format
  changed or narrowed in a request (a new or lower maximum, a higher minimum, a new pattern,
  an enum value removed, a new enum) or widened in a response (a higher maximum, a type added,
  a property made optional or nullable); a parameter's default changed.
- non-breaking: anything added that nobody must send, widened requests, narrowed responses,
  deprecations, operation ids, tags, security and servers. Descriptions, summaries, examples
  and ``x-`` extensions are not compared at all.

Where this module differs from oasdiff, on purpose:

- A value added to a response enum (an oasdiff warning) is non-breaking, and says it is a
  warning; a value removed from a response enum (oasdiff: informational) is breaking.
- Removing any response status is breaking, not only a success status.
- Removing a deprecated operation is breaking too: deprecation dates are not read.
- ``allOf`` members are merged into one property list before comparing, so an ``allOf`` member
  added or removed shows as the properties and constraints it brings or takes.
- Any change to ``oneOf``, ``anyOf``, ``not``, callbacks, or a keyword without a rule here
  (``if``/``then``, ``patternProperties``, ...) is breaking, in either direction.
- A type changed to ``string`` in a media type that is not JSON is breaking like any other type
  change; oasdiff lets it pass there, since such bodies carry text anyway.
- A component is compared once, not once per operation using it, and rated for every
  direction it is read in; an unused one both ways. A removed component is breaking only in a
  file without paths, which other files may refer to.

Remote references are compared by their text, never fetched. Swagger 2.0 files and files that
are neither an OpenAPI document nor a schema are compared as a whole: any change is breaking. A
side over 1 MB of YAML or 32 MB of JSON raises ``ContractParseError`` instead of being read.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.core.interfaces.openapi_components import compare_components, is_library
from bot.core.interfaces.openapi_keywords import show
from bot.core.interfaces.openapi_load import Tree, document_kind, load_side
from bot.core.interfaces.openapi_operations import compare_paths
from bot.core.interfaces.openapi_parts import under
from bot.core.interfaces.openapi_refs import Finding, Spec, findings
from bot.core.interfaces.openapi_schema import Comparison, Level, compare_schema
from bot.core.interfaces.openapi_usage import component_usage
from bot.core.severity import BREAKING, NON_BREAKING, InterfaceChange

__all__ = ["compare_openapi"]

_TOP_LEVEL = (("servers", "servers changed"), ("security", "security requirements changed"))


def compare_openapi(
    before: Mapping[str, str], after: Mapping[str, str]
) -> tuple[InterfaceChange, ...]:
    """Every change between the two sides of an interface's files, by file, then element."""
    changes: list[InterfaceChange] = []
    for path in sorted(before.keys() | after.keys()):
        if before.get(path) == after.get(path):
            # The same text on both sides is the same contract, whatever a parser makes of it.
            continue
        old = load_side(path, "before", before[path]) if path in before else {}
        new = load_side(path, "after", after[path]) if path in after else {}
        found = sorted(set(_compare_documents(old, new)), key=lambda f: (f.order, f.what))
        changes += [InterfaceChange(path, f.severity, f.what) for f in found]
    return tuple(changes)


def _compare_documents(old: Tree, new: Tree) -> list[Finding]:
    if old == new:
        return []
    kinds = document_kind(old), document_kind(new)
    if kinds == ("openapi", "openapi"):
        return _compare_openapi(old, new)
    if not old or not new:
        severity, state = (NON_BREAKING, "added") if not old else (BREAKING, "removed")
        return [Finding(("0",), severity, f"{_describe(old or new)} {state}")]
    if kinds == ("schema", "schema"):
        cmp = Comparison(Spec(old), Spec(new))
        notes = under("", compare_schema(cmp, old, new, Level("both")))
        return findings(("0",), "schema", notes)
    what = f"{_describe(old)} changed to {_describe(new)}, compared as a whole"
    return [Finding(("0",), BREAKING, what)]


def _compare_openapi(old: Tree, new: Tree) -> list[Finding]:
    cmp = Comparison(Spec(old), Spec(new))
    found = _top_level(old, new)
    found += compare_paths(cmp, "paths")
    found += compare_paths(cmp, "webhooks")
    if old.get("components") != new.get("components"):
        usages = component_usage(cmp.old), component_usage(cmp.new)
        library = is_library(old) and is_library(new)
        found += compare_components(cmp, usages, library)
    return found


def _top_level(old: Tree, new: Tree) -> list[Finding]:
    found: list[Finding] = []
    if old and new and old.get("openapi") != new.get("openapi"):
        what = f"openapi version changed {show(old.get('openapi'))} → {show(new.get('openapi'))}"
        found.append(Finding(("0",), NON_BREAKING, what))
    for key, what in _TOP_LEVEL:
        if old.get(key) != new.get(key):
            found.append(Finding(("0",), NON_BREAKING, what))
    return found


def _describe(tree: Tree) -> str:
    if not tree:
        return "an empty document"
    kind = document_kind(tree)
    if kind == "opaque" and "swagger" in tree:
        return f"a Swagger {show(tree.get('swagger'))} document"
    if kind == "opaque":
        return "a document that is not OpenAPI 3"
    return "a schema" if kind == "schema" else f"an OpenAPI {show(tree.get('openapi'))} document"
