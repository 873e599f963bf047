"""The preview's bounds (time, refusals, slow-downs) and a spec change's dependent repositories."""

from __future__ import annotations

import itertools
from dataclasses import replace

from bot.core.diff import parse_files_listing
from bot.core.policy import parse_policy
from bot.core.preview import PolicyPreview
from bot.core.specs import SpecRef, SpecText, SpecUnavailable
from bot.evaluation.pipeline import evaluate_pull
from bot.evaluation.ports import GitHubPort, RepoRef
from bot.evaluation.preview import Proposal, preview_policy
from bot.evaluation.preview_pulls import Bounds, NewPolicy, Policies
from bot.evaluation.preview_specs import SpecChange, SpecSources
from bot.evaluation.record import RunInfo
from bot.ops.errors import PermanentGitHubError, TransientGitHubError
from tests.builders import file_entry as entry
from tests.fakes import FakeGrantStore, FakePort, FakeSpecDependents
from tests.test_pipeline import REPO, SPEC_CONFIG
from tests.test_pipeline_preview import LOWERED, OWNERS, POLICY, check, policy_port

BASE = parse_policy(SPEC_CONFIG).policy
assert BASE is not None


def preview(port: FakePort, files: list[str], **kwargs: object) -> PolicyPreview | None:
    changes = parse_files_listing([entry(path, 1) for path in files])
    return preview_policy(port, REPO, Proposal(port.pulls[7], changes, BASE), **kwargs)  # type: ignore[arg-type]


def test_the_time_bound_stops_the_preview() -> None:
    port = policy_port(areas={n: ("a",) for n in range(100, 110)})
    ticks = itertools.count()
    bounds = Bounds(seconds=3, clock=lambda: float(next(ticks)))
    found = preview(port, [POLICY], bounds=bounds)
    assert found is not None
    assert len(found.rows) == 2 and found.not_previewed == 8
    assert found.stopped == "the preview reached its time limit of 3 s"


def test_the_file_read_limit_stops_a_policy_that_reads_everything() -> None:
    # The proposed policy decides which files its rules read: here every one of them.
    port = policy_port(areas={n: ("a", "b") for n in range(100, 110)})
    reads_all = "  - id: all\n    statement: s\n    paths: ['**']\n    patterns: ['x']\n"
    new = parse_policy(LOWERED.replace("invariants:\n", "invariants:\n" + reads_all)).policy
    assert new is not None
    changes = parse_files_listing([entry(POLICY, 1)])
    port.contents[("h1", POLICY)] = LOWERED.replace("invariants:\n", "invariants:\n" + reads_all)
    found = preview_policy(
        port, REPO, Proposal(port.pulls[7], changes, BASE), bounds=Bounds(file_reads=9)
    )
    assert found is not None
    assert found.stopped == "the preview reached its limit of 9 file reads"
    reads = [c for c in port.calls if c[0] == "fetch_file" and c[1][1] != "main"]
    assert len(reads) <= 9 + 2  # the new policy and CODEOWNERS at the head, then the limit
    assert len(found.rows) + found.not_previewed == 10 and found.not_previewed > 0


def test_a_refused_pull_request_is_counted_and_the_rest_previewed() -> None:
    port = policy_port()
    port.fail("fetch_files", PermanentGitHubError("Not Found"))
    found = preview(port, [POLICY])
    assert found is not None
    assert (len(found.rows), found.unreadable, found.not_previewed) == (2, 1, 0)


def test_a_slow_down_from_github_stops_the_preview_without_failing_the_evaluation() -> None:
    port = policy_port()
    port.fail("fetch_commit_messages", TransientGitHubError("secondary rate limit"))
    found = preview(port, [POLICY])
    assert found is not None
    assert (found.rows, found.not_previewed) == ((), 3)
    assert found.stopped == "GitHub asked the App to slow down"


def test_a_zero_cap_reads_no_other_pull_request() -> None:
    port = policy_port()
    capped = replace(BASE, preview=replace(BASE.preview, max_pulls=0))
    changes = parse_files_listing([entry(POLICY, 1)])
    found = preview_policy(port, REPO, Proposal(port.pulls[7], changes, capped))
    assert found is not None and found.rows == () and found.off
    assert not any(c[0] == "fetch_open_pulls" for c in port.calls)


# --- a change to a spec repository's review-tiers.yml ------------------------------------------

SPEC = RepoRef(1, "acme", "shop")
WEB, API = RepoRef(2, "acme", "web"), RepoRef(3, "acme", "api")


def dependent_port(areas: dict[int, tuple[str, ...]]) -> FakePort:
    port = policy_port(areas={})
    port.pulls.pop(7)
    for number, dirs in areas.items():
        port.pulls[number] = replace(
            policy_port(areas={}).pulls[7], number=number, title=f"web {number}"
        )
        port.files[number] = [entry(f"{d}/m_{number}.py", 3) for d in dirs]
    port.contents[("main", ".github/CODEOWNERS")] = OWNERS
    return port


def lowered_everywhere(
    port: GitHubPort, dependent: RepoRef, base_ref: str, change: SpecChange
) -> Policies | None:
    """Stands for the merge: the spec's change lowers min_owners in every dependent."""
    if dependent == API:
        return None
    after = parse_policy(LOWERED).policy
    assert after is not None
    return Policies(BASE, NewPolicy(after))


