"""A spec repository as a user lives it: acme/shop's policy extends acme/spec, a pull request
is judged by the spec's invariant, a commit to the spec re-evaluates it, and an unreadable spec
or a cycle of extends fails the check with a reason. Serve, two workers, Redis and the
simulator are real; nothing is written to Redis by the test."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from redis import Redis

from bot.evaluation.ports import RepoRef
from bot.state.dependents import RedisSpecDependents
from tests.builders import file_entry
from tests.e2e.harness import (
    INSTALLATION,
    OWNER,
    REPO,
    Processes,
    audit_records,
    payload,
    wait_until,
)
from tests.ghsim import GitHubSimulator
from tests.ghsim.push import Pushed, push_payload
from tests.ghsim.state import tip_sha

pytestmark = pytest.mark.e2e
OTHER_INSTALLATION = 4713
POLICY = ".github/review-tiers.yml"
SPEC = """version: 1
invariants:
  - id: ledger-is-append-only
    statement: Ledger rows are never updated or deleted.
    paths: ["billing/**"]
    owners: ["@acme/payments"]
tiers:
  L3:
    when: {invariants: true}
    reviewers: {teams: ["acme/architects"], required_approvals: 1}
"""
SPEC_WITHOUT_INVARIANT = """version: 1
tiers:
  L3:
    when: {invariants: true}
    reviewers: {teams: ["acme/architects"], required_approvals: 1}
"""


def checks(sim: GitHubSimulator, head: str) -> list[Any]:
    return [r for r in sim.check_runs(OWNER, REPO, head) if r.name == "review-tiers"]


def latest(sim: GitHubSimulator, head: str) -> Any:
    return max(checks(sim, head), key=lambda r: r.id)


def evaluations(app: Processes, number: int) -> list[dict[str, Any]]:
    found = audit_records(app.env["REDIS_URL"], number)
    return [r for r in found if r["repository"] == f"{OWNER}/{REPO}"]


def open_pull(sim: GitHubSimulator, app: Processes, number: int, base: str) -> str:
    """A pull request into ``base`` touching billing/, opened and evaluated once."""
    head = f"{number:040x}"
    files = [file_entry("billing/x.py", 3, numbered=True)]
    sim.add_pull(OWNER, REPO, number, author="dev", head_sha=head, base_ref=base, files=files)
    opened = payload(
        "pull_request.opened",
        pull_request__number=number,
        pull_request__state="open",
        pull_request__head__sha=head,
        pull_request__base__ref=base,
    )
    assert app.deliver("pull_request", opened).status_code == 202
    wait_until(lambda: evaluations(app, number), 30, f"the evaluation of #{number}")
    wait_until(lambda: checks(sim, head), 30, f"the check of #{number}")
    return head


def spec_repository(sim: GitHubSimulator) -> None:
    """acme/spec, in acme/shop's installation."""
    if ("acme", "spec") not in sim.store.repos:
        sim.add_repo("acme", "spec", installation_id=INSTALLATION)


def summary(sim: GitHubSimulator, head: str) -> str:
    return str(latest(sim, head).output["summary"])


def test_a_spec_invariant_judges_the_pull_and_a_spec_commit_re_evaluates_it(
    sim: GitHubSimulator, app: Processes
) -> None:
    spec_repository(sim)
    sim.set_file("acme", "spec", "main", "review-tiers.yml", SPEC)
    sim.set_file(OWNER, REPO, "main", POLICY, "version: 1\nextends: acme/spec\n")
    spec_sha = tip_sha(sim.repo("acme", "spec"), "main")

    head = open_pull(sim, app, 1, "main")
    assert set(sim.pull(OWNER, REPO, 1).labels) >= {"tier/L3"}
    text = summary(sim, head)
    assert "ledger-is-append-only" in text, text
    assert f"acme/spec@{spec_sha}:review-tiers.yml" in text, text
    # Written by that evaluation: what the push below fans out to.
    dependents = RedisSpecDependents(Redis.from_url(app.env["REDIS_URL"]))
    assert dependents.dependents("acme/spec") == [RepoRef(INSTALLATION, OWNER, REPO)]

    # The spec's maintainers drop the invariant: one commit, and GitHub's push delivery.
    sim.set_file("acme", "spec", "main", "review-tiers.yml", SPEC_WITHOUT_INVARIANT)
    new_sha = tip_sha(sim.repo("acme", "spec"), "main")
    assert new_sha != spec_sha
    start = len(sim.requests)
    pushed = Pushed(modified=["review-tiers.yml"])
    reply = app.deliver("push", push_payload(sim.store, "acme", "spec", "main", pushed))
    assert reply.status_code == 202, reply.text
    wait_until(lambda: len(evaluations(app, 1)) >= 2, 30, "the re-evaluation of #1")
    wait_until(lambda: "tier/L3" not in sim.pull(OWNER, REPO, 1).labels, 30, "a lower tier")
    text = summary(sim, head)
    assert "ledger-is-append-only" not in text, text
    assert f"acme/spec@{new_sha}:review-tiers.yml" in text, text
    assert evaluations(app, 1)[-1]["tier"] in ("L1", "L2")
    line = "push to main: 1 of 1 open pull request(s) queued"
    wait_until(lambda: any(line in ln for ln in app.log_lines()), 30, "the push job's line")
    spent = sim.requests[start:]
    by_route = Counter(f"{r.method} {r.template or r.path} {r.status}" for r in spent)
    print(f"\nGitHub requests of the spec push: {len(spent)}")
    for route, count in sorted(by_route.items()):
        print(f"  {count:3d}  {route}")


