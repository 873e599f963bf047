"""The streamed read of a branch on names git quotes, submodules, generated-code markers and
renames among files read and not read: the same as the whole-diff parse where that can read them."""

from __future__ import annotations

import pytest

from bot.core.diff import DiffError
from bot.core.diff_select import marker_candidates
from bot.local import git_changes, local_git
from bot.local.git_changes import GREP_OPTIONS
from tests.builders import ScratchRepo
from tests.stream_repo import (
    GO_MARKER,
    Everything,
    evaluation_of,
    new_changes,
    old_changes,
)


def test_odd_paths_arrive_byte_for_byte(scratch: ScratchRepo) -> None:
    names = [
        "a b/c d.txt",
        "with space.txt",
        "caf\u00e9/\u00fcber.py",
        'quo"te.txt',
        "back\\slash.txt",
        "new\nline.txt",
    ]
    scratch.write("keep.txt", "k\n")
    scratch.commit("base")
    scratch.branch("feature")
    for name in names:
        scratch.write(name, "one\ntwo\n")
    scratch.git("mv", "keep.txt", "k\u00e9ep \u00e9.txt")
    scratch.commit("odd names")
    changes = new_changes(scratch, Everything())
    by_path = {f.path: f for f in changes.files}
    assert set(by_path) == {*names, "k\u00e9ep \u00e9.txt"}
    assert by_path["k\u00e9ep \u00e9.txt"].previous_path == "keep.txt"
    assert all(by_path[n].added_lines == ("one", "two") for n in names)
    # Read from the listings, and with a marker through git grep and a patch of that name only.
    scratch.write("new\nline.txt", GO_MARKER)
    scratch.commit("a marker")
    listed = {f.path: f for f in new_changes(scratch).files}
    assert set(listed) == set(by_path)
    assert listed["new\nline.txt"].head_prefix == (GO_MARKER.strip(),)
    assert listed["with space.txt"].additions == 2
    # The whole-diff parse reads quoted names as written and stumbles on " b/" inside a name.
    with pytest.raises(DiffError, match="Target without source"):
        old_changes(scratch)


def test_names_with_spaces_read_like_the_whole_diff(scratch: ScratchRepo) -> None:
    scratch.write("with space.txt", "one\n")
    scratch.write("dir name/x y.py", "a\n")
    scratch.commit("base")
    scratch.branch("feature")
    scratch.write("with space.txt", "one\ntwo\n")
    scratch.git("mv", "dir name/x y.py", "dir name/x z.py")
    scratch.write("fresh file.md", "# hi\n")
    scratch.commit("spaces")
    assert new_changes(scratch, Everything()) == old_changes(scratch)


def test_a_submodule_change_is_read_like_the_whole_diff(scratch: ScratchRepo) -> None:
    first, second = "1" * 40, "2" * 40
    scratch.git("update-index", "--add", "--cacheinfo", f"160000,{first},vendor/lib")
    scratch.git("commit", "-q", "-m", "base")
    scratch.branch("feature")
    scratch.git("update-index", "--cacheinfo", f"160000,{second},vendor/lib")
    scratch.git("commit", "-q", "-m", "bump")
    new, old = new_changes(scratch, Everything()), old_changes(scratch)
    assert new == old
    assert (new.files[0].additions, new.files[0].deletions) == (1, 1)


def test_only_a_marker_in_the_first_lines_makes_a_candidate(scratch: ScratchRepo) -> None:
    scratch.write("a/early.go", "package a\n")
    scratch.write("a/late.go", "package a\n")
    scratch.commit("base")
    scratch.branch("feature")
    scratch.write("a/early.go", "\n" * 4 + GO_MARKER + "package a\n")
    scratch.write("a/late.go", "\n" * 5 + GO_MARKER + "package a\n")
    scratch.commit("markers")
    rng = local_git.pick_range(scratch.root, "main", "feature")
    out = b"".join(
        git_changes._batched(
            scratch.root, (*GREP_OPTIONS, rng.head), [(b"a/early.go",), (b"a/late.go",)]
        )
    )
    assert marker_candidates(out) == {b"a/early.go"}
    assert evaluation_of(scratch, new_changes(scratch)) == evaluation_of(
        scratch, old_changes(scratch)
    )


def test_renames_pair_as_in_the_whole_diff_when_only_some_files_are_read(
    scratch: ScratchRepo,
) -> None:
    body = "".join(f"row {n} = {n}\n" for n in range(30))
    scratch.write("billing/a.py", body)
    scratch.write("keep.txt", "".join(f"k{n}\n" for n in range(10)))
    scratch.commit("base")
    scratch.branch("feature")
    (scratch.root / "billing/a.py").unlink()
    scratch.write("other/b.py", body.replace("row 29", "row twenty-nine"))
    scratch.write("billing/c.py", body.replace("row 1 ", "row one ").replace("row 2 ", "row two "))
    for n in range(12):
        scratch.write(f"misc/f{n}.txt", f"{n}\n")
    scratch.commit("move and copy")
    old, new = old_changes(scratch), new_changes(scratch)
    assert {f.path: f.status for f in new.files if f.path != "keep.txt"} == {
        f.path: f.status for f in old.files
    }
    assert next(f for f in new.files if f.path == "other/b.py").previous_path == "billing/a.py"
    assert [f for f in new.files if f.path.startswith(("billing", "other"))] == [
        f for f in old.files if f.path.startswith(("billing", "other"))
    ]
    assert evaluation_of(scratch, new) == evaluation_of(scratch, old)
