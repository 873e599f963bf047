"""Required checks in the config: bare names, pinned sources, errors with lines, warnings."""

from __future__ import annotations

import jsonschema
import pytest

from bot.core.check_requirements import CheckRequirement, CheckSource
from bot.core.policy import parse_policy
from bot.core.schema import policy_schema


def config(*entries: str) -> str:
    """A config whose L2 requires ``entries`` (YAML list items), one per line from line 4."""
    items = "".join(f"      - {entry}\n" for entry in entries)
    return f"version: 1\ntiers:\n  L2:\n    checks:\n{items}"


def test_a_bare_name_is_any_source_and_warned_about_with_its_line() -> None:
    result = parse_policy(config("lint", "{name: test, source: any}"))
    assert result.policy is not None
    assert result.policy.tiers.l2.checks == (CheckRequirement("lint"), CheckRequirement("test"))
    assert not any(check.pinned for check in result.policy.tiers.l2.checks)
    # Only the bare string warns: `source: any` says the choice out loud.
    [warning] = result.warnings
    assert (warning.path, warning.line) == ("tiers.L2.checks[0]", 5)
    assert "unpinned" in warning.message and "{name: lint, app: github-actions}" in warning.message


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (
            "{name: test, app: github-actions}",
            CheckRequirement("test", CheckSource.APP, "github-actions"),
        ),
        ("{name: test, app: 15368}", CheckRequirement("test", CheckSource.APP, 15368)),
        ("{name: test, app: '15368'}", CheckRequirement("test", CheckSource.APP, "15368")),
        (
            "{name: test, workflow: CI}",
            CheckRequirement("test", CheckSource.WORKFLOW, workflow="CI"),
        ),
        ("{name: lint, status: true}", CheckRequirement("lint", CheckSource.STATUS)),
    ],
    ids=["app-slug", "app-id", "app-slug-of-digits", "workflow", "status"],
)
def test_each_source_parses(entry: str, expected: CheckRequirement) -> None:
    result = parse_policy(config(entry))
    assert result.problems == () and result.warnings == ()
    assert result.policy is not None and result.policy.tiers.l2.checks == (expected,)
    assert expected.pinned


@pytest.mark.parametrize(
    ("entry", "path", "needle"),
    [
        ("{name: test, ap: github-actions}", "tiers.L2.checks[1].ap", "did you mean 'app'?"),
        ("{name: test}", "tiers.L2.checks[1]", "names no source: add one of app, workflow"),
        ("{name: test, app: ci, workflow: CI}", "tiers.L2.checks[1]", "(app and workflow)"),
        ("{name: lint, status: false}", "tiers.L2.checks[1].status", "must be true, not false"),
        ("{name: lint, source: ci}", "tiers.L2.checks[1].source", 'must be "any"'),
        ("{name: lint, app: true}", "tiers.L2.checks[1].app", "text or a whole number"),
        ("{app: ci}", "tiers.L2.checks[1].name", "required key is missing"),
        ("{name: '', app: ci}", "tiers.L2.checks[1].name", "must not be empty"),
        ("''", "tiers.L2.checks[1]", "must not be empty"),
        ("42", "tiers.L2.checks[1]", "must be text or a mapping, not the number 42"),
    ],
)
def test_errors_name_key_path_and_line(entry: str, path: str, needle: str) -> None:
    result = parse_policy(config("lint", entry))
    assert result.policy is None
    # A misspelt source key is also a missing source: each finding is reported.
    [problem] = [p for p in result.problems if p.path == path]
    assert problem.line == 6 and needle in problem.message, result.problems


def test_the_published_schema_accepts_each_form_and_refuses_two_sources() -> None:
    validator = jsonschema.Draft202012Validator(policy_schema())
    entries = ["lint", {"name": "t", "app": 1}, {"name": "t", "workflow": "CI"}]
    entries += [{"name": "t", "status": True}, {"name": "t", "source": "any"}]
    assert validator.is_valid({"version": 1, "tiers": {"L3": {"checks": entries}}})
    both = {"name": "t", "status": True, "source": "any"}
    assert not validator.is_valid({"version": 1, "tiers": {"L1": {"checks": [both]}}})


def test_requirements_describe_their_source() -> None:
    assert CheckRequirement("test", CheckSource.APP, 15368).describe() == (
        "check `test` from app 15368"
    )
    assert "unpinned" in CheckRequirement("lint").describe()
    assert CheckRequirement("lint", CheckSource.STATUS).as_json() == {
        "name": "lint",
        "source": "status",
        "pinned": True,
    }