@pytest.mark.parametrize(
    ("branch", "spec_repo", "why"),
    [
        ("elsewhere", "other/spec", "installed there by another account"),
        ("nowhere", "ghost/spec", "not installed on this repository"),
    ],
)
def test_a_spec_the_installation_cannot_read_fails_the_check(
    sim: GitHubSimulator, app: Processes, branch: str, spec_repo: str, why: str
) -> None:
    if branch == "elsewhere":
        sim.add_installation(OTHER_INSTALLATION)
        sim.add_repo("other", "spec", private=True, installation_id=OTHER_INSTALLATION)
        sim.set_file("other", "spec", "main", "review-tiers.yml", SPEC)
    sim.set_file(OWNER, REPO, branch, POLICY, f"version: 1\nextends: {spec_repo}\n")
    number = 2 if branch == "elsewhere" else 3
    head = open_pull(sim, app, number, branch)
    wait_until(lambda: latest(sim, head).status == "completed", 30, "a completed check")
    check = latest(sim, head)
    assert check.conclusion == "failure", check
    text = summary(sim, head)
    assert spec_repo in text and why in text, text


def test_a_cycle_of_extends_fails_the_check_naming_the_key_and_line(
    sim: GitHubSimulator, app: Processes
) -> None:
    spec_repository(sim)
    sim.set_file(OWNER, REPO, "cycle", POLICY, "version: 1\nextends: acme/spec:cycle.yml\n")
    sim.set_file(
        "acme", "spec", "main", "cycle.yml", f"version: 1\nextends: {OWNER}/{REPO}:{POLICY}@cycle\n"
    )
    head = open_pull(sim, app, 4, "cycle")
    wait_until(lambda: latest(sim, head).status == "completed", 30, "a completed check")
    check = latest(sim, head)
    assert check.conclusion == "failure", check
    text = summary(sim, head)
    assert "extends" in text and "line 2" in text, text


def test_fixing_a_broken_spec_re_evaluates_a_repository_it_never_judged(
    sim: GitHubSimulator, app: Processes
) -> None:
    """acme/web starts extending a spec file with an error: its first evaluation fails, and
    the spec maintainers' fix must reach it though no evaluation of it ever succeeded."""
    spec_repository(sim)
    sim.add_repo("acme", "web", installation_id=INSTALLATION)
    sim.set_file("acme", "web", "main", POLICY, "version: 1\nextends: acme/spec:web.yml\n")
    sim.set_file("acme", "spec", "main", "web.yml", "version: 1\nsize: {hard_limit: nope}\n")
    head = "7" * 40
    files = [file_entry("src/app.py", 3, numbered=True)]
    sim.add_pull("acme", "web", 5, author="dev", head_sha=head, files=files)
    opened = payload(
        "pull_request.opened",
        pull_request__number=5,
        pull_request__state="open",
        pull_request__head__sha=head,
        repository__name="web",
        repository__full_name="acme/web",
    )
    assert app.deliver("pull_request", opened).status_code == 202

    def web_checks() -> list[Any]:
        return [r for r in sim.check_runs("acme", "web", head) if r.name == "review-tiers"]

    wait_until(lambda: [c for c in web_checks() if c.conclusion == "failure"], 30, "a failure")
    assert "web.yml" in str(web_checks()[-1].output["summary"])

    sim.set_file("acme", "spec", "main", "web.yml", "version: 1\n")
    pushed = Pushed(modified=["web.yml"])
    reply = app.deliver("push", push_payload(sim.store, "acme", "spec", "main", pushed))
    assert reply.status_code == 202, reply.text
    fixed = wait_until(
        lambda: [c for c in web_checks() if c.conclusion != "failure"], 30, "the fixed check"
    )
    assert "Invalid" not in str(fixed[-1].output["summary"])
