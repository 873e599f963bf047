"""Override grants and redaction end to end: signed deliveries, serve and workers, the simulator."""

from __future__ import annotations

import json

import pytest

from tests.e2e.harness import OWNER, REPO, SECRET, Processes, audit_records, wait_until
from tests.e2e.test_app import (
    entry,
    labels,
    latest_check,
    open_pull,
    pull_event,
    wait_evaluations,
)
from tests.ghsim import GitHubSimulator

pytestmark = pytest.mark.e2e

OVERRIDE = "tier-override/L1"


def add_override(
    sim: GitHubSimulator, app: Processes, number: int, head: str, base: str = "main"
) -> None:
    """The maintainer adds the label: GitHub records it and sends the signed delivery."""
    sim.add_label(OWNER, REPO, number, OVERRIDE, actor="lead")
    event = pull_event(
        number,
        "labeled",
        head,
        sender__login="lead",
        label__name=OVERRIDE,
        pull_request__base__ref=base,
    )
    assert app.deliver("pull_request", event).status_code == 202


def codes(record: dict) -> list[str]:
    return [r["code"] for r in record["reasons"]]


def test_a_push_suspends_an_override_and_adding_it_again_renews_it(
    sim: GitHubSimulator, app: Processes
) -> None:
    head = open_pull(sim, app, 201, [entry("docs/guide.md", 3)])
    sim.add_check_run(OWNER, REPO, head, "lint")
    add_override(sim, app, 201, head)
    granted = wait_evaluations(app, 201, 2)[-1]
    wait_until(lambda: latest_check(sim, head).conclusion == "success", 30, "L1 success")
    assert granted["tier"] == "L1" and granted["overrides"][0]["state"] == "granted"
    assert (
        f"`{OVERRIDE}` granted by @lead (maintain) on" in latest_check(sim, head).output["summary"]
    )

    # The author pushes an invariant-touching commit: the grant does not follow the head.
    new_head = "9" * 40
    sim.push(OWNER, REPO, 201, new_head, files=[entry("billing/refunds.py", 3, "x = float(y)")])
    sim.add_check_run(OWNER, REPO, new_head, "lint")
    app.deliver("pull_request", pull_event(201, "synchronize", new_head))
    suspended = wait_evaluations(app, 201, 3)[-1]
    assert (suspended["tier"], suspended["computed_tier"]) == ("L3", "L3")
    assert "grant-suspended" in codes(suspended)
    check = latest_check(sim, new_head)
    assert check.conclusion != "success" and check.output["title"].startswith("L3")
    assert "`grant-suspended`" in check.output["summary"]
    wait_until(lambda: OVERRIDE not in labels(sim, 201), 10, "the label removed")
    (comment,) = sim.pull(OWNER, REPO, 201).comments
    assert "`grant-suspended`" in comment.body and "renew" in comment.body

    # A labeled delivery naming the first head (a late one) cannot revive the grant.
    add_override(sim, app, 201, head)
    stale = wait_evaluations(app, 201, 4)[-1]
    assert stale["tier"] == "L3" and "grant-suspended" in codes(stale)
    wait_until(lambda: OVERRIDE not in labels(sim, 201), 10, "the label removed again")

    # Adding it again on the new head is the renewal.
    add_override(sim, app, 201, new_head)
    renewed = wait_evaluations(app, 201, 5)[-1]
    assert (renewed["tier"], renewed["computed_tier"]) == ("L1", "L3")
    assert renewed["overrides"][0]["head_sha"] == new_head
    wait_until(lambda: latest_check(sim, new_head).conclusion == "success", 30, "renewed L1")


def test_a_retarget_suspends_an_override(sim: GitHubSimulator, app: Processes) -> None:
    # The billing change sits on branch develop; the pull request first targets develop, so
    # its diff is docs only, and the maintainer grants L1 on that diff.
    for path in (".github/review-tiers.yml", ".github/CODEOWNERS"):
        sim.set_file(OWNER, REPO, "develop", path, sim.repo(OWNER, REPO).files["main"][path])
    head = "5" * 40
    docs = entry("docs/guide.md", 3)
    sim.add_pull(OWNER, REPO, 203, author="dev", head_sha=head, base_ref="develop", files=[docs])
    sim.add_check_run(OWNER, REPO, head, "lint")
    opened = pull_event(203, "opened", head, pull_request__base__ref="develop")
    assert app.deliver("pull_request", opened).status_code == 202
    wait_evaluations(app, 203, 1)
    add_override(sim, app, 203, head, base="develop")
    granted = wait_evaluations(app, 203, 2)[-1]
    assert granted["tier"] == "L1" and granted["overrides"][0]["base_ref"] == "develop"

    # The author retargets to main: the head stays, the diff now holds the billing change.
    billing = entry("billing/refunds.py", 3, "x = float(y)")
    sim.retarget(OWNER, REPO, 203, "main", files=[docs, billing])
    changes = {"base": {"ref": {"from": "develop"}, "sha": {"from": "0" * 40}}}
    edited = pull_event(203, "edited", head, changes=changes, pull_request__base__ref="main")
    assert app.deliver("pull_request", edited).status_code == 202
    suspended = wait_evaluations(app, 203, 3)[-1]
    assert (suspended["tier"], suspended["computed_tier"]) == ("L3", "L3")
    assert "grant-suspended" in codes(suspended)
    wait_until(lambda: latest_check(sim, head).conclusion != "success", 30, "check not success")
    summary = latest_check(sim, head).output["summary"]
    assert "against base `develop`, but the pull request now targets `main`" in summary
    wait_until(lambda: OVERRIDE not in labels(sim, 203), 10, "the label removed")


def test_github_error_text_is_redacted_everywhere(
    sim: GitHubSimulator, app: Processes, keys: tuple[str, str]
) -> None:
    token = "ghs_" + "R3d4ct" * 6
    jwt = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiI0NzExIn0.c2lnbmF0dXJlLWJ5dGVzLWhlcmU"
    echoed = f"Validation Failed: {token} {jwt} {SECRET} Authorization: token v1.{'ab' * 20}"
    head = "7" * 40
    sim.add_pull(OWNER, REPO, 202, author="dev", head_sha=head, files=[entry("src/app.py", 2)])
    sim.inject("GET", r"/pulls/202/files", status=422, times=1, body={"message": echoed})
    app.deliver("pull_request", pull_event(202, "opened", head))
    (record,) = wait_evaluations(app, 202, 1)
    check = latest_check(sim, head)
    assert check.conclusion == "failure" and "Validation Failed" in check.output["summary"]
    texts = {
        "check": json.dumps(check.output),
        "audit": json.dumps(audit_records(app.env["REDIS_URL"], 202)),
        "logs": "\n".join(line for line in app.log_lines() if "202" in line),
    }
    assert "Validation Failed" in texts["logs"]
    for where, text in texts.items():
        for leaked in (token, jwt, SECRET, "v1.abab"):
            assert leaked not in text, (where, leaked)
    assert record["outcome"].startswith("failed")
