"""The App's spec loader against the GitHub simulator: the ref resolved to a commit, ETag reads
shared in Redis, and a sentence for every spec that cannot be read."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from redis import Redis

from bot.core.specs import SpecRef, SpecUnavailable
from bot.evaluation.ports import RepoRef, SpecRead
from bot.evaluation.spec_source import NOT_INSTALLED, spec_loader_for
from bot.gh.client import PyGithubPort
from bot.ops.errors import PermanentGitHubError, TransientGitHubError
from bot.ops.settings import AppSettings
from tests.fakes import FakePort
from tests.ghsim import GitHubSimulator
from tests.ghsim.clients import checked_simulator
from tests.ghsim.state import tip_sha

APP_ID = 4242
SHOP = RepoRef(1, "acme", "shop")
SPEC_TEXT = "invariants:\n  - id: money\n    paths: ['billing/**']\n"
SPEC = "/repos/acme/spec"


@pytest.fixture
def sim(keys: tuple[str, str]) -> Iterator[GitHubSimulator]:
    with checked_simulator(app_id=APP_ID, app_public_key_pem=keys[1]) as sim:
        sim.add_repo("acme", "shop")
        sim.add_repo("acme", "spec")
        sim.set_file("acme", "spec", "main", "review-tiers.yml", SPEC_TEXT)
        sim.set_file("acme", "spec", "main", "policies/strict.yml", "mode: enforce\n")
        sim.add_installation(2)
        sim.add_repo("other", "spec")  # private, in the other installation
        sim.set_file("other", "spec", "main", "review-tiers.yml", SPEC_TEXT)
        sim.add_repo("open", "spec", private=False)  # public, in the other installation
        sim.set_file("open", "spec", "main", "review-tiers.yml", SPEC_TEXT)
        yield sim


def reads(sim: GitHubSimulator) -> list[tuple[str, int]]:
    """The spec reads sent, with their status (token requests left out)."""
    return [(r.path, r.status or 0) for r in sim.requests if r.path.startswith("/repos/")]


def test_reads_the_default_branch_at_its_commit(sim: GitHubSimulator, port: PyGithubPort) -> None:
    spec = spec_loader_for(port, SHOP)(SpecRef("acme/spec"))
    sha = tip_sha(sim.repo("acme", "spec"), "main")
    assert (spec.sha, spec.text) == (sha, SPEC_TEXT)
    assert spec.origin == f"acme/spec@{sha}:review-tiers.yml"
    assert reads(sim) == [
        (SPEC, 200),
        (f"{SPEC}/commits/main", 200),
        (f"{SPEC}/contents/review-tiers.yml", 200),
    ]
    assert sim.requests[-1].query == {"ref": sha}  # the file is read at the resolved commit


def test_an_unchanged_spec_costs_two_free_304s(
    sim: GitHubSimulator, port: PyGithubPort, keys: tuple[str, str], redis_client: Redis
) -> None:
    spec_loader_for(port, SHOP)(SpecRef("acme/spec"))
    sim.reset_log()
    remaining = sim.rate.remaining
    # Another worker (another port, same Redis) meets the ETags the first one stored.
    settings = AppSettings(app_id=APP_ID, private_key=keys[0], webhook_secret="s", api_url=sim.url)
    other = PyGithubPort(settings, redis_client, 1)
    again = spec_loader_for(other, SHOP)(SpecRef("acme/spec"))
    other.close()
    assert again.text == SPEC_TEXT
    assert reads(sim) == [(SPEC, 304), (f"{SPEC}/commits/main", 304)]
    assert sim.rate.remaining == remaining  # the token is shared too: nothing was spent


def test_a_push_to_the_spec_moves_the_commit_and_the_text(
    sim: GitHubSimulator, port: PyGithubPort
) -> None:
    load = spec_loader_for(port, SHOP)
    first = load(SpecRef("acme/spec"))
    sim.set_file("acme", "spec", "main", "review-tiers.yml", "mode: shadow\n")
    sim.reset_log()
    second = load(SpecRef("acme/spec"))
    assert second.text == "mode: shadow\n" and second.sha != first.sha
    assert [s for _, s in reads(sim)] == [304, 200, 200]


def test_a_named_ref_and_path(sim: GitHubSimulator, port: PyGithubPort) -> None:
    sim.set_file("acme", "spec", "v1", "policies/strict.yml", "mode: shadow\n")
    spec = spec_loader_for(port, SHOP)(SpecRef("acme/spec", "policies/strict.yml", "v1"))
    assert (spec.sha, spec.text) == (tip_sha(sim.repo("acme", "spec"), "v1"), "mode: shadow\n")
    assert [p for p, _ in reads(sim)] == [
        f"{SPEC}/commits/v1",
        f"{SPEC}/contents/policies/strict.yml",
    ]


def test_a_public_spec_of_another_account_is_read(port: PyGithubPort) -> None:
    assert spec_loader_for(port, SHOP)(SpecRef("open/spec")).text == SPEC_TEXT


def unavailable(port: PyGithubPort | FakePort, ref: SpecRef) -> str:
    with pytest.raises(SpecUnavailable) as caught:
        spec_loader_for(port, SHOP)(ref)
    return str(caught.value)


def test_a_repository_without_the_app_says_to_install_it(port: PyGithubPort) -> None:
    assert unavailable(port, SpecRef("acme/nowhere")) == (
        "acme/nowhere: the review-tiers App is not installed on this repository "
        "(or it does not exist) — install it there"
    )


def test_a_private_repository_of_another_installation(port: PyGithubPort) -> None:
    message = unavailable(port, SpecRef("other/spec", ref="main"))
    assert message.startswith("other/spec: the review-tiers App is installed there by another")
    assert "this installation cannot read it" in message


def test_no_such_ref_path_or_text(sim: GitHubSimulator, port: PyGithubPort) -> None:
    sha = tip_sha(sim.repo("acme", "spec"), "main")[:12]
    assert unavailable(port, SpecRef("acme/spec", ref="v9")) == (
        "acme/spec: no branch, tag or commit named 'v9'"
    )
    assert unavailable(port, SpecRef("acme/spec", "missing.yml")) == (
        f"acme/spec: no file missing.yml at its default branch ({sha})"
    )
    assert unavailable(port, SpecRef("acme/spec", "policies")).startswith(
        f"acme/spec: policies at its default branch ({sha}) is not a text file"
    )


def test_a_path_leaving_the_contents_is_not_requested(
    sim: GitHubSimulator, port: PyGithubPort
) -> None:
    for path in ("../../orgs/acme", "a//b.yml", "./review-tiers.yml"):
        assert unavailable(port, SpecRef("acme/spec", path)).startswith("acme/spec: no file")
    assert reads(sim) == []


def test_other_github_errors_are_the_apps_own(sim: GitHubSimulator, port: PyGithubPort) -> None:
    load = spec_loader_for(port, SHOP)
    sim.inject("GET", r"/commits/main$", status=502)
    with pytest.raises(TransientGitHubError):
        load(SpecRef("acme/spec"))
    sim.inject("GET", r"/contents/", status=403, body={"message": "Resource not accessible"})
    with pytest.raises(PermanentGitHubError):
        load(SpecRef("acme/spec"))


def test_the_combined_sentence_when_the_app_cannot_say() -> None:
    fake = FakePort()
    fake.fail("fetch_repo_installation", PermanentGitHubError("GitHub answered 403"))
    assert unavailable(fake, SpecRef("acme/spec")) == NOT_INSTALLED.format(repo="acme/spec")
    fake.installations["acme/spec"] = SHOP.installation_id  # covered, yet unreadable
    assert unavailable(fake, SpecRef("acme/spec")) == NOT_INSTALLED.format(repo="acme/spec")
    fake.spec_files[("acme/spec", "review-tiers.yml", None)] = SpecRead("f" * 40, "mode: shadow\n")
    assert spec_loader_for(fake, SHOP)(SpecRef("acme/spec")).sha == "f" * 40
