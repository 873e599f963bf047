"""The interface detectors, one per kind: the only place that maps a kind to its detector.

Both the classification of a change (``classify_interface_change``) and the choice of files
whose before/after contents are fetched for it (``interface_paths_needing_contents``, used by
the App and by ``review-tiers evaluate``) ask this registry, and the config accepts exactly
the kinds registered here, in this order. A kind that is not registered stays on the safe
side: any change to a matched path touches the interface.

Adding an interface kind, say ``protobuf`` parsed rather than matched by path:

1. Write ``bot/core/interfaces/protobuf.py`` with ``classify_protobuf_change(change,
   versions) -> InterfaceVerdict``. Use the shared reason codes and helpers of
   ``verdict.py`` (``touched_by``, ``unparsable``, ``unreadable``) and, when ``versions`` is
   None, fall back on the changed lines (``hunks.py``), as the Python and OpenAPI detectors do.
2. End that module with ``DETECTOR = Detector("protobuf", Needs.CONTENTS,
   classify_protobuf_change)``; declare ``Needs.HUNKS`` or ``Needs.PATHS`` instead when the
   detector reads only the changed lines or only the path (no contents are fetched then).
3. List ``protobuf.DETECTOR`` in ``BUILT_IN`` below, in place of ``path_only("protobuf")``
   (a brand-new kind goes before ``generic``). The config schema accepts the kind from then on.
4. Test the module in ``tests/core/test_interfaces_protobuf.py`` and document any new reason
   code in ``docs/reasons.md``; the registry tests check that contents reach the detector.
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
