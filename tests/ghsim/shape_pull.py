"""Render pull requests and what hangs on them (files, reviews, comments, check runs)."""

from __future__ import annotations

from tests.ghsim.shape_accounts import Json, app, html, node_id, team, user
from tests.ghsim.shape_repo import label, repository
from tests.ghsim.state import CheckRun, Comment, FileChange, Pull, Repo, Review, Store


def pull_labels(base: str, store: Store, repo: Repo, pull: Pull) -> list[Json]:
    return [label(base, repo, repo.label(name, store.next_id())) for name in pull.labels]


def _branch(base: str, store: Store, repo: Repo, ref: str, sha: str, login: str) -> Json:
    return {
        "label": f"{repo.owner}:{ref}",
        "ref": ref,
        "sha": sha,
        "user": user(base, store, login),
        "repo": repository(base, store, repo),
    }


# Fields of an open, unmerged pull request that the simulator never varies; GitHub computes
# ``mergeable`` in the background and reports null until it has.
OPEN_PULL_CONSTANTS: Json = {
    "locked": False,
    "milestone": None,
    "active_lock_reason": None,
    "closed_at": None,
    "merged_at": None,
    "merge_commit_sha": None,
    "assignee": None,
    "assignees": [],
    "auto_merge": None,
    "merged": False,
    "mergeable": None,
    "rebaseable": None,
    "mergeable_state": "unknown",
    "merged_by": None,
    "review_comments": 0,
    "maintainer_can_modify": False,
}


def pull_urls(base: str, repo: Repo, pull: Pull) -> Json:
    """The ``*_url`` fields and ``_links`` of a pull request."""
    url = f"{base}/repos/{repo.full_name}/pulls/{pull.number}"
    issue_url = f"{base}/repos/{repo.full_name}/issues/{pull.number}"
    links = {
        "self": url,
        "html": html(base, f"{repo.full_name}/pull/{pull.number}"),
        "issue": issue_url,
        "comments": f"{issue_url}/comments",
        "review_comments": f"{url}/comments",
        "review_comment": f"{base}/repos/{repo.full_name}/pulls/comments{{/number}}",
        "commits": f"{url}/commits",
        "statuses": f"{base}/repos/{repo.full_name}/statuses/{pull.head_sha}",
    }
    fields = {f"{k}_url": v for k, v in links.items() if k not in ("self", "html")}
    return {
        **fields,
        "url": url,
        "html_url": links["html"],
        "diff_url": f"{links['html']}.diff",
        "patch_url": f"{links['html']}.patch",
        "_links": {k: {"href": v} for k, v in links.items()},
    }


def pull_request(base: str, store: Store, repo: Repo, pull: Pull) -> Json:
    """The ``pull-request`` object of ``GET /repos/{owner}/{repo}/pulls/{pull_number}``."""
    return {
        **pull_urls(base, repo, pull),
        **OPEN_PULL_CONSTANTS,
        "id": pull.id,
        "node_id": node_id("PullRequest", pull.id),
        "number": pull.number,
        "state": pull.state,
        "title": pull.title,
        "user": user(base, store, pull.author),
        "body": pull.body,
        "labels": pull_labels(base, store, repo, pull),
        "created_at": pull.created_at,
        "updated_at": pull.updated_at,
        "requested_reviewers": [user(base, store, login) for login in pull.requested_reviewers],
        "requested_teams": [team(base, repo.owner, slug) for slug in pull.requested_teams],
        "head": _branch(base, store, repo, pull.head_ref, pull.head_sha, pull.author),
        "base": _branch(base, store, repo, pull.base_ref, pull.base_sha, repo.owner),
        "author_association": "MEMBER" if pull.author in repo.roles else "CONTRIBUTOR",
        "draft": pull.draft,
        "comments": len(pull.comments),
        "commits": len(pull.commits),
        "additions": sum(f.additions for f in pull.files),
        "deletions": sum(f.deletions for f in pull.files),
        "changed_files": len(pull.files),
        **_merge(pull),
    }


def _merge(pull: Pull) -> Json:
    """A merged pull request says when, and that it is closed."""
    if pull.merged_at is None:
        return {}
    return {"merged": True, "merged_at": pull.merged_at, "closed_at": pull.merged_at}


