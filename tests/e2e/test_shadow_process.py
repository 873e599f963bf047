"""Shadow mode end to end, chosen by the process (REVIEW_TIERS_MODE=shadow) over the policy."""

from __future__ import annotations

import pytest

from tests.e2e.harness import OWNER, REPO, Processes
from tests.e2e.test_shadow import (
    BIG,
    INVARIANT,
    RECHECK,
    is_check_write,
    open_pull,
    recheck,
    records,
    review_tiers_runs,
    writes,
)
from tests.ghsim import GitHubSimulator

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def app_settings() -> dict[str, str]:
    return {"REVIEW_TIERS_MODE": "shadow"}


def test_process_shadow_posts_a_neutral_check_and_writes_nothing_else(
    sim: GitHubSimulator, app: Processes
) -> None:
    head = open_pull(sim, app, REPO, 401, INVARIANT + BIG)
    [check] = review_tiers_runs(sim, REPO, head)
    assert (check.status, check.conclusion) == ("completed", "neutral")
    assert check.output["title"] == "Shadow: would be L3 (architecture review)"
    assert "`REVIEW_TIERS_MODE=shadow`" in check.output["summary"]
    pull = sim.pull(OWNER, REPO, 401)
    assert not (pull.labels or pull.requested_teams or pull.requested_reviewers or pull.comments)
    record = records(app, REPO, 401)[-1]
    assert (record["mode"], record["shadow_by"]) == ("shadow", ["process"])
    recheck(sim, app, REPO, 401, head)
    sent = writes(sim, REPO)
    assert ("DELETE", f"/repos/{OWNER}/{REPO}/issues/401/labels/{RECHECK}") in sent
    assert all(is_check_write(method, path, REPO, 401) for method, path in sent), sent
