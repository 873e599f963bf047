"""Recovery end to end: deliveries that failed while the web process was down are redelivered
through GitHub's delivery log, and open pull requests are evaluated again after Redis lost its
data; serve, two workers, Redis and the simulator are real, the recovery period short."""

from __future__ import annotations

import signal
from typing import Any

import pytest
import requests
from redis import Redis

from tests.builders import file_entry
from tests.e2e.harness import (
    OWNER,
    REPO,
    Processes,
    audit_records,
    payload,
    wait_until,
)
from tests.ghsim import GitHubSimulator

pytestmark = pytest.mark.e2e
RECOVERY_SECONDS = 3


@pytest.fixture(scope="module")
def app_settings() -> dict[str, str]:
    return {"REVIEW_TIERS_RECOVERY_SECONDS": str(RECOVERY_SECONDS)}


def pull_event(number: int, event: str, action: str, head: str) -> dict[str, Any]:
    return payload(
        f"{event}.{action}",
        pull_request__number=number,
        pull_request__state="open",
        pull_request__head__sha=head,
    )


def add_pull(sim: GitHubSimulator, number: int) -> str:
    head = f"{number:040x}"
    files = [file_entry("billing/ledger.py", 3, "amount = float(x)", numbered=True)]
    sim.add_pull(OWNER, REPO, number, author="dev", head_sha=head, files=files)
    return head


def our_checks(sim: GitHubSimulator, head: str) -> list[Any]:
    return [r for r in sim.check_runs(OWNER, REPO, head) if r.name == "review-tiers"]


def stop_web(app: Processes) -> None:
    web = app.procs[0]
    web.send_signal(signal.SIGTERM)
    web.wait(10)
    app.procs.remove(web)


def start_web(app: Processes) -> None:
    app.start("web", name="web-again")

    def ready() -> bool:
        try:
            return requests.get(f"{app.url}/readyz", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    wait_until(ready, 20, "the web process to come back")


def test_deliveries_that_failed_while_the_web_was_down_are_redelivered(
    sim: GitHubSimulator, app: Processes
) -> None:
    head = add_pull(sim, 301)
    assert (
        sim.deliver("pull_request", pull_event(301, "pull_request", "opened", head)).status_code
        == 202
    )
    wait_until(lambda: our_checks(sim, head), 30, "the first evaluation")
    for ctx in ("lint", "test"):
        sim.add_check_run(OWNER, REPO, head, ctx)
    stop_web(app)
    # Approvals arrive while nothing listens: GitHub logs the deliveries as failed. Only these
    # deliveries tell of them: the head did not move and the last evaluation is minutes old.
    failed = []
    for user in ("arch", "payer"):
        sim.add_review(OWNER, REPO, 301, user, "APPROVED", commit_id=head)
        review = pull_event(301, "pull_request_review", "submitted", head)
        review["sender"]["login"] = review["review"]["user"]["login"] = user  # distinct bodies
        failed.append(sim.deliver("pull_request_review", review))
    new_head = add_pull(sim, 302)
    failed.append(sim.deliver("pull_request", pull_event(302, "pull_request", "opened", new_head)))
    assert [d.status_code for d in failed] == [502, 502, 502]
    start_web(app)
    wait_until(lambda: our_checks(sim, head)[0].conclusion == "success", 60, "approvals counted")
    wait_until(lambda: our_checks(sim, new_head), 60, "the new pull request evaluated")
    sim.settle_redeliveries()
    redone = {d.guid for d in sim.deliveries() if d.redelivery and d.status_code == 202}
    assert {d.guid for d in failed} <= redone
    assert len(our_checks(sim, head)) == 1 and len(our_checks(sim, new_head)) == 1


def test_lost_redis_data_is_recovered_by_the_open_pull_scan(
    sim: GitHubSimulator, app: Processes
) -> None:
    heads = {number: add_pull(sim, number) for number in (311, 312)}
    for number, head in heads.items():
        sim.deliver("pull_request", pull_event(number, "pull_request", "opened", head))
        wait_until(lambda h=head: our_checks(sim, h), 30, f"#{number} evaluated")
    # Pushes whose events were queued when Redis lost everything: only the scan finds them.
    moved = {number: f"{number + 1000:040x}" for number in heads}
    for number, head in moved.items():
        sim.push(OWNER, REPO, number, head)
    Redis.from_url(app.env["REDIS_URL"]).flushdb()
    for number, head in moved.items():
        wait_until(lambda h=head: our_checks(sim, h), 60, f"#{number}'s new head evaluated")
    records = audit_records(app.env["REDIS_URL"])
    # An evaluation of an old head may finish after the flush; the new heads are what matter.
    recovered = [r for r in records if moved.get(r["pull_number"]) == r["head_sha"]]
    assert recovered and all(d.startswith("recovery:") for r in recovered for d in r["deliveries"])
    for head in [*heads.values(), *moved.values()]:
        assert len(our_checks(sim, head)) == 1
