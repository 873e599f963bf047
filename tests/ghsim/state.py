"""The simulator's in-memory model of repositories, pull requests and the app's own objects."""

from __future__ import annotations

import hashlib
import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from tests.ghsim.hooklog import DeliveryLog


def now_iso() -> str:
    """GitHub's timestamp format: UTC, second precision, a literal ``Z``."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class NotFoundError(Exception):
    """The addressed object does not exist (GitHub answers 404 with ``Not Found``)."""

    def __init__(self, message: str = "Not Found") -> None:
        super().__init__(message)
        self.message = message


@dataclass
class User:
    """A GitHub account; logins ending in ``[bot]`` are app bot users."""

    login: str
    id: int
    type: str = "User"


@dataclass
class FileChange:
    """One entry of a pull request's file list (GitHub's ``diff-entry``)."""

    filename: str
    status: str = "modified"
    additions: int = 0
    deletions: int = 0
    patch: str | None = None
    previous_filename: str | None = None
    sha: str = "0" * 40


@dataclass
class CommitInfo:
    """A commit on a pull request."""

    sha: str
    message: str = ""
    author: str | None = None


@dataclass
class Review:
    """A submitted pull request review."""

    id: int
    user: str
    state: str
    commit_id: str
    body: str = ""
    submitted_at: str = field(default_factory=now_iso)


@dataclass
class Comment:
    """An issue comment on a pull request."""

    id: int
    user: str
    body: str
    via_app: bool = False
    created_at: str = field(default_factory=now_iso)
    updated_at: str = field(default_factory=now_iso)


@dataclass
class IssueEvent:
    """One entry of an issue's event timeline; the simulator records label changes only."""

    id: int
    event: str  # labeled | unlabeled
    label: str
    actor: str
    via_app: bool = False
    created_at: str = field(default_factory=now_iso)


@dataclass
class Pull:
    """A pull request and the issue-side objects GitHub hangs on it (labels, comments)."""

    number: int
    id: int
    author: str
    title: str
    body: str | None
    draft: bool
    head_sha: str
    head_ref: str
    base_ref: str
    base_sha: str
    labels: list[str] = field(default_factory=list)
    files: list[FileChange] = field(default_factory=list)
    commits: list[CommitInfo] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)
    requested_reviewers: list[str] = field(default_factory=list)
    requested_teams: list[str] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    events: list[IssueEvent] = field(default_factory=list)
    state: str = "open"
    created_at: str = field(default_factory=now_iso)
    updated_at: str = field(default_factory=now_iso)
    merged_at: str | None = None  # set with the state "closed" by a merge


@dataclass
class CheckRun:
    """A check run; ``app_id`` tells whose it is (only that app may update it)."""

    id: int
    head_sha: str
    name: str
    app_id: int
    status: str = "queued"
    conclusion: str | None = None
    output: dict[str, Any] = field(default_factory=dict)
    details_url: str | None = None
    external_id: str | None = None
    started_at: str | None = None
    completed_at: str | None = None
    suite_id: int = 0


@dataclass
class WorkflowRun:
    """A GitHub Actions workflow run; its jobs are check runs in the run's check suite."""

    id: int
    name: str
    head_sha: str
    check_suite_id: int
    path: str
    run_number: int = 1
    event: str = "pull_request"
    status: str = "completed"
    conclusion: str | None = "success"
    created_at: str = field(default_factory=now_iso)


@dataclass
class CommitStatus:
    """One commit status posted for a context."""

    id: int
    context: str
    state: str
    description: str | None = None
    target_url: str | None = None
    created_at: str = field(default_factory=now_iso)


@dataclass
class Label:
    """A repository label; issues refer to labels by name."""

    id: int
    name: str
    color: str = "ededed"
    description: str | None = None


@dataclass
class MergeGroup:
    """A merge queue's group: its head on a ``gh-readonly-queue/`` branch, its base, and the
    commits between them (oldest first)."""

    head_sha: str
    head_ref: str
    base_sha: str
    base_ref: str
    commits: list[CommitInfo] = field(default_factory=list)


