"""The real .proto files the protobuf tests start from, and helpers to edit and compare them."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.interfaces.protobuf import compare_protobuf

FIXTURES = Path(__file__).parents[2] / "fixtures" / "contracts" / "protobuf"
B, N = "breaking", "non-breaking"


def real(release: str, path: str) -> str:
    """A fixture file: ``release`` is its folder (package/version), ``path`` its wheel path."""
    return (FIXTURES / release / path).read_text(encoding="utf-8")


GAPI = "googleapis-common-protos"
OPS = real(f"{GAPI}/1.69.1", "google/longrunning/operations_proto.proto")
CLIENT = real(f"{GAPI}/1.69.1", "google/api/client.proto")
DETAILS = real(f"{GAPI}/1.70.0", "google/rpc/error_details.proto")
DESCRIPTOR = real("grpcio-tools/1.76.0", "google/protobuf/descriptor.proto")
BASES = {"ops": OPS, "client": CLIENT, "details": DETAILS, "descriptor": DESCRIPTOR}


def compare_text(before: str, after: str) -> list[tuple[str, str]]:
    """The (severity, what) pairs for one file changed from ``before`` to ``after``."""
    return [(c.severity, c.what) for c in compare_protobuf({"a.proto": before}, {"a.proto": after})]


def edit(base: str, *pairs: tuple[str, str]) -> str:
    """``base`` with each (old, new) replacement made; each old text must occur once."""
    for old, new in pairs:
        assert base.count(old) == 1, old
        base = base.replace(old, new)
    return base


def swap(base: str, old: str, new: str) -> str:
    """``base`` with its one occurrence of ``old`` replaced by ``new``."""
    return edit(base, (old, new))


def case(name: str, before: str, after: str, *expected: tuple[str, str]) -> object:
    """One comparison for a table of edits: both sides and the changes, in order."""
    return pytest.param(before, after, list(expected), id=name)
