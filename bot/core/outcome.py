"""The check run's state for a decision and its progress, or for an invalid configuration."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.actions import CheckState
from bot.core.models import PullFacts, TierDecision
from bot.core.policy import PolicyResult
from bot.core.render import Progress, reason_code, render_markdown
from bot.core.render_changes import changes_details

OUTPUT_LIMIT = 65_535  # GitHub's cap on a check run's summary


def clip(text: str) -> str:
    if len(text) <= OUTPUT_LIMIT:
        return text
    return text[: OUTPUT_LIMIT - 40] + "\n\n(truncated to fit GitHub's limit)\n"


def check_for_decision(
    facts: PullFacts,
    decision: TierDecision,
    progress: Sequence[Progress],
    grants: Sequence[str] = (),
    docs_url: str = "",
) -> CheckState:
    """in_progress while requirements are open, success when all are met, failure over
    the hard size limit without an exception. ``grants`` are the override and exception
    lines: who granted what on which commit, and why labels were taken off; ``docs_url``
    is where reason codes link to ("" for no links)."""
    summary = clip(render_markdown(facts, decision, progress, grants, docs_url))
    text = clip(changes_details(facts))
    tier = decision.tier.value
    if decision.limits.hard_exceeded and not decision.limits.size_exception:
        title = f"{tier}: over the hard size limit"
        return CheckState("completed", "failure", title, summary, text)
    missing = [p for p in progress if not p.met]
    if not missing:
        return CheckState("completed", "success", f"{tier}: requirements met", summary, text)
    approvals = sum(p.required - p.obtained for p in missing if not p.name.startswith("check:"))
    checks = sum(1 for p in missing if p.name.startswith("check:"))
    waiting = [f"{approvals} approval(s)"] if approvals else []
    waiting += [f"{checks} check(s)"] if checks else []
    title = f"{tier}: waiting for {' and '.join(waiting)}"
    return CheckState("in_progress", None, title, summary, text)


def check_for_problems(result: PolicyResult) -> CheckState:
    """A failing check that lists every configuration error with key path and line."""
    rows = "\n".join(
        f"- `{p.path or '<root>'}` line {p.line or '?'}"
        + (f" of `{p.origin}`" if p.origin else "")
        + f": {p.message}"
        for p in result.problems
    )
    summary = (
        f"## Invalid review-tiers configuration\n\n`{result.source}` has "
        f"{len(result.problems)} error(s); no tier was decided.\n\n{rows}\n\n"
        "Fix the file on the base branch; `review-tiers check-config FILE` shows the same list.\n"
    )
    return CheckState("completed", "failure", "Invalid configuration", clip(summary))


def check_for_error(error: Exception) -> CheckState:
    """A failing check for a pull request GitHub would not let the App evaluate."""
    summary = (
        "## review-tiers could not evaluate this pull request\n\n"
        f"GitHub refused a request: {error}\n\n"
        "Check the App's permissions and installation, then add the recheck label or comment "
        "`/review-tiers recheck`.\n"
    )
    return CheckState("completed", "failure", "Evaluation failed", clip(summary))


def check_for_timeout(limit: float, docs_url: str = "") -> CheckState:
    """A failing check for an evaluation stopped at the job's time limit (reason ``timeout``)."""
    summary = (
        "## review-tiers could not evaluate this pull request in time\n\n"
        f"- {reason_code('timeout', docs_url)} the evaluation was stopped at its time limit of "
        f"{limit:.0f} s; no tier was decided.\n\n"
        "It is not retried automatically, since the same work would hit the same limit. Push, "
        "add the recheck label or comment `/review-tiers recheck` to evaluate again; if it keeps "
        "happening, the App's operator can find the evaluation in the logs and the audit log.\n"
    )
    title = f"Evaluation timed out after {limit:.0f} s"
    return CheckState("completed", "failure", title, clip(summary))


GAVE_UP_TITLE = "Evaluation failed: retrying later"


def check_for_gave_up(attempts: int, error: str, docs_url: str = "") -> CheckState:
    """A failing check for an evaluation that exhausted its attempts (reason ``gave-up``).

    It fails rather than stays neutral, since GitHub counts a neutral required check as passed.
    """
    summary = (
        "## review-tiers could not finish evaluating this pull request\n\n"
        f"- {reason_code('gave-up', docs_url)} the evaluation failed {attempts} times in a row; "
        "the last error:\n\n"
        f"    {error}\n\n"
        "The App tries again later on its own. Push, add the recheck label or comment "
        "`/review-tiers recheck` to evaluate at once.\n"
    )
    return CheckState("completed", "failure", GAVE_UP_TITLE, clip(summary))
