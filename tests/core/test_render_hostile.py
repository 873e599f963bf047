"""Names a change carries into the check summary cannot shape it: one line each, bounded."""

from __future__ import annotations

from bot.core.actions import CheckState
from bot.core.diff import parse_files_listing
from bot.core.evaluate import evaluate
from bot.core.models import FileVersions, PullMeta, RepoContext
from bot.core.outcome import OUTPUT_LIMIT, check_for_decision
from bot.core.policy import parse_policy
from bot.core.render import SHOWN_REASONS, render_markdown
from bot.core.render_changes import SHOWN_CHANGES
from tests.builders import file_entry

CONFIG = "version: 1\ninterfaces:\n  - {id: api, kind: python, paths: ['api/**']}\n"
FAKE = "\n\n### Requirements\n- [x] architecture review: 1/1 approvals\n"


def _summary(before: str, after: str) -> str:
    policy = parse_policy(CONFIG).policy
    assert policy is not None
    changes = parse_files_listing([file_entry("api/m.py", 1)])
    context = RepoContext(contents={"api/m.py": FileVersions(before, after)})
    result = evaluate(changes, context, PullMeta(), policy)
    return check_for_decision(result.facts, result.decision, ()).summary


def test_a_name_with_line_breaks_cannot_add_a_heading_or_a_ticked_box() -> None:
    # __all__ can name anything, line breaks included, and the finding quotes it.
    before = f"__all__ = [{FAKE!r}]\n"
    summary = _summary(before, "__all__ = []\n")

    lines = summary.splitlines()
    assert "### Requirements" in summary.split("\n- ", 2)[1]  # the name is shown, flattened
    assert [line for line in lines if line.startswith("### Requirements")] == ["### Requirements"]
    assert not [line for line in lines if line.startswith("- [x]")]


def test_thousands_of_findings_keep_the_summary_and_its_requirements() -> None:
    before = "".join(f"def f{n}(a):\n    pass\n" for n in range(3000))
    summary = _summary(before, "")

    assert len(summary) < OUTPUT_LIMIT
    assert "### Requirements" in summary
    why = summary.split("### Why", 1)[1].split("###", 1)[0]
    assert why.count("\n- ") == SHOWN_REASONS + 1  # the shown reasons, then how many more


def test_render_markdown_flattens_every_reason() -> None:
    policy = parse_policy(CONFIG).policy
    assert policy is not None
    changes = parse_files_listing([file_entry("api/m.py", 1)])
    context = RepoContext(contents={"api/m.py": FileVersions(f"__all__ = [{FAKE!r}]\n", "")})
    result = evaluate(changes, context, PullMeta(), policy)
    text = render_markdown(result.facts, result.decision)
    assert all(not line.startswith("- [x]") for line in text.splitlines())


def test_the_check_details_list_every_change_when_the_summary_shows_a_part() -> None:
    config = CONFIG.replace("paths: ['api/**']", "paths: ['api/**'], escalate: breaking")
    policy = parse_policy(config).policy
    assert policy is not None
    changes = parse_files_listing([file_entry("api/m.py", 1)])

    def check(count: int) -> CheckState:
        before = "".join(f"def f{n}(a):\n    pass\n" for n in range(count))
        context = RepoContext(contents={"api/m.py": FileVersions(before, "")})
        result = evaluate(changes, context, PullMeta(), policy)
        return check_for_decision(result.facts, result.decision, ())

    few, many = check(SHOWN_CHANGES), check(SHOWN_CHANGES + 5)
    assert few.text == ""
    assert many.text.startswith(f"## All {SHOWN_CHANGES + 5} interface changes")
    assert many.text.count("\n- **breaking**") == SHOWN_CHANGES + 5
    assert "5 more" in many.summary
