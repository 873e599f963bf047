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
3. List ``avro.DETECTOR`` in ``BUILT_IN`` below, before ``generic``. The config accepts the kind
   from then on, and the App and ``review-tiers evaluate`` fetch contents for it.
4. Test the module in ``tests/core/interfaces/`` on real material in
   ``tests/fixtures/contracts/avro/`` (with a README saying where it came from); add the kind to
   ``KINDS`` in ``tests/core/test_interface_registry.py``.
"""

from __future__ import annotations

from bot.core.interfaces import graphql, openapi, protobuf, python_change, sql
from bot.core.interfaces.detector import Detector, Needs, path_only

BUILT_IN: tuple[Detector, ...] = (
    python_change.DETECTOR,
    openapi.DETECTOR,
    protobuf.DETECTOR,
    graphql.DETECTOR,
    sql.DETECTOR,
    path_only("generic"),
)

_DETECTORS: dict[str, Detector] = {}


def register(detector: Detector) -> None:
    """Add ``detector`` for its kind; a kind has one detector, so a second one is an error."""
    if detector.kind in _DETECTORS:
        raise ValueError(f"an interface detector for kind {detector.kind!r} is already registered")
    _DETECTORS[detector.kind] = detector


def detector_for(kind: str) -> Detector:
    """The detector of ``kind``; for an unknown kind, one that any change touches."""
    return _DETECTORS.get(kind) or path_only(kind)


def registered_kinds() -> tuple[str, ...]:
    """Every registered kind, in the order registered."""
    return tuple(_DETECTORS)


def needs_contents(kind: str) -> bool:
    """Whether interfaces of ``kind`` compare the before/after contents of their files."""
    return detector_for(kind).needs is Needs.CONTENTS


for _detector in BUILT_IN:
    register(_detector)
