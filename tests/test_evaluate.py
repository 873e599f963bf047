"""Acceptance of `review-tiers evaluate` on scratch git repositories built by the tests."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from bot.cli import main
from tests.builders import ScratchRepo, lines

SPEC_CONFIG = Path(__file__).parent / "fixtures" / "configs" / "spec-example.yml"


def run_json(repo: ScratchRepo, capsys: pytest.CaptureFixture[str], *extra: str) -> dict:
    code = main(["evaluate", "--repo", str(repo.root), "--format", "json", *extra])
    out = capsys.readouterr()
    assert code == 0, out.err
    return json.loads(out.out)


def codes(result: dict) -> list[str]:
    return [r["code"] for r in result["reasons"]]


def test_docs_only_small_change_is_l1(scratch: ScratchRepo, capsys) -> None:
    scratch.branch("docs")
    scratch.write("docs/guide.md", lines(5))
    scratch.commit("docs")
    result = run_json(scratch, capsys)
    assert result["tier"] == "L1"
    assert codes(result) == ["low-risk"]
    assert result["size"] == {
        "label": "XS",
        "lines": 5,
        "additions": 5,
        "deletions": 0,
        "files": 1,
        "ignored_files": [],
    }
    assert result["labels"] == ["tier/L1", "size/XS"]


def test_code_change_is_l2(scratch: ScratchRepo, capsys) -> None:
    scratch.branch("code")
    scratch.write("src/app.py", lines(12))
    scratch.commit("code")
    result = run_json(scratch, capsys)
    assert result["tier"] == "L2"
    assert codes(result) == ["default"]
    assert result["size"]["label"] == "S"


def test_invariant_touch_with_spec_config_is_l3(scratch: ScratchRepo, capsys) -> None:
    scratch.write("billing/ledger.py", "def total(cents: int) -> int:\n    return cents\n")
    scratch.commit("ledger")
    scratch.branch("float")
    scratch.write("billing/ledger.py", "def total(cents: int) -> float:\n    return float(cents)\n")
    scratch.commit("float")
    result = run_json(scratch, capsys, "--config", str(SPEC_CONFIG))
    assert result["tier"] == "L3"
    assert result["invariants"] == ["money-is-integer-cents"]
    invariant = [r for r in result["reasons"] if r["code"] == "invariant"]
    assert len(invariant) == 1
    assert "money-is-integer-cents" in invariant[0]["message"]
    assert "Monetary amounts are integer cents, never floats." in invariant[0]["message"]
    groups = {g["group"]: g for g in result["requirements"]}
    assert groups["architecture review"]["members"] == ["@acme/architects"]
    assert groups["owner @acme/payments (money-is-integer-cents)"]["required"] == 1


def test_invariant_path_without_matching_line_is_not_touched(scratch: ScratchRepo, capsys) -> None:
    scratch.branch("ints")
    scratch.write("billing/ledger.py", "def total(cents: int) -> int:\n    return cents\n")
    scratch.commit("ints")
    result = run_json(scratch, capsys, "--config", str(SPEC_CONFIG))
    assert result["invariants"] == []
    assert result["tier"] == "L2"


API_BEFORE = """def get_user(user_id: int) -> dict:
    return {"id": user_id}


def _helper(x):
    return x
"""


@pytest.mark.parametrize(
    ("after", "touched"),
    [
        (API_BEFORE.replace("user_id: int", "user_id: str"), True),
        (API_BEFORE.replace('{"id": user_id}', '{"id": user_id, "v": 2}'), False),
        (API_BEFORE.replace("_helper", "_assist"), False),
    ],
    ids=["signature-change", "body-only", "private-rename"],
)
def test_python_interface(scratch: ScratchRepo, capsys, after: str, touched: bool) -> None:
    scratch.write("src/acme/api/users.py", API_BEFORE)
    scratch.commit("api")
    scratch.branch("change")
    scratch.write("src/acme/api/users.py", after)
    scratch.commit("change")
    result = run_json(scratch, capsys, "--config", str(SPEC_CONFIG))
    assert (result["interfaces"] == ["public-api"]) is touched
    assert (result["tier"] == "L3") is touched
    if touched:
        messages = [r["message"] for r in result["reasons"] if r["code"] == "interface"]
        assert any("get_user" in m for m in messages)


MULTILINE_API = """def get_user(
    user_id: int,
    verbose: bool = False,
) -> dict:
    return {"id": user_id}
