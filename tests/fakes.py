"""The in-memory fakes for unit tests: GitHubPort (with per-method error injection),
GrantStore (with the Redis store's compare-and-set semantics) and a SpecLoader."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from bot.core.actions import CheckState
from bot.core.check_matching import CheckObservations, SeenRun
from bot.core.grants import Anchor, Grant
from bot.core.specs import SPEC_DEFAULT_PATH, SpecRef, SpecText, SpecUnavailable
from bot.evaluation.ports import (
    CheckRunInfo,
    CommentInfo,
    CommitRange,
    LabelEvent,
    PullInfo,
    RepoRef,
    ReviewInfo,
    SpecRead,
)

FAKE_CI_APP = (15368, "github-actions")  # (id, slug) of the runs in ``check_states``
WRITES = {
    "create_check_run",
    "update_check_run",
    "add_labels",
    "remove_label",
    "request_reviewers",
    "create_comment",
    "edit_comment",
    "delete_comment",
}


@dataclass
class FakePort:
    """Holds one repository's pull requests, files, reviews, checks, comments and roles."""

    pulls: dict[int, PullInfo] = field(default_factory=dict)
    files: dict[int, list[Mapping[str, object]]] = field(default_factory=dict)
    commits: dict[int, tuple[str, ...]] = field(default_factory=dict)
    reviews: dict[int, list[ReviewInfo]] = field(default_factory=dict)
    contents: dict[tuple[str, str], str] = field(default_factory=dict)  # (ref, path)
    org_config: str | None = None
    teams: dict[str, tuple[str, ...]] = field(default_factory=dict)  # "org/slug"
    roles: dict[str, str] = field(default_factory=dict)
    # Roles as a cache may still hold them (minutes old), answered unless asked ``fresh``.
    cached_roles: dict[str, str] = field(default_factory=dict)
    label_actors: dict[int, list[LabelEvent]] = field(default_factory=dict)
    checks: dict[str, dict[str, CheckRunInfo]] = field(default_factory=dict)  # sha -> name
    # Shorthand: name -> conclusion of a completed run by a CI app (FAKE_CI_APP); seen_checks
    # holds any other check run or commit status, with its source.
    check_states: dict[str, dict[str, str]] = field(default_factory=dict)
    seen_checks: dict[str, CheckObservations] = field(default_factory=dict)  # sha ->
    comments: dict[int, dict[int, str]] = field(default_factory=dict)
    # Merge groups: (base, head) -> the range's commits; commit -> the pull requests holding it.
    ranges: dict[tuple[str, str], CommitRange] = field(default_factory=dict)
    commit_pulls: dict[str, tuple[int, ...]] = field(default_factory=dict)
    # Spec files by (repository, path, ref); any other reads as a repository it cannot read.
    spec_files: dict[tuple[str, str, str | None], SpecRead] = field(default_factory=dict)
    installations: dict[str, int] = field(default_factory=dict)  # "owner/name" -> id
    calls: list[tuple[str, tuple[object, ...]]] = field(default_factory=list)
    errors: dict[str, list[Exception]] = field(default_factory=dict)
    # The rate limit left; with ``cost`` set, each call spends that much of it.
    remaining: int | None = None
    cost: int = 0
    _next_id: int = 1000

    @property
    def rate_limit_remaining(self) -> int | None:
        return self.remaining

    # -- test helpers -------------------------------------------------------------------
    def fail(self, method: str, error: Exception, times: int = 1) -> None:
        """The next ``times`` calls of ``method`` raise ``error``."""
        self.errors.setdefault(method, []).extend([error] * times)

    def writes(self) -> list[tuple[str, tuple[object, ...]]]:
        return [c for c in self.calls if c[0] in WRITES]

    def _call(self, method: str, *args: object) -> None:
        self.calls.append((method, args))
        if self.remaining is not None:
            self.remaining -= self.cost
        pending = self.errors.get(method)
        if pending:
            raise pending.pop(0)

    def _id(self) -> int:
        self._next_id += 1
        return self._next_id

    # -- reads ----------------------------------------------------------------------------
    def fetch_pull(self, repo: RepoRef, number: int) -> PullInfo:
        self._call("fetch_pull", number)
        return self.pulls[number]

    def fetch_files(self, repo: RepoRef, number: int) -> list[Mapping[str, object]]:
        self._call("fetch_files", number)
        return list(self.files.get(number, []))

    def fetch_open_pulls(self, repo: RepoRef, base_ref: str | None) -> tuple[PullInfo, ...]:
        self._call("fetch_open_pulls", base_ref)
        found = (
            p for p in self.pulls.values() if p.state == "open" and base_ref in (None, p.base_ref)
        )
        return tuple(sorted(found, key=lambda p: p.number, reverse=True))

    def fetch_commit_messages(self, repo: RepoRef, number: int) -> tuple[str, ...]:
        self._call("fetch_commit_messages", number)
        return self.commits.get(number, ())

    def fetch_reviews(self, repo: RepoRef, number: int) -> tuple[ReviewInfo, ...]:
        self._call("fetch_reviews", number)
        return tuple(self.reviews.get(number, []))

    def fetch_file(self, repo: RepoRef, path: str, ref: str) -> str | None:
        self._call("fetch_file", path, ref)
        return self.contents.get((ref, path))

    def fetch_base_files(
        self, repo: RepoRef, paths: tuple[str, ...], ref: str
    ) -> dict[str, str | None]:
        self._call("fetch_base_files", paths, ref)
        return {path: self.contents.get((ref, path)) for path in paths}

    def fetch_org_config(self, owner: str) -> str | None:
        self._call("fetch_org_config", owner)
        return self.org_config

    def fetch_team_members(self, org: str, slug: str) -> tuple[str, ...]:
        self._call("fetch_team_members", org, slug)
        return self.teams.get(f"{org}/{slug}", ())

    def fetch_role(self, repo: RepoRef, user: str, fresh: bool = False) -> str:
        self._call("fetch_role", user)
        if not fresh and user in self.cached_roles:
            return self.cached_roles[user]
        return self.roles.get(user, "none")

    def fetch_label_actors(self, repo: RepoRef, number: int) -> tuple[LabelEvent, ...]:
        self._call("fetch_label_actors", number)
        return tuple(self.label_actors.get(number, []))

    def fetch_check_run(self, repo: RepoRef, head_sha: str, name: str) -> CheckRunInfo | None:
        self._call("fetch_check_run", head_sha, name)
        return self.checks.get(head_sha, {}).get(name)

    def fetch_checks(self, repo: RepoRef, sha: str, workflows: bool) -> CheckObservations:
        self._call("fetch_checks", sha, workflows)
        seen = self.seen_checks.get(sha, CheckObservations())
        shorthand = tuple(
            SeenRun(index, name, FAKE_CI_APP[0], FAKE_CI_APP[1], None, "completed", state)
            for index, (name, state) in enumerate(self.check_states.get(sha, {}).items(), 1)
        )
        runs = tuple(r if workflows else replace(r, workflow=None) for r in seen.runs)
        return CheckObservations(shorthand + runs, seen.statuses)

    def fetch_sticky_comment(self, repo: RepoRef, number: int, marker: str) -> CommentInfo | None:
        self._call("fetch_sticky_comment", number, marker)
        for comment_id, body in self.comments.get(number, {}).items():
            if marker in body:
                return CommentInfo(comment_id, body)
        return None

    def fetch_pulls_for_commit(self, repo: RepoRef, sha: str) -> tuple[int, ...]:
        self._call("fetch_pulls_for_commit", sha)
        return tuple(n for n, p in self.pulls.items() if p.head_sha == sha)

    def fetch_commit_range(self, repo: RepoRef, base: str, head: str) -> CommitRange:
        self._call("fetch_commit_range", base, head)
        return self.ranges.get((base, head), CommitRange((), 0))

    def fetch_commit_pulls(self, repo: RepoRef, sha: str) -> tuple[PullInfo, ...]:
        self._call("fetch_commit_pulls", sha)
        return tuple(self.pulls[n] for n in self.commit_pulls.get(sha, ()))

    def fetch_spec_file(
        self, repo: RepoRef, spec_repo: str, path: str, ref: str | None
    ) -> SpecRead:
        self._call("fetch_spec_file", spec_repo, path, ref)
        return self.spec_files.get((spec_repo, path, ref), SpecRead(missing="repository"))

    def fetch_repo_installation(self, full_name: str) -> int | None:
        self._call("fetch_repo_installation", full_name)
        return self.installations.get(full_name)

    # -- writes ---------------------------------------------------------------------------
    def create_check_run(self, repo: RepoRef, head_sha: str, name: str, output: CheckState) -> int:
        self._call("create_check_run", head_sha, name, output)
        check_id = self._id()
        self.checks.setdefault(head_sha, {})[name] = CheckRunInfo(check_id, output)
        return check_id

    def update_check_run(self, repo: RepoRef, check_id: int, output: CheckState) -> None:
        self._call("update_check_run", check_id, output)
        for runs in self.checks.values():
            for name, run in runs.items():
                if run.id == check_id:
                    runs[name] = CheckRunInfo(check_id, output)

    def add_labels(self, repo: RepoRef, number: int, labels: Sequence[str]) -> None:
        self._call("add_labels", number, tuple(labels))
        pull = self.pulls[number]
        merged = pull.labels + tuple(x for x in labels if x not in pull.labels)
        self.pulls[number] = replace(pull, labels=merged)

    def remove_label(self, repo: RepoRef, number: int, label: str) -> None:
        self._call("remove_label", number, label)
        pull = self.pulls[number]
        self.pulls[number] = replace(pull, labels=tuple(x for x in pull.labels if x != label))

    def request_reviewers(
        self, repo: RepoRef, number: int, users: Sequence[str], teams: Sequence[str]
    ) -> None:
        self._call("request_reviewers", number, tuple(users), tuple(teams))
        pull = self.pulls[number]
        self.pulls[number] = replace(
            pull,
            requested_users=pull.requested_users + tuple(users),
            requested_teams=pull.requested_teams + tuple(teams),
        )

    def create_comment(self, repo: RepoRef, number: int, body: str) -> int:
        self._call("create_comment", number, body)
        comment_id = self._id()
        self.comments.setdefault(number, {})[comment_id] = body
        return comment_id

    def edit_comment(self, repo: RepoRef, comment_id: int, body: str) -> None:
        self._call("edit_comment", comment_id, body)
        for comments in self.comments.values():
            if comment_id in comments:
                comments[comment_id] = body

    def delete_comment(self, repo: RepoRef, comment_id: int) -> None:
        self._call("delete_comment", comment_id)
        for comments in self.comments.values():
            comments.pop(comment_id, None)


