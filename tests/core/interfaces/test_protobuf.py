"""Protobuf contracts compared across real consecutive releases of googleapis-common-protos."""

from __future__ import annotations

import pytest

from bot.core.interfaces.protobuf import compare_protobuf
from bot.core.severity import InterfaceChange
from tests.core.interfaces.proto_sources import CLIENT, GAPI, OPS, B, N, compare_text, edit, real


def test_real_releases_of_googleapis_common_protos() -> None:
    def side(release: str, *paths: str) -> dict[str, str]:
        return {path: real(f"{GAPI}/{release}", path) for path in paths}

    api = "google/api/client.proto"
    rpc = ("google/rpc/error_details.proto", "google/rpc/status.proto")
    before = side("1.66.0", api, "google/longrunning/operations.proto", *rpc)
    after = side("1.69.1", api, "google/longrunning/operations_proto.proto", *rpc)
    ops_members = (
        "package google.longrunning; messages CancelOperationRequest, DeleteOperationRequest, "
        "GetOperationRequest, ListOperationsRequest, ListOperationsResponse, Operation, "
        "OperationInfo, WaitOperationRequest; services Operations; "
        "extensions extend google.protobuf.MethodOptions"
    )
    assert compare_protobuf(before, after) == (
        InterfaceChange(api, N, 'message GoSettings: field 2 "renamed_services" added'),
        InterfaceChange(
            api,
            N,
            'message PythonSettings.ExperimentalFeatures: field 3 "unversioned_package_disabled"'
            " added",
        ),
        InterfaceChange(
            api, N, 'message SelectiveGapicGeneration: field 2 "generate_omitted_as_internal" added'
        ),
        InterfaceChange("google/longrunning/operations.proto", B, f"file removed: {ops_members}"),
        InterfaceChange(
            "google/longrunning/operations_proto.proto", N, f"file added: {ops_members}"
        ),
        InterfaceChange(rpc[0], N, 'message BadRequest.FieldViolation: field 3 "reason" added'),
        InterfaceChange(
            rpc[0], N, 'message BadRequest.FieldViolation: field 4 "localized_message" added'
        ),
    )


def test_a_renamed_file_compared_in_place_gained_a_generated_class_prefix() -> None:
    before = real(f"{GAPI}/1.66.0", "google/longrunning/operations.proto")
    # Reformatted, imports reordered, a default option dropped: only the new prefix counts.
    assert compare_text(before, OPS) == [(B, 'file option objc_class_prefix set to "GLRUN"')]


@pytest.mark.parametrize(
    ("old", "new", "path", "expected"),
    [
        ("1.69.1", "1.70.0", "google/rpc/error_details.proto", [
            (N, f'message QuotaFailure.Violation: field {n} "{name}" added')
            for n, name in enumerate(
                ["api_service", "quota_metric", "quota_id", "quota_dimensions", "quota_value",
                 "future_quota_value"], start=3,
            )
        ]),
        ("1.71.0", "1.72.0", "google/gapic/metadata/gapic_metadata.proto", [
            (N, 'message GapicMetadata.ServiceForTransport: field 2 "api_version" added'),
        ]),
        ("1.66.0", "1.69.1", "google/rpc/status.proto", []),
    ],
    ids=["fields added to a nested message", "field added with comments rewritten", "no change"],
)  # fmt: skip
def test_consecutive_releases(
    old: str, new: str, path: str, expected: list[tuple[str, str]]
) -> None:
    assert compare_text(real(f"{GAPI}/{old}", path), real(f"{GAPI}/{new}", path)) == expected


def test_a_new_file_lists_what_it_declares() -> None:
    path = "google/cloud/common_resources.proto"
    added = compare_protobuf({}, {path: real(f"{GAPI}/1.72.0", path)})
    assert added == (InterfaceChange(path, N, "file added: package google.cloud"),)


def test_a_removed_file_is_one_breaking_change() -> None:
    path = "google/rpc/status.proto"
    removed = compare_protobuf({path: real(f"{GAPI}/1.69.1", path)}, {})
    assert removed == (
        InterfaceChange(path, B, "file removed: package google.rpc; messages Status"),
    )


def test_changes_come_by_path_then_in_declaration_order_and_repeat_exactly() -> None:
    client = edit(
        CLIENT,
        ("  GEO = 6;", ""),
        ("message GoSettings {", "message GoSettings {\n  string region = 9;"),
    )
    ops = edit(OPS, ("  bool done = 3;", "  bool done = 3;\n  string owner = 7;"))
    sides = ({"b.proto": OPS, "a.proto": CLIENT}, {"b.proto": ops, "a.proto": client})
    assert compare_protobuf(*sides) == (
        InterfaceChange("a.proto", N, 'message GoSettings: field 9 "region" added'),
        InterfaceChange("a.proto", B, 'enum ClientLibraryOrganization: value 6 "GEO" removed'),
        InterfaceChange("b.proto", N, 'message Operation: field 7 "owner" added'),
    )
    assert compare_protobuf(*sides) == compare_protobuf(*sides)