"""


def test_unparsable_interface_file_is_l3(scratch: ScratchRepo, capsys) -> None:
    # A 3.12 `type` statement (unparsable on 3.11) next to a re-typed continuation line.
    scratch.write("src/acme/api/users.py", MULTILINE_API)
    scratch.commit("api")
    scratch.branch("retype")
    after = "type UserId = str\n\n" + MULTILINE_API.replace("user_id: int", "user_id: UserId")
    scratch.write("src/acme/api/users.py", after)
    scratch.commit("retype")
    result = run_json(scratch, capsys, "--config", str(SPEC_CONFIG))
    assert result["interfaces"] == ["public-api"] and result["tier"] == "L3"
    if sys.version_info < (3, 12):
        assert [r["message"] for r in result["reasons"] if r["code"] == "unparsable"] == [
            "public-api: src/acme/api/users.py: the after version does not parse as Python "
            "(SyntaxError at line 1: invalid syntax); it counts as touching the interface"
        ]


def test_lock_file_is_excluded_from_size(scratch: ScratchRepo, capsys) -> None:
    scratch.branch("deps")
    scratch.write("package-lock.json", lines(900))
    scratch.write("src/app.py", lines(300))
    scratch.commit("deps")
    result = run_json(scratch, capsys)
    assert result["size"]["lines"] == 300
    assert result["size"]["ignored_files"] == ["package-lock.json"]


def test_pnpm_lock_bump_does_not_reach_the_hard_limit(scratch: ScratchRepo, capsys) -> None:
    scratch.write("pnpm-lock.yaml", lines(1253, "  /left-pad@1.3.0: integrity sha512-old"))
    scratch.commit("lock")
    scratch.branch("bump")
    scratch.write("pnpm-lock.yaml", lines(1253, "  /left-pad@1.3.1: integrity sha512-new"))
    scratch.write("package.json", '{"dependencies": {"left-pad": "1.3.1"}}\n')
    scratch.commit("bump")
    result = run_json(scratch, capsys)
    assert result["size"]["ignored_files"] == ["pnpm-lock.yaml"]
    assert result["size"]["lines"] == 1
    assert result["limits"]["hard_exceeded"] is False
    assert "hard-limit" not in codes(result)


def test_lone_carriage_returns_and_crlf_keep_git_line_counts(scratch: ScratchRepo, capsys) -> None:
    # A lone "\r" (not followed by "\n") in context and changed lines, as some real histories
    # hold, and a CRLF file: text-mode decoding turned each lone "\r" into a line break.
    scratch.write("src/banner.py", b"TOP = 'a\rb'\nx = 1\ny = 'c\rd'\nz = 3\n")
    scratch.write("scripts/run.bat", b"@echo off\r\nset A=1\r\ncall x\r\n")
    scratch.commit("base")
    scratch.branch("cr")
    scratch.write("src/banner.py", b"TOP = 'a\rb'\nx = 2\ny = 'c\rd'\nz = 'e\rf'\nw = 4\n")
    scratch.write("scripts/run.bat", b"@echo off\r\nset A=2\r\ncall x\r\ncall y\r\n")
    scratch.commit("cr")
    numstat = scratch.git("diff", "--numstat", "main", "HEAD").split()
    added = sum(int(n) for n in numstat[0::3])
    removed = sum(int(n) for n in numstat[1::3])

    result = run_json(scratch, capsys)

    assert (added, removed) == (5, 3)
    assert (result["size"]["additions"], result["size"]["deletions"]) == (added, removed)
    assert result["size"]["files"] == 2


MARKER = "# Code generated by protoc-gen. DO NOT EDIT.\n"


def test_generated_files_listed_but_not_counted(scratch: ScratchRepo, capsys) -> None:
    scratch.write(".gitattributes", "api/client.py linguist-generated=true\n")
    scratch.write("gen/models.py", MARKER + lines(99))
    scratch.commit("attributes and a generated file")
    scratch.branch("gen")
    scratch.write("api/client.py", lines(200))
    scratch.write("gen/models.py", MARKER + lines(99).replace("line 1\n", "line one\n"))
    scratch.write("src/app.py", lines(7))
    scratch.commit("generated")
    result = run_json(scratch, capsys)
    assert result["size"]["lines"] == 7
    assert sorted(result["size"]["ignored_files"]) == ["api/client.py", "gen/models.py"]
    assert "generated-marker-ignored" not in codes(result)


@pytest.mark.parametrize(("count", "tier", "hard"), [(1200, "L3", False), (2000, "L3", True)])
def test_a_marker_the_branch_writes_hides_nothing(
    scratch: ScratchRepo, capsys, count: int, tier: str, hard: bool
) -> None:
    scratch.branch("hide")
    scratch.write("src/payments.py", MARKER + lines(count - 1))
    scratch.commit("hand-written code under a marker")
    result = run_json(scratch, capsys)
    assert (result["size"]["lines"], result["size"]["label"]) == (count, "XXL")
    assert result["tier"] == tier and result["limits"]["hard_exceeded"] is hard
    marker = [r["message"] for r in result["reasons"] if r["code"] == "generated-marker-ignored"]
    assert len(marker) == 1 and marker[0].startswith("src/payments.py: ")


def test_size_generated_globs_are_read_from_the_base(scratch: ScratchRepo, capsys) -> None:
    config = "version: 1\nsize:\n  generated: ['**/*_pb2.py']\n"
    scratch.write(".github/review-tiers.yml", config)
    scratch.commit("policy")
    scratch.branch("proto")
    scratch.write("proto/user_pb2.py", lines(600))
    scratch.write("src/app.py", lines(4))
    scratch.commit("regenerate")
    result = run_json(scratch, capsys)
    assert result["size"]["lines"] == 4
    assert result["size"]["ignored_files"] == ["proto/user_pb2.py"]


def test_ai_trailer_marks_ai_assisted_and_at_least_l2(scratch: ScratchRepo, capsys) -> None:
    scratch.branch("ai")
    scratch.write("docs/guide.md", lines(3))
    scratch.commit("Tweak docs\n\nCo-authored-by: Claude <noreply@anthropic.com>")
    result = run_json(scratch, capsys)
    assert result["ai_assisted"] is True
    assert result["tier"] == "L2"
    assert "ai" in codes(result) and "ai-trailer" in codes(result)


def test_label_simulates_ai_assisted(scratch: ScratchRepo, capsys) -> None:
    scratch.branch("ai-label")
    scratch.write("docs/guide.md", lines(3))
    scratch.commit("docs")
    result = run_json(scratch, capsys, "--label", "ai-assisted")
    assert result["ai_assisted"] is True and result["tier"] == "L2"


def test_codeowners_on_base_give_owners(scratch: ScratchRepo, capsys) -> None:
    scratch.write(".github/CODEOWNERS", "*.py @acme/python\n/docs/ @acme/writers\n")
    scratch.commit("owners")
    scratch.branch("owned")
    scratch.write("src/app.py", lines(2))
    scratch.write("docs/a.md", lines(2))
    scratch.commit("change")
    result = run_json(scratch, capsys)
    assert result["owners"] == ["@acme/python", "@acme/writers"]
    assert result["reviewers"] == ["@acme/python", "@acme/writers"]


def test_config_read_from_base_not_head(scratch: ScratchRepo, capsys) -> None:
    scratch.branch("weaken")
    scratch.write(".github/review-tiers.yml", "version: 1\ntiers:\n  L1:\n    when: {}\n")
    scratch.write("src/app.py", lines(2))
    scratch.commit("weaken own policy")
    result = run_json(scratch, capsys)
    assert result["config"] == "built-in defaults"
    assert result["tier"] == "L2"


def test_text_and_markdown_formats(scratch: ScratchRepo, capsys) -> None:
    scratch.branch("code")
    scratch.write("src/app.py", lines(2))
    scratch.commit("code")
    assert main(["evaluate", "--repo", str(scratch.root)]) == 0
    text = capsys.readouterr().out
    assert text.startswith("tier: L2\n") and "[default]" in text and "bucket" in text
    assert main(["evaluate", "--repo", str(scratch.root), "--format", "markdown"]) == 0
    markdown = capsys.readouterr().out
    assert markdown.startswith("## Review tier: L2") and "### Requirements" in markdown


def test_diff_file_input(scratch: ScratchRepo, capsys, tmp_path: Path) -> None:
    scratch.branch("code")
    scratch.write("src/app.py", lines(40))
    scratch.commit("code")
    diff = tmp_path / "change.diff"
    diff.write_text(scratch.diff())
    result = run_json(scratch, capsys, "--diff", str(diff))
    assert result["size"]["lines"] == 40 and result["tier"] == "L2"


def test_evaluates_this_project(capsys) -> None:
    root = Path(__file__).resolve().parent.parent
    if not (root / ".git").exists():
        pytest.fail("the test suite runs from a git checkout of the project")
    assert main(["evaluate", "--repo", str(root)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("tier: L") and "reasons:" in out


def test_an_empty_change_has_nothing_to_classify(scratch: ScratchRepo, capsys) -> None:
    scratch.branch("same")  # the branch is its base: no file changed
    result = run_json(scratch, capsys)
    assert result["tier"] == "L1" and result["size"]["lines"] == 0
    assert result["reasons"] == [
        {"code": "empty", "message": "no file changed: nothing to classify"}
    ]
    assert main(["evaluate", "--repo", str(scratch.root)]) == 0
    text = capsys.readouterr().out
    assert text.startswith("tier: L1\n") and "[empty] no file changed" in text
    assert main(["evaluate", "--repo", str(scratch.root), "--format", "markdown"]) == 0
    markdown = capsys.readouterr().out
    assert "- `empty` no file changed: nothing to classify" in markdown
    assert "low-risk" not in text + markdown


BROKEN_CODEOWNERS = "* @acme/all\n\n!docs/ @acme/docs\nsrc/ octocat\n"


def test_codeowners_errors_are_warnings_in_every_format(scratch: ScratchRepo, capsys) -> None:
    scratch.write(".github/CODEOWNERS", BROKEN_CODEOWNERS)
    scratch.commit("owners")
    scratch.branch("code")
    scratch.write("src/app.py", lines(12))
    scratch.commit("code")
    result = run_json(scratch, capsys)
    assert result["tier"] == "L2" and result["owners"] == ["@acme/all"]
    assert [(e["path"], e["line"], e["kind"]) for e in result["codeowners_errors"]] == [
        (".github/CODEOWNERS", 3, "Invalid pattern"),
        (".github/CODEOWNERS", 4, "Invalid owner"),
    ]
    assert result["codeowners_errors"][1]["source"] == "src/ octocat"
    assert main(["evaluate", "--repo", str(scratch.root)]) == 0
    text = capsys.readouterr().out
    assert "CODEOWNERS warnings" in text
    assert "  - .github/CODEOWNERS line 3: pattern '!docs/': negation with '!'" in text
    assert "  - .github/CODEOWNERS line 4: 'octocat' is not an owner" in text
    assert main(["evaluate", "--repo", str(scratch.root), "--format", "markdown"]) == 0
    markdown = capsys.readouterr().out
    assert "### CODEOWNERS warnings" in markdown
    assert "- `.github/CODEOWNERS` line 4: 'octocat' is not an owner" in markdown


def test_codeowners_errors_are_read_at_the_base(scratch: ScratchRepo, capsys) -> None:
    # The branch breaks CODEOWNERS: the base's file decides, as on GitHub, so no warning yet.
    scratch.write("CODEOWNERS", "* @acme/all\n")
    scratch.commit("owners")
    scratch.branch("break")
    scratch.write("CODEOWNERS", "* @acme/all\nsrc/ octocat\n")
    scratch.commit("break")
    assert run_json(scratch, capsys)["codeowners_errors"] == []


def test_a_shadow_policy_is_named_and_the_exit_status_stays(
    scratch: ScratchRepo, capsys, tmp_path: Path
) -> None:
    scratch.branch("ledger")
    scratch.write("billing/ledger.py", "amount = float(x)\n")
    scratch.commit("ledger")
    config = tmp_path / "shadow.yml"
    config.write_text(SPEC_CONFIG.read_text() + "mode: shadow\n")
    result = run_json(scratch, capsys, "--config", str(config))
    assert (result["tier"], result["mode"]) == ("L3", "shadow")
    assert main(["evaluate", "--repo", str(scratch.root), "--config", str(config)]) == 0
    text = capsys.readouterr().out
    assert text.startswith("tier: L3\n") and "mode: shadow (the App shows this tier" in text
    assert main(["evaluate", "--repo", str(scratch.root), "--config", str(SPEC_CONFIG)]) == 0
    assert "mode: shadow" not in capsys.readouterr().out
    assert run_json(scratch, capsys, "--config", str(SPEC_CONFIG))["mode"] == "enforce"
