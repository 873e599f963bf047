"""`review-tiers evaluate` reads the branch from git's listings and the patch of only the files
that need one: the result equals a parse of the whole diff, on a real repository with every kind
of change git shows, and a patch or listing that disagrees stops the evaluation."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.core import diff_sections, hunk_lines
from bot.core.diff import DiffError
from bot.core.diff_sections import check_counts, scan_sections
from bot.core.git_listing import Counts, Listed, parse_raw
from bot.core.gitattributes import is_generated_content
from bot.core.models import ChangeSet
from bot.local import git_changes, local_git
from bot.local.git_changes import DIFF_OPTIONS, patch_sections
from bot.local.offline import LocalRequest, run_local
from tests.builders import ScratchRepo
from tests.stream_repo import (
    CONFIG,
    Everything,
    build_base,
    build_head,
    evaluation_of,
    new_changes,
    old_changes,
    without_lines,
)


@pytest.fixture
def repo(scratch: ScratchRepo) -> ScratchRepo:
    build_base(scratch)
    scratch.branch("feature")
    build_head(scratch)
    return scratch


def test_reading_every_file_in_full_equals_the_whole_diff_parse(repo: ScratchRepo) -> None:
    old, new = old_changes(repo), new_changes(repo, Everything())
    assert [f.path for f in new.files] == [f.path for f in old.files]
    assert new == old
    statuses = {f.path: f.status for f in new.files}
    assert statuses["app/gone.py"] == "removed" and statuses["lib/moved.py"] == "renamed"
    assert statuses["app/to_empty.txt"] == "removed" and statuses["app/from_empty.txt"] == "added"
    assert [f.status for f in new.files if f.path == "app/link_me.txt"] == ["removed", "added"]


def test_the_rules_lines_are_read_and_everything_else_equals_without_lines(
    repo: ScratchRepo,
) -> None:
    old, new = old_changes(repo), new_changes(repo)
    patched = {"billing/amounts.py", "src/acme/api/users.py"}
    markers = {"gen/kept.pb.go", "gen/claims.go", "gen/new.pb.go"}
    for before, after in zip(old.files, new.files, strict=True):
        if after.path in patched:
            assert after == before
        elif after.path in markers:
            # Marker candidates have their patch read for the first lines only.
            assert after == without_lines(before)
        else:
            # The others come from git's listings: no lines, and first lines without a marker.
            assert not is_generated_content(before.head_prefix)
            assert after == dataclasses.replace(
                without_lines(before), head_prefix=after.head_prefix, base_prefix=after.base_prefix
            )
    assert evaluation_of(repo, new) == evaluation_of(repo, old)


def test_the_evaluation_finds_the_same_touches_and_markers(repo: ScratchRepo) -> None:
    facts = evaluation_of(repo, new_changes(repo)).facts
    assert [t.id for t in facts.invariants] == ["money-is-integer-cents"]
    assert [t.id for t in facts.interfaces] == ["public-api"]
    refused = [r.message.split(":")[0] for r in facts.size.refused_markers]
    assert refused == ["gen/claims.go", "gen/new.pb.go"]
    assert "gen/kept.pb.go" in facts.size.ignored_files


def test_the_cli_path_gives_the_same_tier_as_the_whole_diff(repo: ScratchRepo) -> None:
    request = LocalRequest(repo=repo.root, base="main", head="feature", config_file=CONFIG)
    _, evaluation = run_local(request)
    assert evaluation is not None
    old = evaluation_of(repo, old_changes(repo))
    assert evaluation.decision == old.decision
    assert evaluation.facts == old.facts


def test_files_no_rule_reads_build_no_lines(
    scratch: ScratchRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(300):
        scratch.write(f"pkg/m{n}.py", "".join(f"v{n}_{k} = {k}\n" for k in range(40)))
    scratch.write("billing/pay.py", "amount = 1\n")
    scratch.commit("base")
    scratch.branch("feature")
    for n in range(300):
        scratch.write(f"pkg/m{n}.py", "".join(f"v{n}_{k} = {k + 1}\n" for k in range(40)))
    scratch.write("billing/pay.py", "amount = float(1)\n")
    scratch.commit("touch everything")
    fed: list[str] = []
    full: list[bytes] = []
    real_line, real_full = hunk_lines.Collector.line, diff_sections._full_lines

    def counted_line(self: hunk_lines.Collector, mark: str, value: str) -> None:
        fed.append(value)
        real_line(self, mark, value)

    def counted_full(body: bytes) -> hunk_lines.HunkLines:
        full.append(body)
        return real_full(body)

    monkeypatch.setattr(hunk_lines.Collector, "line", counted_line)
    monkeypatch.setattr(diff_sections, "_full_lines", counted_full)
    monkeypatch.setattr("bot.core.diff.PatchSet", None)  # the whole-diff parser is not used
    asked: list[list[bytes] | None] = []
    real_sections = git_changes.patch_sections

    def recorded(
        repo: Path,
        rng: local_git.Range,
        args: tuple[str, ...] = (),
        paths: list[bytes] | None = None,
    ) -> Iterator[bytes]:
        asked.append(paths)
        return real_sections(repo, rng, args, paths)

    monkeypatch.setattr(git_changes, "patch_sections", recorded)
    changes = new_changes(scratch)
    # git is asked for the patch of the one file a rule reads, and nothing else.
    assert asked == [[b"billing/pay.py"]]
    assert len(full) == 1 and b"float(1)" in full[0]
    # Each other file has only the hunk covering line 1 read, up to its first lines.
    assert len(fed) <= 2 + 300 * 2 * hunk_lines.PREFIX_LINES
    counted = {f.path: (f.additions, f.deletions, len(f.added_lines)) for f in changes.files}
    assert counted["pkg/m7.py"] == (40, 40, 0)
    assert counted["billing/pay.py"] == (1, 1, 1)


def listing(repo: ScratchRepo) -> tuple[local_git.Range, tuple[Listed, ...]]:
    rng = local_git.pick_range(repo.root, "main", "feature")
    raw = local_git.git_bytes(repo.root, "diff", "--raw", "-z", *DIFF_OPTIONS, rng.base, rng.head)
    return rng, parse_raw(raw)


def test_counts_that_disagree_with_the_patch_stop_the_evaluation(repo: ScratchRepo) -> None:
    rng, entries = listing(repo)
    scanned = scan_sections(entries, patch_sections(repo.root, rng), Everything())
    counts = [
        Counts(
            s.entry.path,
            s.entry.previous,
            *((None, None) if s.binary else (s.additions, s.deletions)),
        )
        for s in scanned.values()
    ]
    assert len(check_counts(entries, scanned, tuple(counts)).files) >= len(entries)
    index = next(i for i, s in scanned.items() if s.entry.name == "app/main.py")
    counts[index] = dataclasses.replace(counts[index], additions=1)
    with pytest.raises(DiffError, match=r"app/main\.py: --numstat counts \+1 -3, the patch \+3 -3"):
        check_counts(entries, scanned, tuple(counts))
    with pytest.raises(DiffError, match="listed"):
        check_counts(entries, scanned, tuple(counts[1:]))
    binary = next(i for i, s in scanned.items() if s.entry.name == "app/image.bin")
    counts[index] = dataclasses.replace(counts[index], additions=3)
    counts[binary] = dataclasses.replace(counts[binary], additions=0, deletions=0)
    with pytest.raises(DiffError, match=r"image\.bin: the patch says binary"):
        check_counts(entries, scanned, tuple(counts))


def test_a_patch_that_skips_a_file_stops_the_evaluation(repo: ScratchRepo) -> None:
    rng, entries = listing(repo)
    sections = list(patch_sections(repo.root, rng))
    with pytest.raises(DiffError, match="does not follow its listing"):
        scan_sections(entries, iter(sections[:2] + sections[3:]), Everything())
    with pytest.raises(DiffError, match="lacks"):
        scan_sections(entries[:-1], iter(sections), Everything())


def test_a_range_without_changes_is_empty(scratch: ScratchRepo) -> None:
    scratch.write("a.txt", "a\n")
    scratch.commit("base")
    scratch.branch("feature")
    scratch.commit("nothing")
    assert new_changes(scratch) == old_changes(scratch) == ChangeSet(files=())


def test_paths_given_to_git_in_many_batches_give_the_same_result(
    repo: ScratchRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    one_go = new_changes(repo)
    monkeypatch.setattr(git_changes, "ARGUMENT_BYTES", 1)
    assert new_changes(repo) == one_go
