"""Shadow mode end to end, chosen by the policy: a neutral check and no other write to GitHub."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

import pytest

from tests.builders import file_entry
from tests.e2e.harness import OWNER, SPEC_CONFIG, Processes, audit_records, payload, wait_until
from tests.ghsim import GitHubSimulator

pytestmark = pytest.mark.e2e

SHADOWED = "shadowed"
RECHECK = "review-tiers/recheck"
INVARIANT = [file_entry("billing/ledger.py", 3, "amount = float(x)", numbered=True)]
BIG = [file_entry("src/app.py", 450, numbered=True)]


def event(repo: str, number: int, action: str, head: str) -> dict[str, Any]:
    return payload(
        f"pull_request.{action}",
        pull_request__number=number,
        pull_request__state="open",
        pull_request__head__sha=head,
        pull_request__base__ref="main",
        repository__name=repo,
        repository__full_name=f"{OWNER}/{repo}",
    )


def records(app: Processes, repo: str, number: int) -> list[dict[str, Any]]:
    found = audit_records(app.env["REDIS_URL"], number)
    return [r for r in found if r["repository"] == f"{OWNER}/{repo}"]


def deliver(app: Processes, repo: str, number: int, action: str, head: str) -> list[dict[str, Any]]:
    """Send one pull_request event and wait for the evaluation it causes."""
    before = len(records(app, repo, number))
    assert app.deliver("pull_request", event(repo, number, action, head)).status_code == 202
    wait_until(lambda: len(records(app, repo, number)) > before, 30, f"evaluation of #{number}")
    return records(app, repo, number)


def writes(sim: GitHubSimulator, repo: str) -> list[tuple[str, str]]:
    """The write requests the App sent about ``repo``, as (method, path)."""
    prefix = f"/repos/{OWNER}/{repo}/"
    return [(r.method, unquote(r.path)) for r in sim.writes() if r.path.startswith(prefix)]


def is_check_write(method: str, path: str, repo: str, number: int) -> bool:
    """A check run written, or the recheck label taken off: all shadow mode may write."""
    runs = f"/repos/{OWNER}/{repo}/check-runs"
    if path == runs or path.startswith(f"{runs}/"):
        return method in ("POST", "PATCH")
    return (method, path) == ("DELETE", f"/repos/{OWNER}/{repo}/issues/{number}/labels/{RECHECK}")


def review_tiers_runs(sim: GitHubSimulator, repo: str, head: str) -> list[Any]:
    runs = [r for r in sim.check_runs(OWNER, repo, head) if r.name == "review-tiers"]
    return sorted(runs, key=lambda r: r.id)


def open_pull(
    sim: GitHubSimulator, app: Processes, repo: str, number: int, files: list[dict[str, Any]]
) -> str:
    head = f"{number:040x}"
    sim.add_pull(OWNER, repo, number, author="dev", head_sha=head, files=files)
    deliver(app, repo, number, "opened", head)
    return head


def recheck(sim: GitHubSimulator, app: Processes, repo: str, number: int, head: str) -> None:
    """Add the recheck label as a person would, and wait until the App has taken it off."""
    sim.add_label(OWNER, repo, number, RECHECK, actor="dev")
    deliver(app, repo, number, "labeled", head)
    wait_until(lambda: RECHECK not in sim.pull(OWNER, repo, number).labels, 30, "recheck removed")


@pytest.fixture(scope="module")
def shadowed(sim: GitHubSimulator) -> str:
    sim.add_repo(OWNER, SHADOWED)
    sim.set_file(OWNER, SHADOWED, "main", ".github/review-tiers.yml", shadow_config())
    for user in ("dev", "arch", "payer", "backer"):
        sim.set_role(OWNER, SHADOWED, user, "write")
    return SHADOWED


def shadow_config() -> str:
    return SPEC_CONFIG.read_text() + "mode: shadow\n"


def test_policy_shadow_posts_a_neutral_check_and_writes_nothing_else(
    sim: GitHubSimulator, app: Processes, shadowed: str
) -> None:
    head = open_pull(sim, app, shadowed, 301, INVARIANT + BIG)
    [check] = review_tiers_runs(sim, shadowed, head)
    assert (check.status, check.conclusion) == ("completed", "neutral")
    assert check.output["title"] == "Shadow: would be L3 (architecture review)"
    summary = check.output["summary"]
    assert "nothing is enforced" in summary and "`mode: shadow`" in summary
    assert "money-is-integer-cents" in summary
    pull = sim.pull(OWNER, shadowed, 301)
    assert not (pull.labels or pull.requested_teams or pull.requested_reviewers or pull.comments)
    record = records(app, shadowed, 301)[-1]
    assert (record["mode"], record["shadow_by"], record["tier"]) == ("shadow", ["policy"], "L3")
    recheck(sim, app, shadowed, 301, head)
    sent = writes(sim, shadowed)
    assert ("DELETE", f"/repos/{OWNER}/{shadowed}/issues/301/labels/{RECHECK}") in sent
    assert all(is_check_write(method, path, shadowed, 301) for method, path in sent), sent
    assert len(review_tiers_runs(sim, shadowed, head)) == 1


def test_switching_to_enforce_converges(
    sim: GitHubSimulator, app: Processes, shadowed: str
) -> None:
    earlier = len(writes(sim, shadowed))
    head = open_pull(sim, app, shadowed, 302, INVARIANT)
    assert [method for method, _ in writes(sim, shadowed)[earlier:]] == ["POST"]  # the check
    sim.set_file(OWNER, shadowed, "main", ".github/review-tiers.yml", SPEC_CONFIG.read_text())
    recheck(sim, app, shadowed, 302, head)
    wait_until(lambda: set(sim.pull(OWNER, shadowed, 302).labels) == {"tier/L3", "size/XS"}, 30)
    pull = sim.pull(OWNER, shadowed, 302)
    assert set(pull.requested_teams) >= {"architects", "payments"}
    latest = review_tiers_runs(sim, shadowed, head)[-1]
    assert latest.status == "in_progress" and latest.output["title"].startswith("L3: waiting")
    assert records(app, shadowed, 302)[-1]["mode"] == "enforce"
    before = len(writes(sim, shadowed))
    deliver(app, shadowed, 302, "edited", head)
    assert len(writes(sim, shadowed)) == before  # converged: the same state needs no write
