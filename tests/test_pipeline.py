"""The pipeline against the shared fake port: converge, overrides, comments, approvals, errors."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.core.grants import Anchor
from bot.evaluation.pipeline import evaluate_pull
from bot.evaluation.ports import LabelEvent, PullInfo, RepoRef, ReviewInfo
from bot.evaluation.record import RunInfo
from bot.ops.errors import PermanentGitHubError, TransientGitHubError
from tests.builders import file_entry as entry
from tests.fakes import FakeGrantStore, FakePort

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


def run(port: FakePort, actor: str | None = None, store: FakeGrantStore | None = None):
    return evaluate_pull(port, REPO, 7, RunInfo("d-1", (actor,)), store or FakeGrantStore())


def add_label(port: FakePort, store: FakeGrantStore, label: str, actor: str, delivery: str) -> None:
    """A person adds a label: GitHub records the issue event, the intake records the claim."""
    pull = port.pulls[7]
    port.pulls[7] = replace(pull, labels=(*pull.labels, label))
    port.label_actors[7] = [e for e in port.label_actors.get(7, []) if e.label != label]
    port.label_actors[7].append(LabelEvent(label, actor))
    store.claim(7, label, Anchor(pull.head_sha, pull.base_ref), actor, delivery)


def push(port: FakePort, head: str, files: list[dict[str, object]]) -> None:
    port.pulls[7] = replace(port.pulls[7], head_sha=head)
    port.files[7] = files


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
    port, store = make_port([entry("billing/ledger.py", 3, "float(x)")]), FakeGrantStore()
    port.roles = {"writer": "write", "lead": "maintain"}
    add_label(port, store, "tier-override/L2", "writer", "d-w")
    record = run(port, store=store)
    assert record.tier == "L3"
    assert "tier-override/L2" not in port.pulls[7].labels
    body = next(iter(port.comments[7].values()))
    assert "@writer" in body and "`write`" in body
    assert store.records[7]["tier-override/L2"].state == "refused"
    # The label is gone now; the explanation stays (it is state, not text read back), and
    # the next run writes nothing.
    port.calls.clear()
    run(port, store=store)
    assert port.writes() == [] and next(iter(port.comments[7].values())) == body
    # Editing the comment changes nothing the App decides.
    (comment_id,) = port.comments[7]
    port.comments[7][comment_id] = body.replace("@writer", "@lead")
    assert run(port, store=store).tier == "L3"
    # Applied again by a maintainer: honoured, and the old explanation goes.
    add_label(port, store, "tier-override/L2", "lead", "d-l")
    assert run(port, store=store).tier == "L2"
    assert port.comments[7] == {}


def test_override_by_maintainer_lowers_the_tier() -> None:
    port, store = make_port([entry("billing/ledger.py", 3, "float(x)")]), FakeGrantStore()
    port.roles["lead"] = "maintain"
    add_label(port, store, "tier-override/L2", "lead", "d-l")
    record = run(port, store=store)
    assert (record.tier, record.computed_tier) == ("L2", "L3")
    override = record.overrides[0]
    assert (override["actor"], override["role"], override["head_sha"]) == ("lead", "maintain", "h1")
    assert override["honoured"] and override["state"] == "granted"
    summary = port.checks["h1"]["review-tiers"].output.summary
    assert "`tier-override/L2` granted by @lead (maintain) on h1 at 2026-05-04" in summary


def test_an_override_is_judged_on_the_role_github_gives_now_not_a_cached_one() -> None:
    port, store = make_port([entry("billing/ledger.py", 3, "float(x)")]), FakeGrantStore()
    port.cached_roles["lead"] = "maintain"  # looked up a minute ago
    port.roles["lead"] = "read"  # revoked since
    add_label(port, store, "tier-override/L2", "lead", "d-l")
    record = run(port, store=store)
    assert record.tier == "L3" and store.records[7]["tier-override/L2"].state == "refused"


def test_push_suspends_an_override_and_adding_it_again_renews_it() -> None:
    port, store = make_port([entry("docs/guide.md", 3)]), FakeGrantStore()
    port.roles["lead"] = "maintain"
    port.check_states = {"h1": {"lint": "success"}, "h2": {"lint": "success"}}
    add_label(port, store, "tier-override/L1", "lead", "d-1")
    assert run(port, store=store).tier == "L1"
    assert port.checks["h1"]["review-tiers"].output.conclusion == "success"
    push(port, "h2", [entry("billing/refunds.py", 3, "amount = float(x)")])
    record = run(port, store=store)
    assert (record.tier, record.computed_tier) == ("L3", "L3")
    assert "grant-suspended" in [r["code"] for r in record.reasons]
    assert record.overrides[0]["state"] == "suspended" and not record.overrides[0]["honoured"]
    assert "tier-override/L1" not in port.pulls[7].labels
    output = port.checks["h2"]["review-tiers"].output
    assert output.conclusion != "success" and "`grant-suspended`" in output.summary
    assert "granted by @lead on h1, but the head is now h2" in output.summary
    body = next(iter(port.comments[7].values()))
    assert "grant-suspended" in body and "Add the label again to renew it" in body
    # A redelivery of the old labeled delivery cannot revive the grant on the new head.
    store.claim(7, "tier-override/L1", Anchor("h1", "main"), "lead", "d-1")
    port.pulls[7] = replace(port.pulls[7], labels=(*port.pulls[7].labels, "tier-override/L1"))
    assert run(port, store=store).tier == "L3"
    assert "tier-override/L1" not in port.pulls[7].labels
    # Adding the label again on the new head renews the grant.
    add_label(port, store, "tier-override/L1", "lead", "d-2")
    record = run(port, store=store)
    assert (record.tier, record.computed_tier) == ("L1", "L3")
    assert "granted by @lead (maintain) on h2" in port.checks["h2"]["review-tiers"].output.summary
    assert port.comments[7] == {}


def test_a_retarget_suspends_an_override_but_the_base_moving_forward_does_not() -> None:
    # The head is unmoved, but the diff against the new base shows the billing change.
    port, store = make_port([entry("docs/guide.md", 3)]), FakeGrantStore()
    port.pulls[7] = replace(port.pulls[7], base_ref="feature-x", base_sha="bx")
    port.roles["lead"] = "maintain"
    port.check_states = {"h1": {"lint": "success"}}
    add_label(port, store, "tier-override/L1", "lead", "d-1")
    assert run(port, store=store).tier == "L1"
    # Others' merges move the base branch forward: the grant stays.
    port.pulls[7] = replace(port.pulls[7], base_sha="bx2")
    assert run(port, store=store).tier == "L1"
    assert "tier-override/L1" in port.pulls[7].labels
    port.pulls[7] = replace(port.pulls[7], base_ref="main", base_sha="b1")
    port.files[7] = [entry("docs/guide.md", 3), entry("billing/refunds.py", 3, "x = float(y)")]
    record = run(port, store=store)
    assert (record.tier, record.computed_tier) == ("L3", "L3")
    assert "grant-suspended" in [r["code"] for r in record.reasons]
    assert record.overrides[0]["base_ref"] == "feature-x" and not record.overrides[0]["honoured"]
    assert "tier-override/L1" not in port.pulls[7].labels
    output = port.checks["h1"]["review-tiers"].output
    assert output.conclusion != "success" and "`grant-suspended`" in output.summary
    assert "against base `feature-x`, but the pull request now targets `main`" in output.summary
    # Adding the label again against the new base renews it.
    add_label(port, store, "tier-override/L1", "lead", "d-2")
    assert run(port, store=store).tier == "L1"


def test_push_suspends_a_size_exception() -> None:
    port, store = make_port([entry("src/app.py", 1600, numbered=True)]), FakeGrantStore()
    port.roles["lead"] = "admin"
    add_label(port, store, "size-exception", "lead", "d-1")
    run(port, store=store)
    assert port.checks["h1"]["review-tiers"].output.conclusion != "failure"
    push(port, "h2", [entry("src/app.py", 1700, numbered=True)])
    record = run(port, store=store)
    assert "grant-suspended" in [r["code"] for r in record.reasons]
    assert port.checks["h2"]["review-tiers"].output.conclusion == "failure"
    assert "size-exception" not in port.pulls[7].labels


def test_label_without_a_grant_record_counts_as_suspended() -> None:
    port = make_port([entry("billing/ledger.py", 3, "float(x)")])
    port.roles["lead"] = "maintain"
    port.pulls[7] = replace(port.pulls[7], labels=("tier-override/L2",))
    port.label_actors[7] = [LabelEvent("tier-override/L2", "lead")]  # state lost
    record = run(port)
    assert record.tier == "L3" and "tier-override/L2" not in port.pulls[7].labels
    assert "grant-suspended" in [r["code"] for r in record.reasons]
    assert "fetch_role" not in [c[0] for c in port.calls]


def test_a_claim_for_an_earlier_addition_grants_nothing() -> None:
    port, store = make_port([entry("billing/ledger.py", 3, "float(x)")]), FakeGrantStore()
    port.roles = {"lead": "maintain", "writer": "write"}
    add_label(port, store, "tier-override/L2", "lead", "d-1")
    # The writer re-added it at the same head and that delivery never arrived: the issue
    # events name the writer, so the maintainer's claim describes an earlier addition.
    port.label_actors[7] = [LabelEvent("tier-override/L2", "writer")]
    assert run(port, store=store).tier == "L3"


def test_the_role_is_looked_up_once_per_grant() -> None:
    port, store = make_port([entry("billing/ledger.py", 3, "float(x)")]), FakeGrantStore()
    port.roles["lead"] = "maintain"
    add_label(port, store, "tier-override/L2", "lead", "d-1")
    run(port, store=store)
    run(port, store=store)
    assert [c for c in port.calls if c[0] == "fetch_role"] == [("fetch_role", ("lead",))]


def test_a_claim_recorded_during_the_run_is_not_overwritten() -> None:
    port, store = make_port([entry("billing/ledger.py", 3, "float(x)")]), FakeGrantStore()
    port.roles["lead"] = "maintain"
    add_label(port, store, "tier-override/L2", "lead", "d-1")
    port.pulls[7] = replace(port.pulls[7], head_sha="h2")
    newer = store.records[7]["tier-override/L2"]
    original_load = store.load

    def load_then_claim(repo: RepoRef, number: int):
        loaded = original_load(repo, number)
        store.records[7]["tier-override/L2"] = replace(newer, delivery_id="d-2", head_sha="h2")
        return loaded

    store.load = load_then_claim  # type: ignore[method-assign]
    record = run(port, store=store)
    assert record.tier == "L3"  # not counted on this run...
    assert "tier-override/L2" in port.pulls[7].labels  # ...but not removed: the next run decides
    assert store.records[7]["tier-override/L2"].delivery_id == "d-2"


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


def test_permanent_error_text_is_redacted_in_the_check() -> None:
    from bot.ops.redaction import forget_secrets, register_secret

    register_secret("hook-secret-value")
    jwt = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOjF9.c2lnbmF0dXJl"
    port = make_port([entry("src/app.py", 3)], config=None)
    echoed = f"bad ghs_{'a' * 36} {jwt} hook-secret-value Authorization: token v1.{'f' * 40}"
    port.fail("fetch_files", PermanentGitHubError(echoed))
    try:
        record = run(port)
    finally:
        forget_secrets()
    output = port.checks["h1"]["review-tiers"].output
    for leaked in ("ghs_", jwt, "hook-secret-value", "v1.fff"):
        assert leaked not in output.summary + output.title
    assert "[redacted]" in output.summary and record.outcome.startswith("failed")


def test_permanent_error_is_reported_in_the_check() -> None:
    port = make_port([entry("src/app.py", 3)], config=None)
    port.fail("fetch_files", PermanentGitHubError("GitHub answered 422: diff too large"))
    record = run(port)
    assert record.outcome.startswith("failed: ")
    output = port.checks["h1"]["review-tiers"].output
    assert output.conclusion == "failure" and "diff too large" in output.summary
