"""`review-tiers evaluate` reads both versions of invariant files to skip comments (``match``)."""

from __future__ import annotations

import pytest

from tests.builders import ScratchRepo
from tests.test_evaluate import SPEC_CONFIG, codes, run_json

LEDGER = '''"""Ledger totals.

Amounts are integer cents.
"""


def total(cents: list[int]) -> int:
    return sum(cents)
'''


def with_match(scratch: ScratchRepo, match: str) -> str:
    text = SPEC_CONFIG.read_text(encoding="utf-8")
    config = text.replace(
        'owners: ["@acme/payments"]', f'owners: ["@acme/payments"]\n    match: {match}'
    )
    assert config != text
    path = scratch.root.parent / f"config-{match}.yml"
    path.write_text(config, encoding="utf-8")
    return str(path)


def commented(scratch: ScratchRepo, name: str) -> None:
    scratch.write(name, LEDGER)
    scratch.commit("ledger")
    scratch.branch("comment")
    after = LEDGER.replace("integer cents.", "integer cents, never a float.")
    scratch.write(name, after.replace("sum(cents)", "sum(cents)  # no float: exact"))
    scratch.commit("comment")


@pytest.mark.parametrize(("match", "touched"), [("code", False), ("all", True)])
def test_float_only_in_a_docstring_and_a_comment(
    scratch: ScratchRepo, capsys: pytest.CaptureFixture[str], match: str, touched: bool
) -> None:
    commented(scratch, "billing/ledger.py")
    result = run_json(scratch, capsys, "--config", with_match(scratch, match))
    assert (result["invariants"] == ["money-is-integer-cents"]) is touched
    assert ("invariant" in codes(result)) is touched
    assert "invariant-fallback" not in codes(result)


def test_default_match_reads_code_on_a_real_checkout(
    scratch: ScratchRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    commented(scratch, "billing/ledger.py")
    result = run_json(scratch, capsys, "--config", str(SPEC_CONFIG))
    assert result["invariants"] == []


def test_an_unknown_extension_is_matched_whole_and_says_so(
    scratch: ScratchRepo, capsys: pytest.CaptureFixture[str]
) -> None:
    commented(scratch, "billing/ledger.zzunknown")
    result = run_json(scratch, capsys, "--config", str(SPEC_CONFIG))
    assert result["invariants"] == ["money-is-integer-cents"]
    fallback = [r["message"] for r in result["reasons"] if r["code"] == "invariant-fallback"]
    assert len(fallback) == 1 and "no lexer knows its file name" in fallback[0]
