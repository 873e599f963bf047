"""Every glob the config validator accepts compiles when a pull request is evaluated, wherever
in the file it is written, and every glob it refuses is refused with its key path and line."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from bot.cli import main
from bot.core.diff import parse_files_listing
from bot.core.evaluate import evaluate
from bot.core.globs import GlobSet, glob_problem
from bot.core.models import PullMeta, RepoContext, Tier
from bot.core.policy import parse_policy
from tests.builders import file_entry

INVARIANT = "invariants:\n  - id: a\n    statement: s.\n    paths:\n      - {glob}\n"
INTERFACE = "interfaces:\n  - id: a\n    kind: generic\n    paths:\n      - {glob}\n"
# Each place a glob is written, with the line the glob is on and its key path.
PLACES = [
    ("size:\n  ignore:\n    - {glob}\n", 4, "size.ignore[0]"),
    ("size:\n  generated:\n    - {glob}\n", 4, "size.generated[0]"),
    (INVARIANT, 6, "invariants[0].paths[0]"),
    (INTERFACE, 6, "interfaces[0].paths[0]"),
    (
        "tiers:\n  L1:\n    when:\n      only_paths:\n        - {glob}\n",
        6,
        "tiers.L1.when.only_paths[0]",
    ),
    ("tiers:\n  L3:\n    when:\n      paths:\n        - {glob}\n", 6, "tiers.L3.when.paths[0]"),
    ("ai:\n  instruction_files:\n    - {glob}\n", 4, "ai.instruction_files[0]"),
]
NASTY = {
    "[[a]": None,
    "[a&&b]/**": None,
    "[]": "unclosed '['",
    "[!]": "unclosed '['",
    "docs/[0-9.md": "unclosed '['",
    "**/[z-a]": "bad character range z-a",
    "[[:digit:]]*": "character classes",
    "src\\": "unfinished escape",
    "é/**/ñ*.md": None,
    "日本語/**": None,
    "a" * 5_000: None,
    "*" * 2_000 + ".lock": None,
}
CHANGED = ["[", "a", "é/x/ñandú.md", "日本語/readme.md", "src/app.py", "docs/1.md", "x.lock"]


def config(place: str, glob: str) -> str:
    return "version: 1\n" + place.format(glob=f"'{glob}'")


@pytest.mark.parametrize(("place", "line", "path"), PLACES, ids=[p[2] for p in PLACES])
@pytest.mark.parametrize("glob", list(NASTY), ids=[g[:16] for g in NASTY])
def test_check_config_and_evaluation_agree(place: str, line: int, path: str, glob: str) -> None:
    result = parse_policy(config(place, glob))
    expected = NASTY[glob]
    if expected is not None:
        assert result.policy is None
        assert [(p.path, p.line) for p in result.problems] == [(path, line)]
        assert expected in result.problems[0].message
        with pytest.raises(ValueError, match="not a valid glob"):
            GlobSet.from_patterns([glob])
        return
    assert result.problems == (), [p.render() for p in result.problems]
    assert result.policy is not None
    listing = parse_files_listing([file_entry(name, 2) for name in CHANGED])
    evaluation = evaluate(listing, RepoContext(), PullMeta(author="dev"), result.policy)
    assert evaluation.decision.tier in Tier


@pytest.mark.parametrize("glob", list(NASTY), ids=[g[:16] for g in NASTY])
def test_the_verdict_does_not_depend_on_what_was_compiled_before(glob: str) -> None:
    first = glob_problem(glob)
    with contextlib.suppress(ValueError):
        GlobSet.from_patterns([glob, "docs/**"])
    assert glob_problem(glob) == first
    assert (
        parse_policy(config(PLACES[0][0], glob)).problems
        == parse_policy(config(PLACES[0][0], glob)).problems
    )


def test_check_config_names_a_bad_glob(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(config(PLACES[0][0], "[]"))
    good = tmp_path / "good.yml"
    good.write_text(config(PLACES[0][0], "[[a]"))

    assert main(["check-config", str(bad)]) == 1
    err = capsys.readouterr().err
    assert "line 4: size.ignore[0]: invalid glob '[]': unclosed '[' in pattern" in err
    assert main(["check-config", str(good)]) == 0


def test_an_accepted_bracket_glob_takes_files_out_of_the_count() -> None:
    policy = parse_policy(config(PLACES[0][0], "[[a]")).policy
    assert policy is not None
    listing = parse_files_listing([file_entry("[", 5), file_entry("a", 5), file_entry("b", 5)])
    facts = evaluate(listing, RepoContext(), PullMeta(author="dev"), policy).facts
    assert sorted(facts.size.ignored_files) == ["[", "a"]
