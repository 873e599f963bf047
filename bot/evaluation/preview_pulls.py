"""Each open pull request's tier under the base policy and under a proposed one: its inputs are
read once and evaluated twice by the pure core, within a cap, a rate-limit floor and a time
bound."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from bot.core.config import Policy
from bot.core.evaluate import evaluate
from bot.core.models import ChangeSet, PullMeta, RepoContext, Tier
from bot.core.preview import PreviewRow
from bot.evaluation.ports import FileSource, GitHubPort, PullInfo, RepoRef
from bot.evaluation.snapshot import fetch_changes, fetch_context
from bot.ops.errors import PermanentGitHubError, TransientGitHubError

# Requests a preview leaves to the installation for its own evaluations (like recovery's floor).
MIN_REMAINING = 500
# A preview stops here, far inside the evaluation job's time limit.
PREVIEW_SECONDS = 120.0
# File contents a preview may read in all: the proposed policy decides which files its rules
# read, so without this a policy change could make the App read every file of every pull request.
MAX_FILE_READS = 200


@dataclass(frozen=True)
class Bounds:
    """When a preview stops early: under ``min_remaining`` requests left, after ``seconds``,
    or before reading more than ``file_reads`` files."""

    min_remaining: int = MIN_REMAINING
    seconds: float = PREVIEW_SECONDS
    file_reads: int = MAX_FILE_READS
    clock: Callable[[], float] = time.monotonic


@dataclass(frozen=True)
class NewPolicy:
    """The proposed policy, and the proposed CODEOWNERS text when the change edits it."""

    policy: Policy
    replaces_codeowners: bool = False
    codeowners: str | None = None
    path: str | None = None


@dataclass(frozen=True)
class Policies:
    """The two policies one pull request is evaluated under."""

    before: Policy
    after: NewPolicy


class FileReadsSpent(Exception):
    """The preview read as many files as it may."""


@dataclass
class MemoFiles:
    """Reads each (path, ref) once, at most ``limit`` in all: the base's CODEOWNERS and
    .gitattributes serve every pull request, and a file both policies read is fetched once."""

    port: FileSource
    limit: int
    seen: dict[tuple[str, str], str | None] = field(default_factory=dict)

    def fetch_file(self, repo: RepoRef, path: str, ref: str) -> str | None:
        if (path, ref) not in self.seen:
            if len(self.seen) >= self.limit:
                raise FileReadsSpent()
            self.seen[(path, ref)] = self.port.fetch_file(repo, path, ref)
        return self.seen[(path, ref)]

    def fetch_base_files(
        self, repo: RepoRef, paths: tuple[str, ...], ref: str
    ) -> dict[str, str | None]:
        new = [path for path in paths if (path, ref) not in self.seen]
        if new:
            if len(self.seen) + len(new) > self.limit:
                raise FileReadsSpent()
            read = self.port.fetch_base_files(repo, paths, ref)
            self.seen.update({(path, ref): read[path] for path in paths})
        return {path: self.seen[(path, ref)] for path in paths}


@dataclass(frozen=True)
class Visited:
    """What a visit of open pull requests found, and what it left out."""

    rows: tuple[PreviewRow, ...]
    left: int  # not previewed because the visit stopped early
    stopped: str  # why, "" when it did not
    unreadable: int
    open_pulls: int = 0  # open pull requests found besides the change itself
    over_cap: int = 0  # left out by ``preview.max_pulls``


def preview_pulls(
    port: GitHubPort, repo: RepoRef, pull: PullInfo, policies: Policies, bounds: Bounds
) -> Visited:
    """The open pull requests to ``pull``'s base but ``pull``, the first ``preview.max_pulls``
    of the base policy (newest first), each under both policies."""
    others = [p for p in port.fetch_open_pulls(repo, pull.base_ref) if p.number != pull.number]
    cap = policies.before.preview.max_pulls
    done = visit(port, repo, others[:cap], policies, bounds)
    return replace(done, open_pulls=len(others), over_cap=max(0, len(others) - cap))


def visit(
    port: GitHubPort,
    repo: RepoRef,
    pulls: list[PullInfo],
    policies: Policies,
    bounds: Bounds,
) -> Visited:
    """Evaluate ``pulls`` in order until the budget or the time runs out."""
    files, deadline = MemoFiles(port, bounds.file_reads), bounds.clock() + bounds.seconds
    rows: list[PreviewRow] = []
    done = unreadable = 0
    stopped = ""
    for other in pulls:
        stopped = why_stop(port, bounds, deadline)
        if stopped:
            break
        try:
            rows.append(tiers_of(port, files, repo, other, policies))
        except PermanentGitHubError:
            unreadable += 1  # closed meanwhile, or not readable: the rest still counts
        except TransientGitHubError:
            stopped = "GitHub asked the App to slow down"
            break
        except FileReadsSpent:
            stopped = f"the preview reached its limit of {bounds.file_reads} file reads"
            break
        done += 1
    return Visited(tuple(rows), len(pulls) - done, stopped, unreadable)


def why_stop(port: GitHubPort, bounds: Bounds, deadline: float) -> str:
    """Why a preview must stop before its next pull request, or ""."""
    remaining = port.rate_limit_remaining
    if remaining is not None and remaining < bounds.min_remaining:
        return "the installation's rate limit ran low"
    if bounds.clock() >= deadline:
        return f"the preview reached its time limit of {bounds.seconds:.0f} s"
    return ""


def tiers_of(
    port: GitHubPort, files: FileSource, repo: RepoRef, other: PullInfo, policies: Policies
) -> PreviewRow:
    """One pull request's tier under each policy, from one read of its inputs. Override
    labels are left out: they are a person's decision for one commit, not the policy's."""
    changes = fetch_changes(port, repo, other)
    messages = port.fetch_commit_messages(repo, other.number)
    meta = PullMeta(other.author, other.labels, messages, other.body, other.draft)
    before_context = fetch_context(files, repo, other, changes, policies.before)
    before = _tier(changes, before_context, meta, policies.before)
    after_context = fetch_context(files, repo, other, changes, policies.after.policy)
    if policies.after.replaces_codeowners:
        after_context = replace(
            after_context, codeowners=policies.after.codeowners, codeowners_path=policies.after.path
        )
    after = _tier(changes, after_context, meta, policies.after.policy)
    return PreviewRow(other.number, other.title, before, after)


def _tier(changes: ChangeSet, context: RepoContext, meta: PullMeta, policy: Policy) -> Tier:
    return evaluate(changes, context, meta, policy).decision.tier
