"""`review-tiers evaluate` rates interface changes on a real repository: JSON, text, markdown."""

from __future__ import annotations

import json

import pytest

from bot.cli import main
from tests.builders import ScratchRepo

CONFIG = """version: 1
interfaces:
  - id: orders-api
    kind: protobuf
    paths: ["proto/**/*.proto"]
    owners: ["@acme/api"]
"""
ORDER = """syntax = "proto3";
package acme.orders.v1;

message Order {
  string id = 1;
  int64 amount = 2;
}
"""


def _evaluate(scratch: ScratchRepo, capsys: pytest.CaptureFixture[str], after: str) -> dict:
    scratch.write(".github/review-tiers.yml", CONFIG)
    scratch.write("proto/acme/orders.proto", ORDER)
    scratch.commit("orders api")
    scratch.branch("change")
    scratch.write("proto/acme/orders.proto", after)
    scratch.commit("change")
    capsys.readouterr()
    assert main(["evaluate", "--repo", str(scratch.root), "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def test_a_changed_field_type_is_a_breaking_interface_change(scratch, capsys) -> None:
    result = _evaluate(scratch, capsys, ORDER.replace("int64 amount", "double amount"))

    assert result["interfaces"] == ["orders-api"] and result["tier"] == "L3"
    [change] = result["interface_changes"]
    assert change["interface"] == "orders-api"
    assert change["path"] == "proto/acme/orders.proto"
    assert change["severity"] == "breaking"
    assert "amount" in change["what"] and "double" in change["what"]


def test_an_added_field_is_a_non_breaking_interface_change(scratch, capsys) -> None:
    added = ORDER.replace("  int64 amount = 2;\n", "  int64 amount = 2;\n  string note = 3;\n")
    result = _evaluate(scratch, capsys, added)
    assert [c["severity"] for c in result["interface_changes"]] == ["non-breaking"]


def test_a_comment_only_change_touches_no_interface(scratch, capsys) -> None:
    result = _evaluate(scratch, capsys, ORDER.replace("message Order", "// Orders.\nmessage Order"))
    assert result["interfaces"] == [] and result["interface_changes"] == []


def test_text_and_markdown_list_changes_with_severity(scratch, capsys) -> None:
    _evaluate(scratch, capsys, ORDER.replace("  int64 amount = 2;\n", ""))
    for fmt, needle in (("text", "[breaking] orders-api"), ("markdown", "**breaking**")):
        assert main(["evaluate", "--repo", str(scratch.root), "--format", fmt]) == 0
        assert needle in capsys.readouterr().out


BREAKING_ONLY = """version: 1
interfaces:
  - {id: orders-api, kind: protobuf, paths: ["proto/**"], escalate: breaking}
  - {id: schema, kind: sql, paths: ["db/**"], escalate: breaking}
  - {id: sdk, kind: python, paths: ["sdk/**"], escalate: breaking}
tiers:
  L1:
    when: {only_paths: ["proto/**", "db/**", "sdk/**"], max_size: null}
"""
SDK = "def pay(amount: int) -> None:\n    pass\n"
CASES = {
    "optional field": (
        "proto/acme/orders.proto",
        ORDER,
        ORDER.replace("  int64", "  string note = 3;\n  int64"),
    ),
    "removed field": ("proto/acme/orders.proto", ORDER, ORDER.replace("  int64 amount = 2;\n", "")),
    "nullable column": ("db/0002.sql", None, "ALTER TABLE orders ADD COLUMN note text;\n"),
    "dropped column": ("db/0002.sql", None, "ALTER TABLE orders DROP COLUMN amount;\n"),
    "optional parameter": (
        "sdk/pay.py",
        SDK,
        SDK.replace("amount: int", "amount: int, note: str = ''"),
    ),
    "removed parameter": ("sdk/pay.py", SDK, SDK.replace("amount: int", "")),
}


@pytest.mark.parametrize(
    ("case", "tier", "element"),
    [
        ("optional field", "L2", None),
        ("removed field", "L3", "amount"),
        ("nullable column", "L2", None),
        ("dropped column", "L3", "amount"),
        ("optional parameter", "L2", None),
        ("removed parameter", "L3", "amount"),
    ],
)
def test_escalate_breaking_keeps_additive_changes_at_l2(
    scratch, capsys, case: str, tier: str, element: str | None
) -> None:
    path, before, after = CASES[case]
    scratch.write(".github/review-tiers.yml", BREAKING_ONLY)
    scratch.write("README.md", "orders\n")
    if before is not None:
        scratch.write(path, before)
    scratch.commit("base")
    scratch.branch("change")
    scratch.write(path, after)
    scratch.commit("change")
    capsys.readouterr()
    assert main(["evaluate", "--repo", str(scratch.root), "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)

    assert result["tier"] == tier, result["reasons"]
    codes = {r["code"] for r in result["reasons"]}
    if tier == "L2":
        # Non-breaking, so no L3; a contract change, so never L1 however the paths match.
        assert "interface-additive" in codes and "interface-breaking" not in codes
    else:
        named = [r["message"] for r in result["reasons"] if r["code"] == "interface-breaking"]
        assert named and any(element in m for m in named), named


def test_a_breaking_change_is_never_rated_below_an_additive_one(scratch, capsys) -> None:
    # With the L3 trigger off, breaking changes still keep at least L2, like additive ones.
    config = BREAKING_ONLY.replace("tiers:\n", "tiers:\n  L3:\n    when: {interfaces: false}\n")
    path, before, after = CASES["removed field"]
    scratch.write(".github/review-tiers.yml", config)
    scratch.write(path, before)
    scratch.commit("base")
    scratch.branch("change")
    scratch.write(path, after)
    scratch.commit("change")
    capsys.readouterr()
    assert main(["evaluate", "--repo", str(scratch.root), "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)

    assert result["tier"] == "L2", result["reasons"]
    assert "interface-breaking" in {r["code"] for r in result["reasons"]}


def test_escalate_any_keeps_every_touch_at_l3(scratch, capsys) -> None:
    added = ORDER.replace("  int64 amount = 2;\n", "  int64 amount = 2;\n  string note = 3;\n")
    result = _evaluate(scratch, capsys, added)
    assert result["tier"] == "L3" and "interface" in {r["code"] for r in result["reasons"]}
