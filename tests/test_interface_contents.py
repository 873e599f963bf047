"""A detector that needs contents receives both sides of its files, in the App and offline.

The choice of files whose contents are fetched is made by asking the detector registry; these
tests swap in a recording detector and fail if either path decides by itself instead.
"""

from __future__ import annotations

import pytest

from bot.core.interfaces import registry
from bot.core.interfaces.detector import Detector, Needs
from bot.core.interfaces.verdict import UNCHANGED, InterfaceVerdict
from bot.core.models import FileChange, FileVersions, Reason
from bot.evaluation.pipeline import RunInfo, evaluate_pull
from bot.evaluation.ports import PullInfo, RepoRef
from bot.local.offline import LocalRequest, run_local
from tests.builders import ScratchRepo, files_listing
from tests.fakes import FakeGrantStore, FakePort

CONFIG = """\
version: 1
interfaces:
  - id: schema
    kind: sql
    paths: ["db/**"]
    owners: ["@acme/dba"]
"""
BEFORE = "create table users (id int);\n"
AFTER = "create table users (id int, email text);\n"
REPO = RepoRef(1, "acme", "shop")

Seen = list[tuple[str, FileVersions | None]]


def swap_sql_detector(monkeypatch: pytest.MonkeyPatch, needs: Needs) -> Seen:
    """Register, for the ``sql`` kind, a detector that records what it is given."""
    seen: Seen = []

    def classify(change: FileChange, versions: FileVersions | None) -> InterfaceVerdict:
        seen.append((change.path, versions))
        return InterfaceVerdict(False, (Reason(UNCHANGED, f"{change.path}: recorded"),))

    monkeypatch.setattr(registry, "_DETECTORS", {})
    for detector in registry.BUILT_IN:
        if detector.kind != "sql":
            registry.register(detector)
    registry.register(Detector("sql", needs, classify))
    assert registry.registered_kinds()[-1] == "sql"
    return seen


@pytest.fixture
def changed_schema(scratch: ScratchRepo) -> ScratchRepo:
    """A branch that changes db/users.sql, under a config declaring db/** a sql interface."""
    scratch.write(".github/review-tiers.yml", CONFIG)
    scratch.write("db/users.sql", BEFORE)
    scratch.commit("schema")
    scratch.branch("email")
    scratch.write("db/users.sql", AFTER)
    scratch.commit("add email")
    return scratch


def app_port(repo: ScratchRepo) -> FakePort:
    """The fake GitHub side of the branch: its files listing, config and head contents."""
    port = FakePort()
    port.pulls[7] = PullInfo(
        number=7,
        state="open",
        draft=False,
        author="dev",
        title="Add email",
        body="",
        head_sha="h1",
        base_ref="main",
        base_sha="b1",
        labels=(),
        requested_users=(),
        requested_teams=(),
    )
    port.files[7] = files_listing(repo)
    port.contents[("main", ".github/review-tiers.yml")] = CONFIG
    port.contents[("h1", "db/users.sql")] = AFTER
    return port


def run_app(port: FakePort) -> None:
    evaluate_pull(port, REPO, 7, RunInfo("d-1", (None,)), FakeGrantStore())


def test_offline_evaluation_gives_a_contents_detector_both_sides(
    changed_schema: ScratchRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = swap_sql_detector(monkeypatch, Needs.CONTENTS)

    result, evaluation = run_local(LocalRequest(changed_schema.root))

    assert evaluation is not None, result
    assert seen == [("db/users.sql", FileVersions(BEFORE, AFTER))]


def test_app_evaluation_gives_a_contents_detector_both_sides(
    changed_schema: ScratchRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = swap_sql_detector(monkeypatch, Needs.CONTENTS)

    run_app(app_port(changed_schema))

    assert seen == [("db/users.sql", FileVersions(BEFORE, AFTER))]


@pytest.mark.parametrize("needs", [Needs.HUNKS, Needs.PATHS])
def test_no_contents_are_read_for_a_detector_that_does_not_need_them(
    changed_schema: ScratchRepo, monkeypatch: pytest.MonkeyPatch, needs: Needs
) -> None:
    seen = swap_sql_detector(monkeypatch, needs)
    port = app_port(changed_schema)

    run_app(port)
    run_local(LocalRequest(changed_schema.root))

    assert seen == [("db/users.sql", None), ("db/users.sql", None)]
    assert not [c for c in port.calls if c[0] == "fetch_file" and c[1][0] == "db/users.sql"]
