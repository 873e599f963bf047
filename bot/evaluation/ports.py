"""The narrow port to GitHub: every read the pipeline may make and every write, as a Protocol."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from bot.core.grants import Grant

from bot.core.actions import CheckState
from bot.core.check_matching import CheckObservations


@dataclass(frozen=True)
class RepoRef:
    """Which repository, through which installation."""

    installation_id: int
    owner: str
    name: str

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"


@dataclass(frozen=True)
class PullInfo:
    number: int
    state: str  # open | closed
    draft: bool
    author: str
    title: str
    body: str
    head_sha: str
    base_ref: str
    base_sha: str
    labels: tuple[str, ...]
    requested_users: tuple[str, ...]
    requested_teams: tuple[str, ...]  # "org/slug"


@dataclass(frozen=True)
class ReviewInfo:
    user: str
    state: str  # APPROVED | CHANGES_REQUESTED | COMMENTED | DISMISSED | PENDING
    commit_id: str
    id: int = 0
    submitted_at: str = ""  # ISO 8601, as GitHub gives it


@dataclass(frozen=True)
class CheckRunInfo:
    id: int
    output: CheckState


@dataclass(frozen=True)
class CommitRange:
    """The commits of ``base..head`` as read (oldest first), and how many the range holds."""

    shas: tuple[str, ...]
    total: int


@dataclass(frozen=True)
class CommentInfo:
    id: int
    body: str


@dataclass(frozen=True)
class LabelEvent:
    """Who last added a label (from the issue events timeline)."""

    label: str
    actor: str


@dataclass(frozen=True)
class SpecRead:
    """A spec file as this installation could read it: the commit its ref names and the file's
    text there, or which part was missing."""

    sha: str = ""
    text: str | None = None
    # "repository" (not readable by this installation), "ref", "path" (no such file) or
    # "file" (a directory, a binary or a file too large to read as text)
    missing: str | None = None


class FileSource(Protocol):
    """The reads that file contents need, so a caller may put a cache in front of them."""

    def fetch_file(self, repo: RepoRef, path: str, ref: str) -> str | None: ...
    def fetch_base_files(
        self, repo: RepoRef, paths: tuple[str, ...], ref: str
    ) -> Mapping[str, str | None]:
        """Each of ``paths`` at ``ref`` (None: absent), as ``fetch_file`` reads them (a branch
        at its current tip), in fewer requests while the files are not cached yet."""
        ...


class GitHubPort(Protocol):
    """Reads and writes the pipeline may make, for one installation."""

    @property
    def rate_limit_remaining(self) -> int | None:
        """What is left of the installation's hourly budget as of the last reply (None: not
        known yet), so work over many pull requests can stop before it runs out."""
        ...

    def fetch_pull(self, repo: RepoRef, number: int) -> PullInfo: ...
    def fetch_files(self, repo: RepoRef, number: int) -> list[Mapping[str, object]]: ...
    def fetch_open_pulls(self, repo: RepoRef, base_ref: str | None) -> tuple[PullInfo, ...]:
        """The open pull requests to ``base_ref`` (None: to any branch), newest first."""
        ...

    def fetch_commit_messages(self, repo: RepoRef, number: int) -> tuple[str, ...]: ...
    def fetch_reviews(self, repo: RepoRef, number: int) -> tuple[ReviewInfo, ...]: ...
    def fetch_file(self, repo: RepoRef, path: str, ref: str) -> str | None: ...
    def fetch_base_files(
        self, repo: RepoRef, paths: tuple[str, ...], ref: str
    ) -> Mapping[str, str | None]: ...
    def fetch_org_config(self, owner: str) -> str | None: ...
    def fetch_team_members(self, org: str, slug: str) -> tuple[str, ...]: ...
    def fetch_role(self, repo: RepoRef, user: str, fresh: bool = False) -> str:
        """The user's role on the repository; it may be minutes old unless ``fresh``."""
        ...

    def fetch_label_actors(self, repo: RepoRef, number: int) -> tuple[LabelEvent, ...]: ...
    def fetch_check_run(self, repo: RepoRef, head_sha: str, name: str) -> CheckRunInfo | None: ...
    def fetch_checks(self, repo: RepoRef, sha: str, workflows: bool) -> CheckObservations:
        """Other apps' check runs (with their App) and commit statuses on ``sha``; with
        ``workflows``, each GitHub Actions run also carries its workflow's name."""
        ...

    def fetch_sticky_comment(
        self, repo: RepoRef, number: int, marker: str
    ) -> CommentInfo | None: ...
    def fetch_pulls_for_commit(self, repo: RepoRef, sha: str) -> tuple[int, ...]: ...
    def fetch_commit_range(self, repo: RepoRef, base: str, head: str) -> CommitRange: ...
    def fetch_commit_pulls(self, repo: RepoRef, sha: str) -> tuple[PullInfo, ...]:
        """Every pull request GitHub associates with the commit, open or closed."""

    def fetch_spec_file(
        self, repo: RepoRef, spec_repo: str, path: str, ref: str | None
    ) -> SpecRead:
        """``path`` in ``spec_repo`` ("owner/name") at ``ref`` (None: its default branch),
        read with this installation's token."""
        ...

    def fetch_repo_installation(self, full_name: str) -> int | None:
        """The App's installation covering ``full_name`` (asked as the App), None if none."""
        ...

    def create_check_run(
        self, repo: RepoRef, head_sha: str, name: str, output: CheckState
    ) -> int: ...
    def update_check_run(self, repo: RepoRef, check_id: int, output: CheckState) -> None: ...
    def add_labels(self, repo: RepoRef, number: int, labels: Sequence[str]) -> None: ...
    def remove_label(self, repo: RepoRef, number: int, label: str) -> None: ...
    def request_reviewers(
        self, repo: RepoRef, number: int, users: Sequence[str], teams: Sequence[str]
    ) -> None: ...
    def create_comment(self, repo: RepoRef, number: int, body: str) -> int: ...
    def edit_comment(self, repo: RepoRef, comment_id: int, body: str) -> None: ...
    def delete_comment(self, repo: RepoRef, comment_id: int) -> None: ...


class GrantStore(Protocol):
    """Override and size-exception grants per pull request, built from signed deliveries.

    ``save`` and ``drop`` compare and set: they act only when the stored record still comes
    from ``replaces`` (a delivery id; None: no record), so a claim recorded meanwhile wins.
    """

    def load(self, repo: RepoRef, number: int) -> dict[str, Grant]: ...
    def save(self, repo: RepoRef, number: int, grant: Grant, replaces: str | None) -> bool: ...
    def drop(self, repo: RepoRef, number: int, label: str, replaces: str) -> bool: ...


class SpecDependents(Protocol):
    """Which repositories' policies extend a spec repository, as learnt from their evaluations.

    ``record`` is called after a policy that extends ``spec_repo`` ("owner/name") was read for
    ``repo``; ``dependents`` lists them for a fan-out or a policy preview.
    """

    def record(self, spec_repo: str, repo: RepoRef) -> None: ...
    def dependents(self, spec_repo: str) -> list[RepoRef]: ...