@dataclass
class FakeGrantStore:
    """Grant records per pull request number, as the Redis store keeps them."""

    records: dict[int, dict[str, Grant]] = field(default_factory=dict)

    def claim(self, number: int, label: str, on: Anchor, sender: str, delivery: str) -> None:
        """What the intake records for a signed ``labeled`` delivery (a redelivery is a no-op):
        ``on`` is the pull request's head commit and base branch the delivery names."""
        current = self.records.get(number, {}).get(label)
        if current is None or current.delivery_id != delivery:
            at = "2026-05-04T10:00:00+00:00"
            grant = Grant(label, on.head_sha, sender, at, delivery, base_ref=on.base_ref)
            self.records.setdefault(number, {})[label] = grant

    def load(self, repo: RepoRef, number: int) -> dict[str, Grant]:
        return dict(self.records.get(number, {}))

    def save(self, repo: RepoRef, number: int, grant: Grant, replaces: str | None) -> bool:
        if not self._same(number, grant.label, replaces):
            return False
        self.records.setdefault(number, {})[grant.label] = grant
        return True

    def drop(self, repo: RepoRef, number: int, label: str, replaces: str) -> bool:
        if not self._same(number, label, replaces):
            return False
        del self.records[number][label]
        return True

    def _same(self, number: int, label: str, replaces: str | None) -> bool:
        current = self.records.get(number, {}).get(label)
        if replaces is None:
            return current is None
        return current is not None and current.delivery_id == replaces


