"""Whether a merge group may merge: every pull request in it passed its own review-tiers check.

The group's check judges no change itself. Each pull request was judged on its own head, by the
policy of its base; the group passes only when every one of them passed there, and fails closed
otherwise: no pull request found, a commit range too long to read, or any pull request whose
check is missing, still running or not a success. A pull request whose check is `neutral` was
evaluated in shadow mode (the App's check is neutral only then): while the repository is still
in shadow mode it blocks nothing, and a group holding one gets a `neutral` check too, so a
repository in shadow mode is not blocked in its merge queue either. Once the repository enforces,
a neutral check left from shadow mode is no pass: it blocks the group until the pull request is
evaluated again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.actions import CheckState
from bot.core.text import one_line

TITLE_LIMIT = 80  # of a pull request's title in the summary's table
SHOWN_LIMIT = 200  # pull requests listed in the summary; a longer list is cut, the verdict not


@dataclass(frozen=True)
class GroupMember:
    """A pull request found in the group, and the App's own check on its current head."""

    number: int
    title: str
    head_sha: str
    check_status: str | None  # None: no review-tiers check on the head
    check_conclusion: str | None
    tier: str | None = None  # as the App's last evaluation of this head recorded it


@dataclass(frozen=True)
class GroupFacts:
    """What was read of a merge group: its head, the pull requests found in its commits, and
    why its commits could not all be read ("" when they were)."""

    head_sha: str
    base_ref: str
    commits: int
    members: tuple[GroupMember, ...]
    unread: str = ""
    # Whether the repository is in shadow mode now (its base policy or the App's process):
    # only then does a pull request's neutral check, made in shadow mode, pass.
    shadow: bool = False


@dataclass(frozen=True)
class MemberVerdict:
    member: GroupMember
    passed: bool
    why: str
    shadowed: bool = False  # passed because its check is in shadow mode, enforcing nothing


def judge_member(member: GroupMember, shadow: bool = False) -> MemberVerdict:
    """A pull request passes only on a completed, successful review-tiers check on its head, or
    on a neutral one while the repository is in shadow mode (``shadow``)."""
    head = member.head_sha[:7]
    if member.check_status is None:
        return MemberVerdict(member, False, f"no review-tiers check on its head {head}")
    if member.check_status != "completed":
        why = f"its review-tiers check on {head} is {member.check_status.replace('_', ' ')}"
        return MemberVerdict(member, False, why)
    if member.check_conclusion == "neutral" and not shadow:
        why = (
            f"its review-tiers check on {head} is neutral, from shadow mode, but the repository"
            " enforces now: evaluate the pull request again"
        )
        return MemberVerdict(member, False, why)
    if member.check_conclusion == "neutral":
        why = f"its review-tiers check on {head} is neutral (shadow mode: nothing enforced)"
        return MemberVerdict(member, True, why, shadowed=True)
    if member.check_conclusion != "success":
        conclusion = member.check_conclusion or "no conclusion"
        return MemberVerdict(member, False, f"its review-tiers check on {head} is {conclusion}")
    return MemberVerdict(member, True, f"its review-tiers check on {head} passed")


def check_for_group(facts: GroupFacts) -> CheckState:
    """The group's check: success if and only if every pull request found passed its own."""
    members = sorted(facts.members, key=lambda m: m.number)
    verdicts = [judge_member(m, facts.shadow) for m in members]
    summary = _summary(facts, verdicts)
    if facts.unread:
        return CheckState("completed", "failure", f"Merge group not read: {facts.unread}", summary)
    if not verdicts:
        title = "No pull request found in the merge group"
        return CheckState("completed", "failure", title, summary)
    blocking = [v for v in verdicts if not v.passed]
    shadowed = [v for v in verdicts if v.shadowed]
    if not blocking and shadowed:
        title = f"Shadow: {len(shadowed)} of {len(verdicts)} pull request(s) in shadow mode"
        return CheckState("completed", "neutral", title, summary)
    if not blocking:
        title = f"{len(verdicts)} pull request(s), each passed review-tiers"
        return CheckState("completed", "success", title, summary)
    first = blocking[0]
    more = f" (and {len(blocking) - 1} more)" if len(blocking) > 1 else ""
    title = f"#{first.member.number} blocks the group: {first.why}{more}"
    return CheckState("completed", "failure", title, summary)


def check_for_group_gave_up(attempts: int, error: str) -> CheckState:
    """A failing group check after ``attempts`` runs failed to read GitHub: never a pass."""
    summary = (
        "## review-tiers could not check this merge group\n\n"
        f"Reading the group failed {attempts} times in a row; the last error:\n\n"
        f"    {one_line(error, 500)}\n\n"
        "Re-run the review-tiers check, or queue the pull requests again, to try once more.\n"
    )
    return CheckState("completed", "failure", "Merge group not checked: gave up", summary)


def _summary(facts: GroupFacts, verdicts: Sequence[MemberVerdict]) -> str:
    lines = [
        "## Merge group",
        "",
        f"Group head `{facts.head_sha[:12]}` into `{_literal(facts.base_ref)}`: "
        f"{facts.commits} commit(s), {len(verdicts)} pull request(s) found.",
        "",
    ]
    if facts.unread:
        lines += [f"The group's commits could not all be read: {facts.unread}.", ""]
    elif not verdicts:
        lines += ["No open pull request into the group's base branch holds its commits.", ""]
    if verdicts:
        lines += ["| pull request | tier | review-tiers check |", "|---|---|---|"]
        for verdict in verdicts[:SHOWN_LIMIT]:
            lines.append(_row(verdict))
        if len(verdicts) > SHOWN_LIMIT:
            lines.append(f"\n… and {len(verdicts) - SHOWN_LIMIT} more pull request(s).")
        lines.append("")
    lines += [
        "The group passes only when every pull request in it passed its own review-tiers "
        "check on its head; this check judges no change itself.",
    ]
    return "\n".join(lines) + "\n"


def _row(verdict: MemberVerdict) -> str:
    member = verdict.member
    mark = "✅" if verdict.passed else "❌"
    title = _literal(one_line(member.title, TITLE_LIMIT))
    tier = member.tier or "not recorded"
    return f"| #{member.number} {title} | {tier} | {mark} {verdict.why} |"


def _literal(text: str) -> str:
    """Text shown as written in a table cell: no markdown, no HTML, no cell breaks."""
    escaped = "".join(f"\\{c}" if c in "\\`*_[]|~" else c for c in text)
    return escaped.replace("<", "&lt;").replace(">", "&gt;")
