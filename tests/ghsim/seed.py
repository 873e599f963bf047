"""Methods that set up and inspect the simulated GitHub state directly, bypassing HTTP."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterable, Mapping
from typing import Any

from tests.ghsim.events import relabel
from tests.ghsim.merge_groups import seed_group
from tests.ghsim.state import (
    GITHUB_ACTIONS,
    App,
    CheckRun,
    Comment,
    CommitInfo,
    CommitStatus,
    FileChange,
    MergeGroup,
    Pull,
    Repo,
    Review,
    Store,
    WorkflowRun,
    now_iso,
)

# GitHub Actions' app id: check runs seeded without an app look like CI's.
ACTIONS_APP_ID = GITHUB_ACTIONS.id
FileSpec = FileChange | Mapping[str, Any]
CommitSpec = CommitInfo | Mapping[str, Any]


def fake_sha(*parts: object) -> str:
    return hashlib.sha1("/".join(map(str, parts)).encode()).hexdigest()


def as_file(spec: FileSpec) -> FileChange:
    return spec if isinstance(spec, FileChange) else FileChange(**spec)


def as_commit(spec: CommitSpec) -> CommitInfo:
    return spec if isinstance(spec, CommitInfo) else CommitInfo(**spec)


class Seeding:
    """State set-up for tests; every method takes the simulator's lock."""

    store: Store
    lock: threading.RLock

    def add_repo(
        self,
        owner: str,
        name: str,
        default_branch: str = "main",
        *,
        private: bool = True,
        installation_id: int | None = None,
    ) -> Repo:
        """A repository of ``installation_id`` (by default the installation added last)."""
        with self.lock:
            repo = Repo(owner, name, self.store.next_id(), default_branch, private)
            repo.files[default_branch] = {}
            self.store.repos[(owner, name)] = repo
            self.store.repo_installation[(owner, name)] = (
                installation_id or self.store.newest_installation
            )
            return repo

    def repo(self, owner: str, name: str) -> Repo:
        with self.lock:
            return self.store.repo(owner, name)

    def set_file(self, owner: str, repo: str, ref: str, path: str, text: str) -> None:
        """Put ``text`` at ``path`` on ``ref`` (a branch name or a commit SHA)."""
        with self.lock:
            self.store.repo(owner, repo).files.setdefault(ref, {})[path.strip("/")] = text

    def add_pull(
        self,
        owner: str,
        repo: str,
        number: int,
        *,
        author: str,
        head_sha: str,
        base_ref: str = "main",
        base_sha: str | None = None,
        head_ref: str | None = None,
        title: str = "A change",
        body: str | None = None,
        draft: bool = False,
        labels: Iterable[str] = (),
        files: Iterable[FileSpec] = (),
        commits: Iterable[CommitSpec] = (),
    ) -> Pull:
        """Open pull request ``number``; ``files`` are diff entries, ``commits`` {sha, message}."""
        with self.lock:
            target = self.store.repo(owner, repo)
            pull = Pull(
                number=number,
                id=self.store.next_id(),
                author=author,
                title=title,
                body=body,
                draft=draft,
                head_sha=head_sha,
                head_ref=head_ref or f"feature-{number}",
                base_ref=base_ref,
                base_sha=base_sha or fake_sha(owner, repo, base_ref),
                files=[as_file(f) for f in files],
                commits=[as_commit(c) for c in commits] or [CommitInfo(head_sha, title, author)],
            )
            # Labels given at creation were added by the author, as GitHub's timeline shows.
            relabel(self.store, target, pull, list(labels), author)
            target.pulls[number] = pull
            self.store.user(author)
            return pull

    def add_merge_group(
        self, owner: str, repo: str, numbers: list[int], base_ref: str = "main"
    ) -> MergeGroup:
        """Queue the open pull requests ``numbers``, in that order, as one merge group."""
        with self.lock:
            return seed_group(self.store, self.store.repo(owner, repo), numbers, base_ref)

    def pull(self, owner: str, repo: str, number: int) -> Pull:
        with self.lock:
            return self.store.repo(owner, repo).pull(number)

    def push(
        self,
        owner: str,
        repo: str,
        number: int,
        head_sha: str,
        files: Iterable[FileSpec] | None = None,
        commits: Iterable[CommitSpec] = (),
    ) -> Pull:
        """Move the head to ``head_sha``: ``files`` replace the diff, ``commits`` are appended."""
        with self.lock:
            pull = self.store.repo(owner, repo).pull(number)
            pull.head_sha, pull.updated_at = head_sha, now_iso()
            if files is not None:
                pull.files = [as_file(f) for f in files]
            pull.commits += [as_commit(c) for c in commits] or [CommitInfo(head_sha, "push")]
            return pull

    def retarget(
        self, owner: str, repo: str, number: int, base_ref: str, files: Iterable[FileSpec]
    ) -> Pull:
        """Change the base branch, as editing a pull request does: the head stays, the diff
        (``files``) is now against the new base."""
        with self.lock:
            pull = self.store.repo(owner, repo).pull(number)
            pull.base_ref, pull.base_sha = base_ref, fake_sha(owner, repo, base_ref)
            pull.files, pull.updated_at = [as_file(f) for f in files], now_iso()
            return pull

    def add_review(
        self,
        owner: str,
        repo: str,
        number: int,
        user: str,
        state: str,
        commit_id: str | None = None,
        body: str = "",
    ) -> Review:
        """Submit a review (APPROVED, CHANGES_REQUESTED, COMMENTED) on ``commit_id`` or the head."""
        with self.lock:
            pull = self.store.repo(owner, repo).pull(number)
            review = Review(
                id=self.store.next_id(),
                user=user,
                state=state.upper(),
                commit_id=commit_id or pull.head_sha,
                body=body,
            )
            pull.reviews.append(review)
            # A submitted review fulfils the reviewer's pending request, as on GitHub.
            if user in pull.requested_reviewers:
                pull.requested_reviewers.remove(user)
            return review

    def merge(self, owner: str, repo: str, number: int, at: str | None = None) -> Pull:
        """Merge the pull request (at ``at``, ISO 8601, or now): it is closed and merged."""
        with self.lock:
            pull = self.store.repo(owner, repo).pull(number)
            pull.state, pull.merged_at = "closed", at or now_iso()
            return pull

    def dismiss_review(self, owner: str, repo: str, number: int, review_id: int) -> None:
        with self.lock:
            pull = self.store.repo(owner, repo).pull(number)
            next(r for r in pull.reviews if r.id == review_id).state = "DISMISSED"

    def set_labels(
        self, owner: str, repo: str, number: int, labels: Iterable[str], actor: str | None = None
    ) -> None:
        """Replace the labels; ``actor`` (the author by default) is recorded on each change."""
        with self.lock:
            target = self.store.repo(owner, repo)
            pull = target.pull(number)
            relabel(self.store, target, pull, list(labels), actor or pull.author)

    def add_label(self, owner: str, repo: str, number: int, label: str, actor: str) -> None:
        """Add one label as ``actor`` (a person, or the app's bot login), like the web UI does."""
        with self.lock:
            pull = self.store.repo(owner, repo).pull(number)
            if label.lower() not in {n.lower() for n in pull.labels}:
                self.set_labels(owner, repo, number, [*pull.labels, label], actor)

    def add_comment(self, owner: str, repo: str, number: int, user: str, body: str) -> Comment:
        """Add an issue comment; ``user`` equal to the app's bot login marks it as the app's."""
        with self.lock:
            via_app = user == self.store.app.bot_login
            item = Comment(id=self.store.next_id(), user=user, body=body, via_app=via_app)
            self.store.repo(owner, repo).pull(number).comments.append(item)
            return item

    def add_check_run(
        self,
        owner: str,
        repo: str,
        head_sha: str,
        name: str,
        *,
        status: str = "completed",
        conclusion: str | None = "success",
        app_id: int = ACTIONS_APP_ID,
        workflow: str | None = None,
    ) -> CheckRun:
        """Add a check run made by another app (CI by default); with ``workflow``, a job of
        that GitHub Actions workflow's run on ``head_sha`` (created on first use)."""
        with self.lock:
            ident = self.store.next_id()
            suite = ident
            if workflow is not None:
                app_id = ACTIONS_APP_ID
                suite = self._workflow_run(owner, repo, head_sha, workflow).check_suite_id
            run = CheckRun(ident, head_sha, name, app_id, status, conclusion, suite_id=suite)
            run.started_at = now_iso()
            run.completed_at = run.started_at if status == "completed" else None
            self.store.repo(owner, repo).check_runs.append(run)
            return run

    def _workflow_run(self, owner: str, repo: str, head_sha: str, name: str) -> WorkflowRun:
        target = self.store.repo(owner, repo)
        for run in reversed(target.workflow_runs):
            if run.head_sha == head_sha and run.name == name:
                return run
        path = f".github/workflows/{name.lower().replace(' ', '-')}.yml"
        run = WorkflowRun(self.store.next_id(), name, head_sha, self.store.next_id(), path)
        target.workflow_runs.append(run)
        return run

    def add_app(self, app_id: int, slug: str) -> None:
        """Register another app, so that its check runs carry its slug."""
        with self.lock:
            self.store.apps[app_id] = App(id=app_id, slug=slug, name=slug, owner=f"{slug}-org")

    def check_runs(self, owner: str, repo: str, head_sha: str | None = None) -> list[CheckRun]:
        with self.lock:
            runs = self.store.repo(owner, repo).check_runs
            return [r for r in runs if head_sha is None or r.head_sha == head_sha]

    def add_status(
        self, owner: str, repo: str, sha: str, context: str, state: str, description: str = ""
    ) -> CommitStatus:
        """Post a commit status (error, failure, pending, success) for ``context``."""
        with self.lock:
            status = CommitStatus(self.store.next_id(), context, state, description or None)
            self.store.repo(owner, repo).statuses.setdefault(sha, []).append(status)
            return status

    def set_role(self, owner: str, repo: str, user: str, role_name: str) -> None:
        """Give ``user`` a role: admin, maintain, write, triage, read or a custom role name."""
        with self.lock:
            self.store.repo(owner, repo).roles[user] = role_name
            self.store.user(user)

    def add_team_member(self, org: str, team_slug: str, user: str) -> None:
        with self.lock:
            members = self.store.teams.setdefault((org.lower(), team_slug.lower()), [])
            if user not in members:
                members.append(user)

    def add_installation(self, installation_id: int) -> None:
        with self.lock:
            self.store.installations.add(installation_id)
            self.store.newest_installation = installation_id
