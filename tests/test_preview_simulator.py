"""A policy change previewed over fifty open pull requests through the real GitHub adapter and
the simulator: what the check shows, and what the preview costs in GitHub requests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.evaluation.pipeline import evaluate_pull
from bot.evaluation.ports import RepoRef
from bot.evaluation.record import RunInfo
from bot.gh.client import PyGithubPort
from tests.fakes import FakeGrantStore
from tests.ghsim import GitHubSimulator
from tests.ghsim.clients import checked_simulator
from tests.test_pipeline import SPEC_CONFIG
from tests.test_pipeline_preview import LOWERED, OWNERS, POLICY

APP_ID = 4343
OWNER, NAME = "acme", "shop"
REPO = RepoRef(1, OWNER, NAME)
OPEN = 50
POLICY_PULL, CODE_PULL = 200, 201


def changed(path: str) -> dict[str, object]:
    return {"filename": path, "additions": 3, "patch": "@@ -0,0 +1,3 @@\n+a\n+b\n+c"}


@pytest.fixture
def sim(keys: tuple[str, str]) -> Iterator[GitHubSimulator]:
    with checked_simulator(app_id=APP_ID, app_public_key_pem=keys[1]) as sim:
        sim.add_repo(OWNER, NAME)
        sim.set_file(OWNER, NAME, "main", POLICY, SPEC_CONFIG)
        sim.set_file(OWNER, NAME, "main", ".github/CODEOWNERS", OWNERS)
        for team, user in (("architects", "arch"), ("payments", "payer"), ("backend", "backer")):
            sim.add_team_member(OWNER, team, user)
        for number in range(1, OPEN + 1):
            # Even pull requests touch two owned areas: L2 today, L3 once min_owners is 2.
            dirs = ("a", "b") if number % 2 == 0 else ("a",)
            files = [changed(f"{d}/mod_{number}.py") for d in dirs]
            sim.add_pull(OWNER, NAME, number, author="dev", head_sha=f"{number:040x}", files=files)
        policy_head = "f" * 40
        sim.add_pull(
            OWNER, NAME, POLICY_PULL, author="dev", head_sha=policy_head, files=[changed(POLICY)]
        )
        sim.set_file(OWNER, NAME, policy_head, POLICY, LOWERED)
        code_head = "e" * 40
        sim.add_pull(
            OWNER, NAME, CODE_PULL, author="dev", head_sha=code_head, files=[changed("a/x.py")]
        )
        yield sim


def requests_for(sim: GitHubSimulator, port: PyGithubPort, number: int) -> int:
    sim.reset_log()
    evaluate_pull(port, REPO, number, RunInfo("d-1", (None,)), FakeGrantStore())
    return sum(1 for r in sim.requests if not r.path.startswith("/app"))


def test_a_preview_over_fifty_open_pulls(
    sim: GitHubSimulator, port: PyGithubPort, record_property: pytest.RecordProperty
) -> None:
    plain = requests_for(sim, port, CODE_PULL)
    previewed = requests_for(sim, port, POLICY_PULL)
    (run,) = sim.check_runs(OWNER, NAME, "f" * 40)
    summary = run.output["summary"]
    # 51 open pull requests besides this one: the newest 50 are previewed.
    assert "50 open pull request(s) previewed under the new files: 25 ↑ raised" in summary
    assert "- ↑ #2 L2 → L3: A change" in summary
    assert "1 more open pull requests were not previewed" in summary
    extra = previewed - plain
    record_property("preview_requests_over_50_pulls", extra)
    print(f"\npolicy preview over {OPEN} open pull requests: {extra} requests beyond {plain}")
    # One listing, the new policy, the base's files once, then files and commits per pull.
    assert extra <= 2 * OPEN + 6
    # Nothing was written to the previewed pull requests.
    assert {r.path for r in sim.writes()} <= {
        f"/repos/{OWNER}/{NAME}/check-runs",
        f"/repos/{OWNER}/{NAME}/issues/{POLICY_PULL}/labels",
        f"/repos/{OWNER}/{NAME}/pulls/{POLICY_PULL}/requested_reviewers",
    }
    again = requests_for(sim, port, POLICY_PULL)
    assert not sim.writes() and again <= previewed
