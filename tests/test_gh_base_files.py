"""The base branch's files read together: one GraphQL query for what the cache lacks, REST for
whatever the query could not answer for certain, nothing but a free revalidation afterwards."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from graphql import parse, validate

from bot.core.codeowners import CODEOWNERS_LOCATIONS
from bot.evaluation.ports import RepoRef
from bot.evaluation.snapshot import BASE_FILES
from bot.gh.client import PyGithubPort
from bot.gh.commit_files import files_query
from bot.ops.errors import PermanentGitHubError, TransientGitHubError
from tests.ghsim import GitHubSimulator
from tests.ghsim.clients import checked_simulator
from tests.ghsim.graphql_api import TEXT_LIMIT, schema
from tests.ghsim.state import tip_sha

APP_ID = 4343
OWNER, NAME = "acme", "tools"
REPO = RepoRef(1, OWNER, NAME)
CONTENTS = f"/repos/{OWNER}/{NAME}/contents/"
POLICY, GITATTRIBUTES = BASE_FILES[0], BASE_FILES[-1]


@pytest.fixture
def sim(keys: tuple[str, str]) -> Iterator[GitHubSimulator]:
    with checked_simulator(app_id=APP_ID, app_public_key_pem=keys[1]) as sim:
        sim.add_repo(OWNER, NAME)
        sim.set_file(OWNER, NAME, "main", POLICY, "version: 1\n")
        sim.set_file(OWNER, NAME, "main", "docs/CODEOWNERS", "* @acme/docs\n")
        yield sim


def read(port: PyGithubPort, branch: str = "main") -> dict[str, str | None]:
    return dict(port.fetch_base_files(REPO, BASE_FILES, branch))


def rate_limited(sim: GitHubSimulator) -> int:
    return sum(1 for r in sim.requests if r.status != 304 and not r.path.endswith("_tokens"))


def test_the_query_the_adapter_sends_is_valid_for_githubs_schema() -> None:
    assert validate(schema(), parse(files_query(len(BASE_FILES)))) == []


def test_files_the_cache_lacks_are_read_in_one_query_then_revalidated_for_free(
    sim: GitHubSimulator, port: PyGithubPort
) -> None:
    sim.reset_log()
    first = read(port)
    assert first == {
        POLICY: "version: 1\n",
        ".github/CODEOWNERS": None,
        "CODEOWNERS": None,
        "docs/CODEOWNERS": "* @acme/docs\n",
        GITATTRIBUTES: None,
    }
    # The branch's tip over REST (its ETag is what later evaluations revalidate), then one query.
    assert [(r.method, r.path.rsplit("/", 1)[-1]) for r in sim.requests[1:]] == [
        ("GET", "main"),
        ("POST", "graphql"),
    ]
    sim.reset_log()
    assert read(port) == first  # files and absences alike were kept, by commit
    assert rate_limited(sim) == 0 and sim.count("POST", "/graphql") == 0
    sim.set_file(OWNER, NAME, "main", GITATTRIBUTES, "*.bin binary\n")
    sim.reset_log()
    assert read(port)[GITATTRIBUTES] == "*.bin binary\n"  # the branch moved: its new tip's files
    assert rate_limited(sim) == 2  # the new tip, and one query for its files


def test_a_single_missing_file_is_read_over_rest(sim: GitHubSimulator, port: PyGithubPort) -> None:
    sim.set_file(OWNER, NAME, "main", "src/app.py", "x = 1\n")
    for path in BASE_FILES[:-1]:
        port.fetch_file(REPO, path, "main")
    sim.reset_log()
    assert read(port)[GITATTRIBUTES] is None
    # One file costs one request either way: REST, whose answer is kept just the same.
    assert sim.count("POST", "/graphql") == 0 and sim.count("GET", CONTENTS) == 1


def test_a_truncated_or_binary_blob_is_read_over_rest(
    sim: GitHubSimulator, port: PyGithubPort
) -> None:
    big = "*.txt text\n" * (TEXT_LIMIT // 11 + 10)
    sim.set_file(OWNER, NAME, "main", GITATTRIBUTES, big)
    sim.set_file(OWNER, NAME, "main", "CODEOWNERS", "* @acme/x\x00")
    sim.reset_log()
    found = read(port)
    assert found[GITATTRIBUTES] == big  # whole, from REST: never the query's cut
    assert found["CODEOWNERS"] is None  # not text, as REST reads it too
    assert found[POLICY] == "version: 1\n"
    rest_reads = {r.path.removeprefix(CONTENTS) for r in sim.requests if CONTENTS in r.path}
    assert rest_reads == {"CODEOWNERS", GITATTRIBUTES}


def test_a_graphql_error_falls_back_to_rest_for_every_file(
    sim: GitHubSimulator, port: PyGithubPort
) -> None:
    errors = {"data": None, "errors": [{"type": "SERVICE_UNAVAILABLE", "message": "try later"}]}
    sim.inject("POST", "^/graphql$", status=200, body=errors)
    sim.reset_log()
    found = read(port)
    assert found[POLICY] == "version: 1\n" and found["docs/CODEOWNERS"] == "* @acme/docs\n"
    assert found[".github/CODEOWNERS"] is None and found[GITATTRIBUTES] is None
    assert sum(1 for r in sim.requests if CONTENTS in r.path) == len(BASE_FILES)


def test_an_unparseable_reply_falls_back_to_rest(sim: GitHubSimulator, port: PyGithubPort) -> None:
    sim.inject("POST", "^/graphql$", status=200, body={"data": {"repository": {"object": []}}})
    assert read(port)[POLICY] == "version: 1\n"
    assert sim.count("GET", CONTENTS) == len(BASE_FILES)


def test_a_server_error_on_the_query_is_transient(sim: GitHubSimulator, port: PyGithubPort) -> None:
    sim.inject("POST", "^/graphql$", status=502)
    with pytest.raises(TransientGitHubError):
        read(port)
    sim.reset_log()
    assert read(port)[POLICY] == "version: 1\n"  # nothing half-read was kept
    assert sim.count("POST", "/graphql") == 1


def test_a_missing_branch_is_refused_not_read_as_no_files(
    sim: GitHubSimulator, port: PyGithubPort
) -> None:
    sim.reset_log()
    with pytest.raises(PermanentGitHubError, match="not found"):
        read(port, "gone")
    assert sim.count("POST", "/graphql") == 0


def test_codeowners_places_are_the_ones_github_searches() -> None:
    assert BASE_FILES[1:-1] == CODEOWNERS_LOCATIONS


def test_files_at_a_commit_need_no_resolution(sim: GitHubSimulator, port: PyGithubPort) -> None:
    sha = tip_sha(sim.store.repo(OWNER, NAME), "main")
    sim.reset_log()
    assert read(port, sha)[POLICY] == "version: 1\n"
    assert [r.path for r in sim.requests if not r.path.endswith("_tokens")] == ["/graphql"]
    unknown = "f" * 40  # a commit GitHub does not know: nothing found, nothing kept
    assert read(port, unknown) == dict.fromkeys(BASE_FILES)
    sim.reset_log()
    read(port, unknown)
    assert sim.count("POST", "/graphql") == 1


def test_the_rest_budget_left_is_not_taken_from_a_graphql_reply(
    sim: GitHubSimulator, port: PyGithubPort
) -> None:
    sim.graphql_rate.remaining = 10
    read(port)
    assert sim.graphql_rate.remaining == 9  # the query's point, from GraphQL's own budget
    assert port.rate_limit_remaining == sim.rate.remaining
