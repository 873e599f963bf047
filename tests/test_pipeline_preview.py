"""A pull request changing the policy or CODEOWNERS: judged by the base, it validates the new
files and previews the other open pull requests under them, within its bounds."""

from __future__ import annotations

import re
from dataclasses import replace

from bot.core.actions import CheckState
from tests.builders import file_entry as entry
from tests.fakes import FakePort
from tests.test_pipeline import SPEC_CONFIG, make_port, run

POLICY = ".github/review-tiers.yml"
OWNERS = "/a/ @acme/a\n/b/ @acme/b\n/c/ @acme/c\n"
LOWERED = SPEC_CONFIG.replace("min_owners: 3", "min_owners: 2")
# Each open pull request: the owned areas it touches.
AREAS = {11: ("a", "b"), 12: ("a",), 13: ("a", "b", "c")}


def open_pull(port: FakePort, number: int, dirs: tuple[str, ...], base: str = "main") -> None:
    port.pulls[number] = replace(
        port.pulls[7], number=number, title=f"change {number}", head_sha=f"h{number}", base_ref=base
    )
    port.files[number] = [entry(f"{d}/mod_{number}.py", 3) for d in dirs]


def policy_port(
    new_config: str | None = LOWERED, areas: dict[int, tuple[str, ...]] = AREAS
) -> FakePort:
    """Pull request 7 changes the policy to ``new_config``; the others are open beside it."""
    port = make_port([entry(POLICY, 1)])
    port.contents[("main", ".github/CODEOWNERS")] = OWNERS
    if new_config is not None:
        port.contents[("h1", POLICY)] = new_config
    for number, dirs in areas.items():
        open_pull(port, number, dirs)
    return port


def check(port: FakePort, sha: str = "h1") -> CheckState:
    return port.checks[sha]["review-tiers"].output


def test_lowering_min_owners_previews_the_pull_requests_that_move_to_l3() -> None:
    port = policy_port()
    record = run(port)
    assert record.tier == "L2"  # judged by the base policy, whatever the head proposes
    summary = check(port).summary
    assert (
        "3 open pull request(s) previewed under the new files: "
        "1 ↑ raised, 0 ↓ lowered, 2 = unchanged." in summary
    )
    assert "- ↑ #11 L2 → L3: change 11" in summary
    assert "- = #12 L2 → L2: change 12" in summary
    assert "- = #13 L3 → L3: change 13" in summary
    # Each previewed pull request's inputs are read once, for both evaluations.
    assert [c[1] for c in port.calls if c[0] == "fetch_files"] == [(7,), (13,), (12,), (11,)]
    base = [c for c in port.calls if c[0] == "fetch_base_files" and c[1][1] == "main"]
    assert len(base) == 3  # for the policy, for the context, and once for every preview


def test_only_pull_requests_to_the_same_base_are_previewed() -> None:
    port = policy_port()
    open_pull(port, 14, ("a", "b"), base="release")
    run(port)
    assert "#14" not in check(port).summary
    assert ("fetch_files", (14,)) not in port.calls


def test_an_invalid_new_policy_fails_the_check_and_leaves_other_pulls_alone() -> None:
    port = policy_port(SPEC_CONFIG.replace("min_owners: 3", "min_owners: -1"))
    run(port)
    state = check(port)
    assert (state.status, state.conclusion) == ("completed", "failure")
    assert state.title == "L2: the new policy has 1 error(s)"
    assert "- `tiers.L3.when.min_owners` line 32: " in state.summary
    assert ("fetch_files", (11,)) not in port.calls
    assert all(c[1][0] in (7, "h1") for c in port.writes())
    assert set(port.checks) == {"h1"}


def test_a_change_without_policy_files_makes_no_extra_request() -> None:
    quiet = policy_port(areas={})
    busy = policy_port()
    for port in (quiet, busy):
        port.files[7] = [entry("src/app.py", 3)]
        run(port)
    assert quiet.calls == busy.calls
    assert "### Policy change" not in check(busy).summary


def test_a_re_evaluation_of_an_unchanged_preview_writes_nothing() -> None:
    port = policy_port()
    run(port)
    before = len(port.writes())
    run(port)
    assert len(port.writes()) == before


def test_sixty_open_pulls_with_the_default_cap_preview_fifty() -> None:
    port = policy_port(areas={n: ("a", "b") for n in range(100, 160)})
    run(port)
    state = check(port)
    assert "50 open pull request(s) previewed under the new files: 50 ↑ raised" in state.summary
    assert "10 more open pull requests were not previewed (`preview.max_pulls`" in state.summary
    previewed = {c[1][0] for c in port.calls if c[0] == "fetch_files"} - {7}
    assert previewed == set(range(110, 160))  # the newest first


def test_the_cap_comes_from_the_base_policy() -> None:
    port = policy_port(areas={n: ("a",) for n in range(100, 110)})
    port.contents[("main", POLICY)] = SPEC_CONFIG + "preview: {max_pulls: 4}\n"
    run(port)
    assert "6 more open pull requests were not previewed" in check(port).summary


def test_a_low_rate_limit_stops_the_preview_and_says_how_many_were_left() -> None:
    port = policy_port(areas={n: ("a", "b") for n in range(100, 130)})
    port.remaining, port.cost = 800, 10
    run(port)
    summary = check(port).summary
    found = re.search(r"(\d+) more open pull requests were not previewed: (.*)\.", summary)
    assert found is not None and found.group(2) == "the installation's rate limit ran low"
    shown = re.search(r"(\d+) open pull request\(s\) previewed", summary)
    assert shown is not None
    assert int(shown.group(1)) + int(found.group(1)) == 30
    assert 0 < int(shown.group(1)) < 30


def test_a_codeowners_change_is_previewed_and_its_bad_lines_are_warnings() -> None:
    port = policy_port(new_config=None, areas={14: ("a", "d", "e")})
    port.files[7] = [entry(".github/CODEOWNERS", 3)]
    port.contents[("h1", ".github/CODEOWNERS")] = (
        OWNERS + "/d/ @acme/d\n/e/ @acme/e\nsrc/ octocat\n"
    )
    run(port)
    state = check(port)
    assert state.conclusion is None  # waiting for approvals: the warnings do not fail it
    assert "This pull request changes `.github/CODEOWNERS`." in state.summary
    assert "- `.github/CODEOWNERS` line 6: 'octocat' is not an owner" in state.summary
    assert "- ↑ #14 L2 → L3: change 14" in state.summary


def test_removing_the_policy_previews_the_built_in_defaults() -> None:
    port = policy_port(new_config=None, areas={11: ("infra",)})
    port.files[7] = [{**entry(POLICY, 0), "status": "removed", "deletions": 1, "additions": 0}]
    run(port)
    summary = check(port).summary
    assert "The new policy: `built-in defaults`." in summary
    assert "- ↓ #11 L3 → L2: change 11" in summary


def test_the_pull_request_itself_is_not_previewed() -> None:
    port = policy_port()
    run(port)
    assert "#7 " not in check(port).summary
