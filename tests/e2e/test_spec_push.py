"""Pushes end to end: a push to a spec repository's default branch re-evaluates the open pull
requests of a repository extending it (in another installation), and a push changing a branch's
policy re-evaluates the pull requests into that branch; serve, two workers, Redis and the
simulator are real."""

from __future__ import annotations

from typing import Any

import pytest
from redis import Redis

from bot.evaluation.ports import RepoRef
from bot.state.dependents import RedisSpecDependents
from tests.builders import file_entry
from tests.e2e.harness import INSTALLATION, OWNER, REPO, Processes, audit_records, wait_until
from tests.ghsim import GitHubSimulator
from tests.ghsim.push import Pushed, push_payload

pytestmark = pytest.mark.e2e
OTHER_INSTALLATION = 4712


def records(app: Processes, repo: str, number: int) -> list[dict[str, Any]]:
    found = audit_records(app.env["REDIS_URL"], number)
    return [r for r in found if r["repository"] == repo]


def our_checks(sim: GitHubSimulator, owner: str, name: str, head: str) -> list[Any]:
    return [r for r in sim.check_runs(owner, name, head) if r.name == "review-tiers"]


def test_a_spec_push_re_evaluates_a_dependent_in_another_installation(
    sim: GitHubSimulator, app: Processes
) -> None:
    sim.add_repo("acme", "spec", installation_id=INSTALLATION)
    sim.set_file("acme", "spec", "main", "review-tiers.yml", "version: 1\n")
    sim.add_installation(OTHER_INSTALLATION)
    sim.add_repo("other", "web", installation_id=OTHER_INSTALLATION)
    head = "5" * 40
    files = [file_entry("src/app.py", 3, numbered=True)]
    sim.add_pull("other", "web", 5, author="dev", head_sha=head, files=files)
    # What an evaluation of other/web records once its policy extends acme/spec.
    dependents = RedisSpecDependents(Redis.from_url(app.env["REDIS_URL"]))
    dependents.record("acme/spec", RepoRef(OTHER_INSTALLATION, "other", "web"))
    sim.set_file("acme", "spec", "main", "review-tiers.yml", "version: 1\nmode: enforce\n")
    pushed = Pushed(modified=["review-tiers.yml"])
    reply = app.deliver("push", push_payload(sim.store, "acme", "spec", "main", pushed))
    assert reply.status_code == 202
    wait_until(lambda: our_checks(sim, "other", "web", head), 30, "the dependent's check")
    [record] = wait_until(lambda: records(app, "other/web", 5), 30, "its audit record")
    assert record["head_sha"] == head and record["outcome"] == "evaluated"
    assert any(d == reply.request.headers["X-GitHub-Delivery"] for d in record["deliveries"])


def test_a_policy_push_re_evaluates_the_pulls_into_its_branch(
    sim: GitHubSimulator, app: Processes
) -> None:
    files = [file_entry("billing/ledger.py", 3, "amount = float(x)", numbered=True)]
    sim.add_pull(OWNER, REPO, 41, author="dev", head_sha="4" * 40, files=files)
    sim.add_pull(OWNER, REPO, 42, author="dev", head_sha="2" * 40, base_ref="release", files=files)
    pushed = Pushed(modified=[".github/review-tiers.yml"])
    reply = app.deliver("push", push_payload(sim.store, OWNER, REPO, "main", pushed))
    assert reply.status_code == 202
    wait_until(lambda: records(app, f"{OWNER}/{REPO}", 41), 30, "the evaluation of #41")
    assert our_checks(sim, OWNER, REPO, "4" * 40)
    line = "push to main: 1 of 1 open pull request(s) queued"
    wait_until(lambda: any(line in ln for ln in app.log_lines()), 30, "the push job's line")
    assert not records(app, f"{OWNER}/{REPO}", 42)  # into release: its policy did not change


def test_a_push_changing_nothing_a_pull_is_judged_by_is_ignored(
    sim: GitHubSimulator, app: Processes
) -> None:
    pushed = Pushed(modified=["README.md", "src/app.py"])
    reply = app.deliver("push", push_payload(sim.store, OWNER, REPO, "feature", pushed))
    assert reply.status_code == 200
    assert reply.json() == {
        "status": "ignored",
        "reason": "push: no policy or CODEOWNERS file changed",
    }