@dataclass
class Repo:
    """A repository with its files per ref, pull requests, checks, statuses and roles."""

    owner: str
    name: str
    id: int
    default_branch: str = "main"
    private: bool = True
    files: dict[str, dict[str, str]] = field(default_factory=dict)
    pulls: dict[int, Pull] = field(default_factory=dict)
    check_runs: list[CheckRun] = field(default_factory=list)
    workflow_runs: list[WorkflowRun] = field(default_factory=list)
    statuses: dict[str, list[CommitStatus]] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)
    labels: dict[str, Label] = field(default_factory=dict)
    merge_groups: dict[str, MergeGroup] = field(default_factory=dict)  # by head SHA

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    def pull(self, number: int) -> Pull:
        try:
            return self.pulls[number]
        except KeyError:
            raise NotFoundError() from None

    def label(self, name: str, next_id: int) -> Label:
        """Return the repository label, creating it as GitHub does when an issue gets a new one."""
        # Label names are case-insensitive on GitHub: "Bug" and "bug" are the same label.
        key = name.lower()
        if key not in self.labels:
            self.labels[key] = Label(id=next_id, name=name)
        return self.labels[key]


@dataclass
class App:
    """The GitHub App the simulator serves; its bot user is ``<slug>[bot]``."""

    id: int = 4242
    slug: str = "review-tiers"
    name: str = "review-tiers"
    owner: str = "review-tiers-org"

    @property
    def bot_login(self) -> str:
        return f"{self.slug}[bot]"


# GitHub Actions' app on github.com: its check runs are the jobs of workflow runs.
GITHUB_ACTIONS = App(id=15368, slug="github-actions", name="GitHub Actions", owner="github")


class Store:
    """Every simulated object, addressed the way the REST API addresses it."""

    def __init__(self, app: App) -> None:
        self.app = app
        # Other apps that create check runs, by id; unknown ids get an ``app-<id>`` slug.
        self.apps: dict[int, App] = {GITHUB_ACTIONS.id: GITHUB_ACTIONS}
        self.repos: dict[tuple[str, str], Repo] = {}
        self.users: dict[str, User] = {}
        self.teams: dict[tuple[str, str], list[str]] = {}
        self.installations: set[int] = {1}
        # Which installation each repository belongs to; a new repository joins the newest.
        self.repo_installation: dict[tuple[str, str], int] = {}
        self.newest_installation = 1
        self.hooks = DeliveryLog()
        self._ids = itertools.count(1001)

    def next_id(self) -> int:
        return next(self._ids)

    def app_of(self, app_id: int) -> App:
        """The app that owns ``app_id``: the App under test, a registered app, or a stand-in."""
        if app_id == self.app.id:
            return self.app
        return self.apps.get(app_id) or App(id=app_id, slug=f"app-{app_id}", name=f"app {app_id}")

    def user(self, login: str) -> User:
        """Return the account for ``login``, creating it on first sight."""
        if login not in self.users:
            kind = "Bot" if login.endswith("[bot]") else "User"
            self.users[login] = User(login=login, id=self.next_id(), type=kind)
        return self.users[login]

    def repo(self, owner: str, name: str) -> Repo:
        # Owner and repository names are case-insensitive in GitHub's routes.
        for (o, n), repo in self.repos.items():
            if o.lower() == owner.lower() and n.lower() == name.lower():
                return repo
        raise NotFoundError()

    def team_members(self, org: str, slug: str) -> list[str]:
        try:
            return self.teams[(org.lower(), slug.lower())]
        except KeyError:
            raise NotFoundError() from None

    def resolve_ref(self, repo: Repo, ref: str) -> str:
        """Map a branch name, ``heads/<branch>`` or a SHA to a key of ``repo.files``; a branch's
        current commit (``tip_sha``) names the branch."""
        for candidate in (ref, ref.removeprefix("refs/").removeprefix("heads/")):
            if candidate in repo.files:
                return candidate
        for branch in repo.files:
            if tip_sha(repo, branch) == ref:
                return branch
        raise NotFoundError(f"No commit found for the ref {ref}")


def tip_sha(repo: Repo, branch: str) -> str:
    """The commit a branch points at: derived from its files, so it moves when a file changes."""
    digest = hashlib.sha1(f"{repo.full_name}@{branch}".encode())
    for path, text in sorted(repo.files.get(branch, {}).items()):
        digest.update(f"\0{path}\0{text}".encode())
    return digest.hexdigest()
