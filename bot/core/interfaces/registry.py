"""The interface detectors, one per kind: the only place that maps a kind to its detector.

Both the classification of a change (``classify_interface_change``) and the choice of files
whose before/after contents are fetched for it (``interface_paths_needing_contents``, used by
the App and by ``review-tiers evaluate``) ask this registry, and the config accepts exactly
the kinds registered here, in this order. A kind that is not registered stays on the safe
side: any change to a matched path touches the interface.

Adding an interface kind, say ``avro`` parsed rather than matched by path (the protobuf,
graphql and sql modules were added this way):

1. Write ``bot/core/interfaces/avro.py`` with ``compare_avro(before, after) ->
   tuple[InterfaceChange, ...]`` (``bot/core/severity.py``): both sides of the interface's
   changed files as path → text, each change rated breaking or non-breaking with one sentence
   naming the element; raise ``ContractParseError`` for a side that cannot be read, and bound
   size and depth so hostile input fails closed in bounded time.
2. End that module with ``DETECTOR = compared("avro", compare_avro)`` (``merge=True`` when the
   files of one interface only make sense together, as a GraphQL schema split over files). A
   detector that decides touches itself (``python``, ``openapi``) is a ``Detector(kind,
   Needs.CONTENTS, classify, compare)``; one that reads only the changed lines or the path
   declares ``Needs.HUNKS`` or ``Needs.PATHS`` and gets no contents.
3. Add ``"avro": "bot.core.interfaces.avro"`` to ``_BUILT_IN_MODULES`` below (``BUILT_IN`` lists
   their detectors, then ``generic``). The config accepts the kind from then on, and the App and
   ``review-tiers evaluate`` fetch contents for it; the module is imported when a policy first
   asks for the kind.
4. Test the module in ``tests/core/interfaces/`` on real material in
   ``tests/fixtures/contracts/avro/`` (with a README saying where it came from); add the kind to
   ``KINDS`` in ``tests/core/test_interface_registry.py``.
"""

from __future__ import annotations

from importlib import import_module

from bot.core.interfaces.detector import Detector, Needs, path_only

# The built-in kinds in order, each with the module whose ``DETECTOR`` classifies it. A module is
# imported the first time its kind is asked for: the parsers behind them (sqlglot, graphql-core,
# a protobuf parser) then cost nothing to a run whose policy declares no interface of that kind.
_BUILT_IN_MODULES: dict[str, str] = {
    "python": "bot.core.interfaces.python_change",
    "openapi": "bot.core.interfaces.openapi",
    "protobuf": "bot.core.interfaces.protobuf",
    "graphql": "bot.core.interfaces.graphql",
    "sql": "bot.core.interfaces.sql",
}
_GENERIC = path_only("generic")

# kind -> detector, in registration order; None for a built-in kind not imported yet.
_DETECTORS: dict[str, Detector | None] = {}


def _built_in(kind: str) -> Detector:
    detector = import_module(_BUILT_IN_MODULES[kind]).DETECTOR
    assert isinstance(detector, Detector) and detector.kind == kind, kind
    return detector


def __getattr__(name: str) -> tuple[Detector, ...]:
    # BUILT_IN: every built-in detector, which imports all their modules.
    if name == "BUILT_IN":
        return (*(_built_in(kind) for kind in _BUILT_IN_MODULES), _GENERIC)
    raise AttributeError(name)


def register(detector: Detector) -> None:
    """Add ``detector`` for its kind; a kind has one detector, so a second one is an error."""
    if detector.kind in _DETECTORS:
        raise ValueError(f"an interface detector for kind {detector.kind!r} is already registered")
    _DETECTORS[detector.kind] = detector


def detector_for(kind: str) -> Detector:
    """The detector of ``kind``; for an unknown kind, one that any change touches."""
    found = _DETECTORS.get(kind)
    if found is None and kind in _DETECTORS and kind in _BUILT_IN_MODULES:
        found = _DETECTORS[kind] = _built_in(kind)
    return found or path_only(kind)


def registered_kinds() -> tuple[str, ...]:
    """Every registered kind, in the order registered."""
    return tuple(_DETECTORS)


def needs_contents(kind: str) -> bool:
    """Whether interfaces of ``kind`` compare the before/after contents of their files."""
    return detector_for(kind).needs is Needs.CONTENTS


_DETECTORS.update(dict.fromkeys(_BUILT_IN_MODULES))
register(_GENERIC)
