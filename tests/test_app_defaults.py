"""The App's decisions on edge cases and defaults, through the pipeline and the shared fake."""

from __future__ import annotations

from tests.test_pipeline import make_port, run


def test_a_pull_request_with_no_changed_file_has_nothing_to_classify() -> None:
    port = make_port([], config=None)
    record = run(port)
    assert record.tier == "L1"
    assert port.pulls[7].labels == ("tier/L1", "size/XS")
    summary = port.checks["h1"]["review-tiers"].output.summary
    assert "- `empty` no file changed: nothing to classify" in summary
    assert "low-risk" not in summary