def diff_entry(base: str, repo: Repo, pull: Pull, change: FileChange) -> Json:
    raw = f"{base}/_raw/{repo.full_name}/{pull.head_sha}/{change.filename}"
    entry: Json = {
        "sha": change.sha,
        "filename": change.filename,
        "status": change.status,
        "additions": change.additions,
        "deletions": change.deletions,
        "changes": change.additions + change.deletions,
        "blob_url": html(base, f"{repo.full_name}/blob/{pull.head_sha}/{change.filename}"),
        "raw_url": raw,
        "contents_url": f"{base}/repos/{repo.full_name}/contents/{change.filename}"
        f"?ref={pull.head_sha}",
    }
    # GitHub omits ``patch`` for binary and very large diffs rather than sending null.
    if change.patch is not None:
        entry["patch"] = change.patch
    if change.previous_filename is not None:
        entry["previous_filename"] = change.previous_filename
    return entry


def review(base: str, store: Store, repo: Repo, pull: Pull, item: Review) -> Json:
    pull_url = f"{base}/repos/{repo.full_name}/pulls/{pull.number}"
    page = html(base, f"{repo.full_name}/pull/{pull.number}#pullrequestreview-{item.id}")
    return {
        "id": item.id,
        "node_id": node_id("PullRequestReview", item.id),
        "user": user(base, store, item.user),
        "body": item.body,
        "state": item.state,
        "html_url": page,
        "pull_request_url": pull_url,
        "_links": {"html": {"href": page}, "pull_request": {"href": pull_url}},
        "submitted_at": item.submitted_at,
        "commit_id": item.commit_id,
        "author_association": "MEMBER" if item.user in repo.roles else "CONTRIBUTOR",
    }


def comment(base: str, store: Store, repo: Repo, pull: Pull, item: Comment) -> Json:
    issue_url = f"{base}/repos/{repo.full_name}/issues/{pull.number}"
    return {
        "id": item.id,
        "node_id": node_id("IssueComment", item.id),
        "url": f"{base}/repos/{repo.full_name}/issues/comments/{item.id}",
        "html_url": html(base, f"{repo.full_name}/pull/{pull.number}#issuecomment-{item.id}"),
        "issue_url": issue_url,
        "body": item.body,
        "user": user(base, store, item.user),
        "created_at": item.created_at,
        "updated_at": item.updated_at,
        "author_association": "NONE" if item.via_app else "MEMBER",
        "performed_via_github_app": app(base, store, store.app) if item.via_app else None,
    }


def check_run(base: str, store: Store, repo: Repo, run: CheckRun) -> Json:
    pulls = [p for p in repo.pulls.values() if p.head_sha == run.head_sha and p.state == "open"]
    owner = store.app_of(run.app_id)
    return {
        "id": run.id,
        "node_id": node_id("CheckRun", run.id),
        "head_sha": run.head_sha,
        "external_id": run.external_id,
        "url": f"{base}/repos/{repo.full_name}/check-runs/{run.id}",
        "html_url": html(base, f"{repo.full_name}/runs/{run.id}"),
        "details_url": run.details_url,
        "status": run.status,
        "conclusion": run.conclusion,
        "started_at": run.started_at,
        "completed_at": run.completed_at,
        "output": {
            "title": run.output.get("title"),
            "summary": run.output.get("summary"),
            "text": run.output.get("text"),
            "annotations_count": len(run.output.get("annotations", [])),
            "annotations_url": f"{base}/repos/{repo.full_name}/check-runs/{run.id}/annotations",
        },
        "name": run.name,
        "check_suite": {"id": run.suite_id},
        "app": app(base, store, owner),
        "pull_requests": [pull_minimal(base, repo, p) for p in pulls],
    }


def pull_minimal(base: str, repo: Repo, pull: Pull) -> Json:
    ref = {"id": repo.id, "url": f"{base}/repos/{repo.full_name}", "name": repo.name}
    return {
        "id": pull.id,
        "number": pull.number,
        "url": f"{base}/repos/{repo.full_name}/pulls/{pull.number}",
        "head": {"ref": pull.head_ref, "sha": pull.head_sha, "repo": ref},
        "base": {"ref": pull.base_ref, "sha": pull.base_sha, "repo": ref},
    }
