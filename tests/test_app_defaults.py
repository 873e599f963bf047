"""The App's decisions on edge cases and defaults, through the pipeline and the shared fake."""

from __future__ import annotations

from bot.evaluation.ports import ReviewInfo
from tests.builders import file_entry as entry
from tests.test_pipeline import make_port, run


def test_a_pull_request_with_no_changed_file_has_nothing_to_classify() -> None:
    port = make_port([], config=None)
    record = run(port)
    assert record.tier == "L1"
    assert port.pulls[7].labels == ("tier/L1", "size/XS")
    summary = port.checks["h1"]["review-tiers"].output.summary
    assert "- `empty` no file changed: nothing to classify" in summary
    assert "low-risk" not in summary


INVARIANT_ONLY = """version: 1
invariants:
  - id: money-is-integer-cents
    statement: Monetary amounts are integer cents, never floats.
    paths: ["billing/**"]
    patterns: ['\\bfloat\\b']
    owners: ["@acme/payments"]
"""


def test_l3_without_its_own_reviewers_asks_l2s_group_and_the_area_owners() -> None:
    port = make_port([entry("billing/ledger.py", 3, "amount = float(x)")], INVARIANT_ONLY)
    port.contents[("main", ".github/CODEOWNERS")] = "billing/ @acme/backend\n"
    assert run(port).tier == "L3"
    summary = port.checks["h1"]["review-tiers"].output.summary
    assert "- [ ] team review: 0/1 approvals (@acme/backend)" in summary
    assert "- [ ] owner @acme/payments (money-is-integer-cents): 0/1 approvals" in summary
    assert "anyone with write access" not in summary
    assert set(port.pulls[7].requested_teams) == {"acme/backend", "acme/payments"}
    # One approval from anyone with write access no longer completes L3.
    port.roles["other"] = "write"
    port.reviews[7] = [ReviewInfo("other", "APPROVED", "h1")]
    run(port)
    assert port.checks["h1"]["review-tiers"].output.status == "in_progress"
    port.reviews[7] += [
        ReviewInfo("backer", "APPROVED", "h1"),
        ReviewInfo("payer", "APPROVED", "h1"),
    ]
    run(port)
    assert port.checks["h1"]["review-tiers"].output.conclusion == "success"
