"""The pipeline against the shared fake port: converge, overrides, comments, approvals, errors."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.errors import PermanentGitHubError, TransientGitHubError
from bot.pipeline import RunInfo, evaluate_pull
from bot.ports import LabelEvent, PullInfo, RepoRef, ReviewInfo
from tests.builders import file_entry as entry
from tests.fakes import FakePort

REPO = RepoRef(1, "acme", "shop")
SPEC_CONFIG = (Path(__file__).parent / "fixtures" / "configs" / "spec-example.yml").read_text()


def make_port(files: list[dict[str, object]], config: str | None = SPEC_CONFIG) -> FakePort:
    port = FakePort()
    port.pulls[7] = PullInfo(
        number=7,
        state="open",
        draft=False,
        author="dev",
        title="t",
        body="",
        head_sha="h1",
        base_ref="main",
        base_sha="b1",
        labels=(),
        requested_users=(),
        requested_teams=(),
    )
    port.files[7] = files
    if config is not None:
        port.contents[("main", ".github/review-tiers.yml")] = config
    port.teams = {
        "acme/architects": ("arch",),
        "acme/payments": ("payer",),
        "acme/backend": ("backer",),
    }
    return port


def run(port: FakePort, actor: str | None = None):
    return evaluate_pull(port, REPO, 7, RunInfo("d-1", (actor,)))


def test_invariant_pr_first_run_then_no_writes() -> None:
    port = make_port([entry("billing/ledger.py", 3, "amount = float(x)")])
    record = run(port)
    assert record.tier == "L3"
    kinds = [w[0] for w in port.writes()]
    assert kinds == ["create_check_run", "add_labels", "request_reviewers"]
    assert port.pulls[7].labels == ("tier/L3", "size/XS")
    assert set(port.pulls[7].requested_teams) == {"acme/architects", "acme/payments"}
    check = port.checks["h1"]["review-tiers"].output
    assert check.status == "in_progress" and "money-is-integer-cents" in check.summary
    assert "0/1 approvals" in check.summary
    port.calls.clear()
    assert run(port).actions == [] and port.writes() == []


def test_approvals_from_every_group_complete_the_check() -> None:
    port = make_port([entry("billing/ledger.py", 3, "amount = float(x)")])
    run(port)
    port.reviews[7] = [ReviewInfo("arch", "APPROVED", "h1"), ReviewInfo("payer", "APPROVED", "h1")]
    run(port)
    assert port.checks["h1"]["review-tiers"].output.title == "L3: waiting for 2 check(s)"
    port.check_states["h1"] = {"lint": "success", "test": "success"}
    run(port)
    output = port.checks["h1"]["review-tiers"].output
    assert (output.status, output.conclusion) == ("completed", "success")
    # A push invalidates approvals (L3 has invalidate_on_push in the SPEC example).
    port.pulls[7] = replace(port.pulls[7], head_sha="h2")
    run(port)
    assert port.checks["h2"]["review-tiers"].output.status == "in_progress"


def test_author_and_read_only_approvals_never_count() -> None:
    port = make_port([entry("src/app.py", 3)], config=None)
    port.reviews[7] = [ReviewInfo("dev", "APPROVED", "h1")]
    run(port)
    assert port.checks["h1"]["review-tiers"].output.status == "in_progress"
    port.reviews[7].append(ReviewInfo("passer-by", "APPROVED", "h1"))
    port.roles["passer-by"] = "read"
    run(port)
    assert port.checks["h1"]["review-tiers"].output.status == "in_progress"
    port.reviews[7].append(ReviewInfo("other", "APPROVED", "h1"))
    port.roles["other"] = "write"
    run(port)
    assert port.checks["h1"]["review-tiers"].output.conclusion == "success"


def test_sticky_comment_lifecycle() -> None:
    port = make_port([entry("src/app.py", 450)], config=None)
    run(port)
    assert len(port.comments[7]) == 1
    port.files[7] = [entry("src/app.py", 460)]
    run(port)
    assert [w[0] for w in port.writes()].count("create_comment") == 1
    assert [w[0] for w in port.writes()].count("edit_comment") == 1
    port.files[7] = [entry("src/app.py", 10)]
    run(port)
    assert port.comments[7] == {}


def test_override_by_writer_is_removed_and_explained() -> None:
    port = make_port([entry("billing/ledger.py", 3, "float(x)")])
    port.pulls[7] = replace(port.pulls[7], labels=("tier-override/L2",))
    port.label_actors[7] = [LabelEvent("tier-override/L2", "writer")]
    port.roles["writer"] = "write"
    record = run(port)
    assert record.tier == "L3"
    assert "tier-override/L2" not in port.pulls[7].labels
    body = next(iter(port.comments[7].values()))
    assert "@writer" in body and "`write`" in body
    # The label is gone now; the explanation stays, and the next run writes nothing.
    port.calls.clear()
    run(port)
    assert port.writes() == [] and next(iter(port.comments[7].values())) == body
    # Applied again by a maintainer: honoured, and the old explanation goes.
    port.pulls[7] = replace(port.pulls[7], labels=(*port.pulls[7].labels, "tier-override/L2"))
    port.label_actors[7] = [LabelEvent("tier-override/L2", "lead")]
    port.roles["lead"] = "maintain"
    assert run(port).tier == "L2"
    assert port.comments[7] == {}


def test_override_by_maintainer_lowers_the_tier() -> None:
    port = make_port([entry("billing/ledger.py", 3, "float(x)")])
    port.pulls[7] = replace(port.pulls[7], labels=("tier-override/L2",))
    port.label_actors[7] = [LabelEvent("tier-override/L2", "lead")]
    port.roles["lead"] = "maintain"
    record = run(port)
    assert (record.tier, record.computed_tier) == ("L2", "L3")
    assert record.overrides[0]["actor"] == "lead" and record.overrides[0]["honoured"]
    assert "lead" in port.checks["h1"]["review-tiers"].output.summary


def test_invalid_config_fails_the_check_with_path_and_line() -> None:
    port = make_port([entry("src/app.py", 3)], config="version: 1\ntiers:\n  L9: {}\n")
    record = run(port)
    assert record.outcome == "invalid config"
    output = port.checks["h1"]["review-tiers"].output
    assert output.conclusion == "failure" and "line 3" in output.summary
    assert "tiers.L9" in output.summary
    port.calls.clear()
    run(port)
    assert port.writes() == []


def test_org_config_is_the_fallback() -> None:
    port = make_port([entry("src/app.py", 3)], config=None)
    port.org_config = "version: 1\nsize:\n  soft_limit: {lines: 1, files: 1}\n"
    record = run(port)
    assert record.config == "acme/.github review-tiers.yml"
    assert len(port.comments[7]) == 1


def test_draft_gets_the_check_but_no_requests() -> None:
    port = make_port([entry("src/app.py", 3)], config=None)
    port.pulls[7] = replace(port.pulls[7], draft=True)
    port.contents[("main", ".github/CODEOWNERS")] = "* @acme/backend\n"
    run(port)
    assert "request_reviewers" not in [w[0] for w in port.writes()]
    assert "create_check_run" in [w[0] for w in port.writes()]


def test_recheck_label_is_removed() -> None:
    port = make_port([entry("src/app.py", 3)], config=None)
    port.pulls[7] = replace(port.pulls[7], labels=("review-tiers/recheck",))
    run(port)
    assert "review-tiers/recheck" not in port.pulls[7].labels


def test_recheck_comment_needs_write_access() -> None:
    port = make_port([entry("src/app.py", 3)], config=None)
    port.roles = {"reader": "read", "writer": "write"}
    assert run(port, actor="reader").outcome.startswith("skipped")
    assert port.writes() == []
    assert run(port, actor="writer").outcome == "evaluated"


def test_transient_error_on_the_check_propagates() -> None:
    port = make_port([entry("src/app.py", 3)], config=None)
    port.fail("create_check_run", TransientGitHubError("502", retry_after=None))
    with pytest.raises(TransientGitHubError):
        run(port)


def test_secondary_failure_is_logged_and_marked_for_retry() -> None:
    port = make_port([entry("src/app.py", 3)], config=None)
    port.fail("add_labels", TransientGitHubError("502"))
    record = run(port)
    assert record.retry and record.failures and record.failures[0].startswith("add_labels")
    assert "create_check_run" in [w[0] for w in port.writes()]


def test_closed_pull_is_skipped() -> None:
    port = make_port([entry("src/app.py", 3)], config=None)
    port.pulls[7] = replace(port.pulls[7], state="closed")
    assert run(port).outcome.startswith("skipped") and port.writes() == []


def test_permanent_error_is_reported_in_the_check() -> None:
    port = make_port([entry("src/app.py", 3)], config=None)
    port.fail("fetch_files", PermanentGitHubError("GitHub answered 422: diff too large"))
    record = run(port)
    assert record.outcome.startswith("failed: ")
    output = port.checks["h1"]["review-tiers"].output
    assert output.conclusion == "failure" and "diff too large" in output.summary
