"""The "many owners" L3 trigger counts owned areas, not names on one CODEOWNERS line."""

from __future__ import annotations

from bot.core.blast import classify_owner_areas
from bot.core.diff import parse_files_listing
from bot.core.evaluate import Evaluation, evaluate
from bot.core.models import FileChange, PullMeta, RepoContext, Tier
from bot.core.policy import parse_policy
from bot.core.schema import policy_schema
from tests.builders import file_entry

CODEOWNERS = """\
*                 @b/w
/core/            @a/x
/web/             @a/y @a/z
/web/legacy/      @A/Z @a/y
/cli/             @o1 @o2 @o3 @o4 @o5
/cli/vendored/
/docs/            docs@example.com
"""


def run(*paths: str) -> Evaluation:
    return evaluate(
        parse_files_listing([file_entry(p, 2) for p in paths]),
        RepoContext(codeowners=CODEOWNERS),
        PullMeta(),
        parse_policy("version: 1\n").policy,
    )


def test_five_co_owners_on_one_line_are_one_area() -> None:
    result = run("cli/main.go", "cli/flags.go", "cli/help.go")
    assert result.facts.owners == ("@o1", "@o2", "@o3", "@o4", "@o5")  # unchanged fact
    assert result.facts.owner_areas == (("@o1", "@o2", "@o3", "@o4", "@o5"),)
    assert result.decision.tier is Tier.L2
    assert "owners" not in [r.code for r in result.decision.reasons]


def test_three_entries_with_different_owners_reach_l3() -> None:
    result = run("core/a.py", "web/b.ts", "README.txt")
    assert result.decision.tier is Tier.L3
    (reason,) = [r for r in result.decision.reasons if r.code == "owners"]
    assert reason.message == "3 owned areas reach the L3 threshold of 3: @a/x; @a/y, @a/z; @b/w"


def test_entries_naming_the_same_owners_are_one_area() -> None:
    # /web/ and /web/legacy/ name the same two teams (in another order and case).
    areas = run("web/b.ts", "web/legacy/c.ts", "core/a.py").facts.owner_areas
    assert areas == (("@a/x",), ("@a/y", "@a/z"))


def test_an_entry_without_owners_is_no_area() -> None:
    result = run("cli/vendored/lib.go", "core/a.py", "docs/guide.txt")
    assert result.facts.owner_areas == (("@a/x",), ("docs@example.com",))


def test_both_sides_of_a_rename_count() -> None:
    moved = FileChange("core/b.py", status="renamed", previous_path="web/b.ts")
    areas = classify_owner_areas([moved, FileChange("README.txt")], CODEOWNERS)
    assert areas == (("@a/x",), ("@a/y", "@a/z"), ("@b/w",))


def test_no_codeowners_no_areas() -> None:
    assert classify_owner_areas([FileChange("a.py")], None) == ()


def test_the_schema_describes_min_owners_as_owned_areas() -> None:
    tiers = policy_schema()["properties"]["tiers"]["properties"]
    description = tiers["L3"]["properties"]["when"]["properties"]["min_owners"]["description"]
    assert description.startswith("At least this many owned areas")