def spec_sources(ports: dict[int, FakePort], policies=lowered_everywhere) -> SpecSources:  # type: ignore[no-untyped-def]
    known = FakeSpecDependents()
    known.record("acme/shop", WEB)
    known.record("acme/shop", API)
    return SpecSources(known, ports.__getitem__, policies)


def test_a_spec_change_previews_the_dependents_open_pull_requests() -> None:
    port = policy_port(areas={})
    web, api = dependent_port({3: ("a", "b"), 4: ("a",)}), dependent_port({9: ("a",)})
    found = preview(port, ["review-tiers.yml"], specs=spec_sources({2: web, 3: api}))
    assert found is not None and found.dependents is not None
    assert [(r.repo, r.number, r.before, r.after) for r in found.ordered()] == [
        ("acme/web", 3, "L2", "L3"),
        ("acme/web", 4, "L2", "L2"),
    ]
    assert found.dependents.total == 2
    assert found.dependents.shown == ("acme/api", "acme/web")
    assert found.dependents.unevaluated == ("acme/api",)
    assert found.dependents.open_pulls == 3


def test_a_spec_change_with_no_dependents_has_no_section() -> None:
    port = policy_port()
    empty = SpecSources(FakeSpecDependents(), {}.__getitem__)
    assert preview(port, ["review-tiers.yml"], specs=empty) is None
    assert preview(port, ["review-tiers.yml"]) is None


def test_the_dependents_share_the_cap() -> None:
    port = policy_port(areas={})
    web = dependent_port({3: ("a", "b"), 4: ("a",)})
    capped = replace(BASE, preview=replace(BASE.preview, max_pulls=1))
    changes = parse_files_listing([entry("review-tiers.yml", 1)])
    sources = spec_sources({2: web, 3: dependent_port({})})
    found = preview_policy(port, REPO, Proposal(port.pulls[7], changes, capped), sources)
    assert found is not None and found.dependents is not None
    assert len(found.rows) == 1 and found.dependents.left == 1


def test_a_dependent_whose_policy_cannot_be_resolved_is_listed() -> None:
    port = policy_port(areas={})
    web = dependent_port({3: ("a",)})
    web.contents[("main", POLICY)] = 'extends: "acme/shop"\n' + SPEC_CONFIG
    found = preview(
        port,
        ["review-tiers.yml"],
        specs=SpecSources(spec_sources({}).dependents, {2: web, 3: web}.__getitem__),
    )
    assert found is not None and found.dependents is not None
    assert found.dependents.unevaluated == ("acme/api", "acme/web")
    assert found.rows == ()


def test_the_spec_loader_serves_each_side_of_the_change() -> None:
    before = SpecText(SpecRef("acme/shop"), "b1", "old")
    after = SpecText(SpecRef("acme/shop"), "h1", "new")
    change = SpecChange("acme/shop", "main", before, after)
    assert change.loader(after)(SpecRef("acme/shop")).text == "new"
    assert change.loader(before)(SpecRef("acme/shop", ref="main")).sha == "b1"
    pinned = SpecRef("acme/shop", ref="v1")
    for ref in (pinned, SpecRef("acme/other")):
        try:
            change.loader(after)(ref)
        except SpecUnavailable:
            continue
        raise AssertionError(f"{ref} was served from the change")
    assert change.loader(after, lambda ref: before)(pinned).text == "old"
    gone = SpecChange("acme/shop", "main", before, None)
    try:
        gone.loader(gone.after)(SpecRef("acme/shop"))
    except SpecUnavailable as err:
        assert "no such file" in str(err)
    else:
        raise AssertionError("a removed spec was served")


def test_the_check_of_a_spec_change_names_the_dependents() -> None:
    port = policy_port(areas={})
    port.files[7] = [entry("review-tiers.yml", 1)]
    web = dependent_port({3: ("a", "b")})
    sources = spec_sources({2: web, 3: dependent_port({9: ("a",)})})
    evaluate_pull(port, REPO, 7, RunInfo("d-1", (None,)), FakeGrantStore(), specs=sources)
    summary = check(port).summary
    assert "This pull request changes `review-tiers.yml`." in summary
    assert "- ↑ acme/web#3 L2 → L3: web 3" in summary
    assert "#### Repositories extending this file" in summary
    assert "2 repositories extend it; 2 of them read, with 2 open pull request(s)" in summary
    assert "could not be worked out for: `acme/api`." in summary
    assert web.writes() == []


def test_a_dependent_extending_the_spec_is_judged_by_the_merge_before_and_after() -> None:
    port = policy_port(areas={})
    pull = port.pulls[7]
    port.contents[(pull.base_sha, "review-tiers.yml")] = SPEC_CONFIG
    port.contents[(pull.head_sha, "review-tiers.yml")] = LOWERED
    web = dependent_port({3: ("a", "b"), 4: ("a",)})
    web.contents[("main", POLICY)] = "version: 1\nextends: acme/shop\n"
    known = FakeSpecDependents()
    known.record("acme/shop", WEB)
    found = preview(port, ["review-tiers.yml"], specs=SpecSources(known, {2: web}.__getitem__))
    assert found is not None and found.dependents is not None
    assert found.dependents.unevaluated == ()
    assert [(r.repo, r.number, r.before, r.after) for r in found.ordered()] == [
        ("acme/web", 3, "L2", "L3"),
        ("acme/web", 4, "L2", "L2"),
    ]
