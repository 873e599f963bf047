"""A path given to git for a patch also names the directory of the same name: a file replaced by
a directory brings the directory's files into a patch asked for the file alone, and into each
batch that names it. The streamed read passes over those sections and equals the whole-diff parse;
a section of no listed file, or a selected file without its section, still stops it."""

from __future__ import annotations

import dataclasses

import pytest

from bot.core.diff import DiffError
from bot.core.diff_sections import scan_selected
from bot.core.git_listing import Listed, parse_raw
from bot.core.models import ChangeSet
from bot.local import git_changes, local_git
from bot.local.git_changes import DIFF_OPTIONS, patch_sections
from bot.local.offline import LocalRequest, run_local
from tests.builders import ScratchRepo
from tests.stream_repo import CONFIG, evaluation_of, new_changes, old_changes, without_lines

FILLERS = 10


@pytest.fixture
def replaced(scratch: ScratchRepo) -> ScratchRepo:
    """``app/settings`` is an empty file on main and a directory on the branch; an empty file
    always has its patch read (the whole-diff parse reads it as removed)."""
    scratch.write("app/settings", "")
    for n in range(FILLERS):
        scratch.write(f"f{n}.txt", f"{n}\n")
    scratch.commit("base")
    scratch.branch("feature")
    (scratch.root / "app/settings").unlink()
    scratch.write("app/settings/prod", "DEBUG = False\n")
    scratch.write("app/settings/dev", "DEBUG = True\n")
    for n in range(FILLERS):
        scratch.write(f"f{n}.txt", f"{n}\nmore\n")
    scratch.commit("settings become a package")
    return scratch


def same_as_whole_diff(new: ChangeSet, old: ChangeSet, read: set[str]) -> None:
    """``new`` equals the whole-diff parse: in full for the files in ``read``, without lines
    (and first lines, none of which holds a marker) for the files built from the listings."""
    assert [f.path for f in new.files] == [f.path for f in old.files]
    for after, before in zip(new.files, old.files, strict=True):
        if after.path in read:
            assert after == before
        else:
            assert after == dataclasses.replace(
                without_lines(before), head_prefix=after.head_prefix, base_prefix=after.base_prefix
            )


def test_a_file_replaced_by_a_directory_reads_like_the_whole_diff(replaced: ScratchRepo) -> None:
    old, new = old_changes(replaced), new_changes(replaced)
    same_as_whole_diff(new, old, {"app/settings"})
    assert [(f.path, f.status) for f in new.files][:3] == [
        ("app/settings", "removed"),
        ("app/settings/dev", "added"),
        ("app/settings/prod", "added"),
    ]
    assert evaluation_of(replaced, new) == evaluation_of(replaced, old)
    _, evaluation = run_local(
        LocalRequest(repo=replaced.root, base="main", head="feature", config_file=CONFIG)
    )
    assert evaluation is not None
    assert evaluation.facts == evaluation_of(replaced, old).facts


def test_a_file_renamed_into_the_new_directory_reads_like_the_whole_diff(
    replaced: ScratchRepo,
) -> None:
    # Asked for without rename detection, the renamed file's section shows its new path alone.
    replaced.git("checkout", "-q", "main")
    replaced.write("conf/live", "".join(f"setting_{n} = {n}\n" for n in range(30)))
    replaced.commit("a live configuration")
    replaced.git("checkout", "-q", "feature")
    replaced.git("merge", "-q", "main", "-m", "update")
    replaced.git("mv", "conf/live", "app/settings/live")
    replaced.commit("move it into the package")
    old, new = old_changes(replaced), new_changes(replaced)
    assert ("app/settings/live", "conf/live") in {(f.path, f.previous_path) for f in new.files}
    same_as_whole_diff(new, old, {"app/settings"})


def test_batches_that_each_bring_in_a_file_read_it_once(
    replaced: ScratchRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One path per batch: the batch of app/settings brings in app/settings/prod again.
    monkeypatch.setattr(git_changes, "ARGUMENT_BYTES", 1)
    needs = {"app/settings", "app/settings/prod"}
    asked: list[list[bytes] | None] = []
    real_sections = git_changes.patch_sections

    def recorded(
        repo: object, rng: local_git.Range, args: tuple[str, ...] = (), paths: object = None
    ) -> object:
        assert isinstance(paths, list)
        asked.append(paths)
        return real_sections(replaced.root, rng, args, paths)

    monkeypatch.setattr(git_changes, "patch_sections", recorded)
    new = new_changes(replaced, needs)
    assert asked == [[b"app/settings"], [b"app/settings/prod"]]
    same_as_whole_diff(new, old_changes(replaced), needs)


def selected_patch(repo: ScratchRepo, paths: list[bytes]) -> tuple[tuple[Listed, ...], list[bytes]]:
    rng = local_git.pick_range(repo.root, "main", "feature")
    raw = local_git.git_bytes(repo.root, "diff", "--raw", "-z", *DIFF_OPTIONS, rng.base, rng.head)
    args = ("-c", "core.quotePath=false", "diff", *git_changes.PLAIN_OPTIONS, "--no-renames")
    sections = patch_sections(repo.root, rng, (*args, *git_changes.PATCH_OPTIONS), paths)
    return parse_raw(raw), list(sections)


def test_unknown_or_missing_sections_still_stop_the_read(replaced: ScratchRepo) -> None:
    entries, sections = selected_patch(replaced, [b"app/settings"])
    assert len(sections) == 3
    assert entries[0].path == b"app/settings"
    assert scan_selected(entries, [0], sections, set()).keys() == {0}
    stray = b"diff --git a/elsewhere b/elsewhere\nnew file mode 100644\n"
    with pytest.raises(DiffError, match="lacks"):
        scan_selected(entries, [0], [*sections, stray], set())
    with pytest.raises(DiffError, match=r"app/settings in 0 sections"):
        scan_selected(entries, [0], sections[1:], set())
    # The same header twice with different content is no repeat.
    changed = sections[0].replace(b"deleted file mode", b"deleted file mode ")
    with pytest.raises(DiffError, match=r"app/settings in 2 sections"):
        scan_selected(entries, [0], [*sections, changed], set())