class FakeSpecs:
    """Spec files held in memory and read like a SpecLoader: by repository (any case), path
    and ref; a file added without a ref answers any ref. Records every reference read."""

    def __init__(self) -> None:
        self.files: dict[tuple[str, str, str | None], tuple[str, str]] = {}
        self.reads: list[SpecRef] = []

    def add(
        self, repo: str, text: str, path: str = SPEC_DEFAULT_PATH, ref: str | None = None
    ) -> str:
        """Hold a spec file; returns its origin as reasons name it."""
        sha = f"{len(self.files) + 1:040x}"
        self.files[(repo.lower(), path, ref)] = (sha, text)
        return f"{repo}@{sha}:{path}"

    def __call__(self, ref: SpecRef) -> SpecText:
        self.reads.append(ref)
        key = (ref.repo.lower(), ref.path)
        found = self.files.get((*key, ref.ref)) or self.files.get((*key, None))
        if found is None:
            raise SpecUnavailable(f"{ref}: no such spec file")
        return SpecText(ref, found[0], found[1])


@dataclass
class FakeSpecDependents:
    """Which repositories extend which spec repository, as the Redis record keeps them."""

    records: dict[str, list[RepoRef]] = field(default_factory=dict)

    def record(self, spec_repo: str, repo: RepoRef) -> None:
        known = self.records.setdefault(spec_repo, [])
        if repo not in known:
            known.append(repo)

    def dependents(self, spec_repo: str) -> list[RepoRef]:
        return list(self.records.get(spec_repo, []))
