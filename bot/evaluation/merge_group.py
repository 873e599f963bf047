"""One merge group's check: find its pull requests, read their own checks, converge the group's.

A merge group's pull requests are the open pull requests into its base branch that GitHub
associates with the commits of ``base_sha..head_sha``. The group's check lives on its head
commit, under the App's one check name, so it is the check branch protection already requires.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from bot.core.actions import Action, CheckState, CreateCheck, UpdateCheck
from bot.core.merge_group import GroupFacts, GroupMember, check_for_group
from bot.core.models import Mode
from bot.core.names import CHECK_NAME
from bot.core.plan import check_actions
from bot.core.shadow import shadow_of
from bot.evaluation.effects import observed_check
from bot.evaluation.ports import GitHubPort, PullInfo, RepoRef
from bot.evaluation.reports import safe_check
from bot.evaluation.snapshot import fetch_policy
from bot.evaluation.spec_source import spec_loader_for

# The tier the App's last completed evaluation recorded for (pull request, head), if any.
TierLookup = Callable[[int, str], str | None]


@dataclass(frozen=True)
class GroupRef:
    """A merge group as its ``merge_group`` delivery named it."""

    head_sha: str
    base_sha: str
    base_ref: str  # "refs/heads/main" as GitHub sends it

    @property
    def base_branch(self) -> str:
        return self.base_ref.removeprefix("refs/heads/")


@dataclass
class GroupRecord:
    """The audit record of one merge group's check."""

    delivery_id: str
    repository: str
    head_sha: str
    base_sha: str
    kind: str = "merge_group"
    pull_number: int | None = None  # a group is no one pull request
    outcome: str = "evaluated"
    commits: int = 0
    pull_numbers: list[int] = field(default_factory=list)
    check_status: str = ""
    check_conclusion: str | None = None
    title: str = ""
    actions: list[str] = field(default_factory=list)


def evaluate_group(
    port: GitHubPort,
    repo: RepoRef,
    group: GroupRef,
    delivery_id: str,
    tier_of: TierLookup,
    process: Mode = Mode.ENFORCE,
) -> GroupRecord:
    """Read the group and converge its check; GitHub errors propagate so the job retries.
    ``process`` is the App's own mode (REVIEW_TIERS_MODE)."""
    facts = read_group(port, repo, group, tier_of)
    if any(m.check_conclusion == "neutral" for m in facts.members):
        facts = replace(facts, shadow=group_in_shadow(port, repo, group, process))
    state = check_for_group(facts)
    record = GroupRecord(delivery_id, repo.full_name, group.head_sha, group.base_sha)
    record.commits = facts.commits
    record.pull_numbers = [m.number for m in facts.members]
    record.check_status, record.check_conclusion = state.status, state.conclusion
    record.title = state.title
    record.actions = converge_group_check(port, repo, group.head_sha, state)
    return record


def converge_group_check(
    port: GitHubPort, repo: RepoRef, head_sha: str, state: CheckState
) -> list[str]:
    """Create the group's check once per head, then update it only when it differs, so a
    redelivery or a retry converges on the same check; returns the writes made."""
    check_id, observed = observed_check(port.fetch_check_run(repo, head_sha, CHECK_NAME))
    done: list[str] = []
    for action in check_actions(safe_check(state), check_id, observed):
        _write(port, repo, head_sha, action)
        done.append(action.describe())
    return done


def group_in_shadow(port: GitHubPort, repo: RepoRef, group: GroupRef, process: Mode) -> bool:
    """Whether the repository is in shadow mode now: by the App's process, or by the policy at
    the group's base (read as a pull request into that commit would read it)."""
    if process is Mode.SHADOW:
        return True
    base = PullInfo(0, "open", False, "", "", "", group.head_sha, group.base_sha, group.base_sha,
                    (), (), ())  # fmt: skip
    result = fetch_policy(port, repo, base, spec_loader_for(port, repo))
    return shadow_of(result.policy.mode if result.policy else None, process).active


def read_group(port: GitHubPort, repo: RepoRef, group: GroupRef, tier_of: TierLookup) -> GroupFacts:
    """The group's commits, the pull requests holding them and each one's own check."""
    commits = port.fetch_commit_range(repo, group.base_sha, group.head_sha)
    branch = group.base_branch
    if len(commits.shas) < commits.total:
        unread = f"{commits.total} commits, of which {len(commits.shas)} could be read"
        return GroupFacts(group.head_sha, branch, commits.total, (), unread)
    found: dict[int, PullInfo] = {}
    for sha in commits.shas:
        for pull in port.fetch_commit_pulls(repo, sha):
            # A merged or closed pull request, or one into another branch (a stacked one),
            # may hold the same commit; it is not in this queue.
            if pull.state == "open" and pull.base_ref == branch:
                found.setdefault(pull.number, pull)
    members = tuple(_member(port, repo, found[n], tier_of) for n in sorted(found))
    return GroupFacts(group.head_sha, branch, len(commits.shas), members)


def _member(port: GitHubPort, repo: RepoRef, pull: PullInfo, tier_of: TierLookup) -> GroupMember:
    run = port.fetch_check_run(repo, pull.head_sha, CHECK_NAME)
    return GroupMember(
        number=pull.number,
        title=pull.title,
        head_sha=pull.head_sha,
        check_status=run.output.status if run else None,
        check_conclusion=run.output.conclusion if run else None,
        tier=tier_of(pull.number, pull.head_sha),
    )


def _write(port: GitHubPort, repo: RepoRef, head_sha: str, action: Action) -> None:
    """The group's check is its only write: created once per head, then updated."""
    if isinstance(action, CreateCheck):
        port.create_check_run(repo, head_sha, CHECK_NAME, action.check)
    elif isinstance(action, UpdateCheck):
        port.update_check_run(repo, action.check_id, action.check)
    else:
        raise TypeError(f"a merge group's check plans no {action.kind}")
