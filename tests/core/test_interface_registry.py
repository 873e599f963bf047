"""The detector registry: one detector per kind, the config's kinds, and who gets contents."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bot.core.blast import interface_paths_needing_contents
from bot.core.config import Interface
from bot.core.interfaces import classify_interface_change, openapi, python_change, registry
from bot.core.interfaces.detector import Detector, Needs, any_change, path_only
from bot.core.models import FileChange
from bot.core.policy import parse_policy
from bot.core.schema import policy_schema

KINDS = ("python", "openapi", "protobuf", "graphql", "sql", "generic")


def config_with_kind(kind: str) -> str:
    return f"version: 1\ninterfaces:\n  - {{id: i, kind: {kind}, paths: ['x/**']}}\n"


def test_the_config_accepts_exactly_the_registered_kinds_in_order() -> None:
    assert registry.registered_kinds() == KINDS
    item = policy_schema()["properties"]["interfaces"]["items"]  # type: ignore[index]
    assert tuple(item["properties"]["kind"]["enum"]) == KINDS


@pytest.mark.parametrize("kind", [*KINDS, "avro"])
def test_a_config_kind_is_valid_when_it_is_registered(kind: str) -> None:
    result = parse_policy(config_with_kind(kind))

    assert (result.policy is not None) == (kind in registry.registered_kinds()), result.problems


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_the_config_accepts_has_its_own_detector(kind: str) -> None:
    detector = registry.detector_for(kind)

    assert detector.kind == kind
    assert detector in registry.BUILT_IN


def test_contract_kinds_compare_contents_and_generic_is_path_only() -> None:
    assert registry.detector_for("python") is python_change.DETECTOR
    assert registry.detector_for("openapi") is openapi.DETECTOR
    needs = {kind: registry.detector_for(kind).needs for kind in KINDS}
    assert needs == {
        "python": Needs.CONTENTS,
        "openapi": Needs.CONTENTS,
        "protobuf": Needs.CONTENTS,
        "graphql": Needs.CONTENTS,
        "sql": Needs.CONTENTS,
        "generic": Needs.PATHS,
    }


def test_a_kind_registered_twice_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "_DETECTORS", dict(registry._DETECTORS))

    with pytest.raises(ValueError, match="'python' is already registered"):
        registry.register(Detector("python", Needs.PATHS, path_only("python").classify))

    assert registry.detector_for("python") is python_change.DETECTOR


def test_an_unknown_kind_is_touched_by_any_change_and_needs_no_contents() -> None:
    change = FileChange("schemas/user.avsc")

    assert classify_interface_change("avro", change, None) == any_change("avro", change)
    assert not registry.needs_contents("avro")
    assert "avro" not in registry.registered_kinds()


def test_contents_are_wanted_for_every_kind_whose_detector_needs_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(registry, "_DETECTORS", dict(registry._DETECTORS))
    registry.register(Detector("thrift", Needs.CONTENTS, path_only("thrift").classify))
    registry.register(Detector("avro", Needs.HUNKS, path_only("avro").classify))
    files = [FileChange(path) for path in ("idl/a.thrift", "idl/b.avsc", "src/m.py", "db/s.sql")]
    interfaces = [
        Interface(id=kind, kind=kind, paths=(pattern,), owners=("@o",))
        for kind, pattern in (
            ("thrift", "idl/*.thrift"),
            ("avro", "idl/*.avsc"),
            ("python", "src/*.py"),
            ("sql", "db/*.sql"),
        )
    ]

    assert interface_paths_needing_contents(files, interfaces) == (
        "idl/a.thrift",
        "src/m.py",
        "db/s.sql",
    )


def test_a_detector_module_is_imported_only_when_its_kind_is_asked_for() -> None:
    script = (
        "import sys\n"
        "import bot.cli\n"
        "from bot.core.interfaces import registry\n"
        "parsers = ('sqlglot', 'graphql', 'proto_schema_parser')\n"
        "print(sorted(m for m in parsers if m in sys.modules))\n"
        "registry.needs_contents('sql')\n"
        "print(sorted(m for m in parsers if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.splitlines() == ["[]", "['sqlglot']"]
