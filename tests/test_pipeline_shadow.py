"""Shadow mode through the pipeline: a neutral check and no other write, by policy or process."""

from __future__ import annotations

from dataclasses import replace

from bot.core.models import Mode
from bot.evaluation.pipeline import evaluate_pull
from bot.evaluation.ports import ReviewInfo
from bot.evaluation.record import Record, RunInfo
from tests.builders import file_entry as entry
from tests.fakes import FakeGrantStore, FakePort
from tests.test_pipeline import REPO, SPEC_CONFIG, add_label, make_port, run

SHADOW_CONFIG = SPEC_CONFIG + "mode: shadow\n"
INVARIANT = [entry("billing/ledger.py", 3, "amount = float(x)")]
RECHECK = "review-tiers/recheck"


def run_in(port: FakePort, mode: Mode, store: FakeGrantStore | None = None) -> Record:
    info = RunInfo("d-1", (None,), mode=mode)
    return evaluate_pull(port, REPO, 7, info, store or FakeGrantStore())


def check(port: FakePort, head: str = "h1"):
    return port.checks[head]["review-tiers"].output


def test_policy_shadow_writes_only_a_neutral_check() -> None:
    port = make_port([*INVARIANT, entry("src/app.py", 450)], config=SHADOW_CONFIG)
    record = run(port)
    assert [w[0] for w in port.writes()] == ["create_check_run"]
    output = check(port)
    assert (output.status, output.conclusion) == ("completed", "neutral")
    assert output.title == "Shadow: would be L3 (architecture review)"
    assert "`mode: shadow` in the configuration file" in output.summary
    assert "money-is-integer-cents" in output.summary and "0/1 approvals" in output.summary
    assert port.pulls[7].labels == () and port.pulls[7].requested_teams == ()
    assert record.tier == "L3" and record.reasons
    assert (record.mode, record.shadow_by) == ("shadow", ["policy"])
    assert (record.check_status, record.check_conclusion) == ("completed", "neutral")
    port.calls.clear()
    assert run(port).actions == [] and port.writes() == []


def test_process_shadow_applies_whatever_the_policy_says() -> None:
    port = make_port(INVARIANT)
    record = run_in(port, Mode.SHADOW)
    assert [w[0] for w in port.writes()] == ["create_check_run"]
    assert check(port).conclusion == "neutral"
    assert "`REVIEW_TIERS_MODE=shadow` in the App's environment" in check(port).summary
    assert (record.mode, record.shadow_by) == ("shadow", ["process"])
    assert run_in(make_port(INVARIANT), Mode.ENFORCE).mode == "enforce"


def test_progress_updates_the_neutral_check() -> None:
    port = make_port(INVARIANT, config=SHADOW_CONFIG)
    run(port)
    port.reviews[7] = [ReviewInfo("arch", "APPROVED", "h1"), ReviewInfo("payer", "APPROVED", "h1")]
    port.check_states["h1"] = {"lint": "success", "test": "success"}
    port.calls.clear()
    run(port)
    assert [w[0] for w in port.writes()] == ["update_check_run"]
    assert "would be **success**: L3: requirements met" in check(port).summary


def test_shadow_keeps_what_is_there_but_takes_off_the_recheck_label() -> None:
    port = make_port(INVARIANT)
    store = FakeGrantStore()
    run(port, store=store)  # enforced first: labels, requests
    port.comments[7] = {99: "<!-- review-tiers:sticky -->\nold"}
    port.contents[("main", ".github/review-tiers.yml")] = SHADOW_CONFIG
    pull = port.pulls[7]
    port.pulls[7] = replace(pull, labels=(*pull.labels, "tier/L1", "size/XXL"))
    add_label(port, store, RECHECK, "dev", "d-r")
    add_label(port, store, "tier-override/L2", "writer", "d-w")  # refused: no role
    port.calls.clear()
    run(port, store=store)
    # The enforced run left an open check on this head: it is completed as neutral in place.
    assert [w[0] for w in port.writes()] == ["update_check_run", "remove_label"]
    assert port.writes()[1] == ("remove_label", (7, RECHECK))
    assert check(port).conclusion == "neutral"
    assert "tier/L1" in port.pulls[7].labels and "tier-override/L2" in port.pulls[7].labels
    assert 99 in port.comments[7]


def test_switching_back_to_enforce_converges() -> None:
    port = make_port([*INVARIANT, entry("src/app.py", 450)], config=SHADOW_CONFIG)
    run(port)
    port.contents[("main", ".github/review-tiers.yml")] = SPEC_CONFIG
    port.calls.clear()
    record = run(port)
    kinds = [w[0] for w in port.writes()]
    assert kinds == ["create_check_run", "add_labels", "request_reviewers", "create_comment"]
    assert check(port).status == "in_progress" and record.mode == "enforce"
    assert set(port.pulls[7].labels) == {"tier/L3", "size/L"}
    port.calls.clear()
    assert run(port).actions == [] and port.writes() == []


def test_an_invalid_file_cannot_shadow_itself_but_the_process_can() -> None:
    broken = "version: 1\nmode: shadow\nsize: {soft_limit: {lines: many}}\n"
    port = make_port(INVARIANT, config=broken)
    record = run(port)
    assert check(port).conclusion == "failure" and record.mode == "enforce"
    port = make_port(INVARIANT, config=broken)
    record = run_in(port, Mode.SHADOW)
    output = check(port)
    assert (output.conclusion, output.title) == ("neutral", "Shadow: Invalid configuration")
    assert "size.soft_limit.lines" in output.summary
    assert [w[0] for w in port.writes()] == ["create_check_run"]
    assert (record.outcome, record.mode) == ("invalid config", "shadow")
