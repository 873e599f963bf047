"""Render repositories, labels, commits, statuses, workflow runs and contents as GitHub does."""

from __future__ import annotations

import base64
import hashlib

from tests.ghsim.shape_accounts import EPOCH, Json, html, node_id, user
from tests.ghsim.state import CommitInfo, CommitStatus, Label, Repo, Store, WorkflowRun

# URI templates GitHub puts on every repository object, relative to the repository's API URL.
REPO_URL_SUFFIXES = {
    "archive_url": "/{archive_format}{/ref}",
    "assignees_url": "/assignees{/user}",
    "blobs_url": "/git/blobs{/sha}",
    "branches_url": "/branches{/branch}",
    "collaborators_url": "/collaborators{/collaborator}",
    "comments_url": "/comments{/number}",
    "commits_url": "/commits{/sha}",
    "compare_url": "/compare/{base}...{head}",
    "contents_url": "/contents/{+path}",
    "contributors_url": "/contributors",
    "deployments_url": "/deployments",
    "downloads_url": "/downloads",
    "events_url": "/events",
    "forks_url": "/forks",
    "git_commits_url": "/git/commits{/sha}",
    "git_refs_url": "/git/refs{/sha}",
    "git_tags_url": "/git/tags{/sha}",
    "hooks_url": "/hooks",
    "issue_comment_url": "/issues/comments{/number}",
    "issue_events_url": "/issues/events{/number}",
    "issues_url": "/issues{/number}",
    "keys_url": "/keys{/key_id}",
    "labels_url": "/labels{/name}",
    "languages_url": "/languages",
    "merges_url": "/merges",
    "milestones_url": "/milestones{/number}",
    "notifications_url": "/notifications{?since,all,participating}",
    "pulls_url": "/pulls{/number}",
    "releases_url": "/releases{/id}",
    "stargazers_url": "/stargazers",
    "statuses_url": "/statuses/{sha}",
    "subscribers_url": "/subscribers",
    "subscription_url": "/subscription",
    "tags_url": "/tags",
    "teams_url": "/teams",
    "trees_url": "/git/trees{/sha}",
}


# Repository fields the simulator never varies.
REPO_CONSTANTS: Json = {
    "description": None,
    "fork": False,
    "mirror_url": None,
    "homepage": None,
    "language": "Python",
    "license": None,
    "size": 1,
    "archived": False,
    "disabled": False,
    "pushed_at": EPOCH,
    "created_at": EPOCH,
    "updated_at": EPOCH,
    **dict.fromkeys(("forks", "forks_count", "stargazers_count", "watchers"), 0),
    **dict.fromkeys(("watchers_count", "network_count", "subscribers_count"), 0),
    **dict.fromkeys(("has_projects", "has_wiki", "has_pages", "has_downloads"), False),
    "has_discussions": False,
    "has_issues": True,
}


def repository(base: str, store: Store, repo: Repo) -> Json:
    """The ``full-repository`` object of ``GET /repos/{owner}/{repo}``."""
    url = f"{base}/repos/{repo.full_name}"
    return {
        **REPO_CONSTANTS,
        "id": repo.id,
        "node_id": node_id("Repository", repo.id),
        "name": repo.name,
        "full_name": repo.full_name,
        "owner": user(base, store, repo.owner, org=True),
        "private": repo.private,
        "visibility": "private" if repo.private else "public",
        "default_branch": repo.default_branch,
        "open_issues": len(repo.pulls),
        "open_issues_count": len(repo.pulls),
        "url": url,
        **{k: url + v for k, v in REPO_URL_SUFFIXES.items()},
        "html_url": html(base, repo.full_name),
        "git_url": f"git://127.0.0.1/{repo.full_name}.git",
        "ssh_url": f"git@127.0.0.1:{repo.full_name}.git",
        "clone_url": html(base, f"{repo.full_name}.git"),
        "svn_url": html(base, repo.full_name),
    }


def label(base: str, repo: Repo, item: Label) -> Json:
    return {
        "id": item.id,
        "node_id": node_id("Label", item.id),
        "url": f"{base}/repos/{repo.full_name}/labels/{item.name}",
        "name": item.name,
        "description": item.description,
        "color": item.color,
        "default": False,
    }


def commit(base: str, store: Store, repo: Repo, info: CommitInfo, parent: str | None) -> Json:
    url = f"{base}/repos/{repo.full_name}/commits/{info.sha}"
    person = {"name": info.author or "unknown", "email": "dev@example.invalid", "date": EPOCH}
    account = user(base, store, info.author) if info.author else None
    parents = [] if parent is None else [{"sha": parent, "url": url, "html_url": url}]
    return {
        "sha": info.sha,
        "node_id": node_id("Commit", int(info.sha[:6] or "0", 16)),
        "url": url,
        "html_url": html(base, f"{repo.full_name}/commit/{info.sha}"),
        "comments_url": f"{url}/comments",
        "commit": {
            "url": f"{base}/repos/{repo.full_name}/git/commits/{info.sha}",
            "author": person,
            "committer": person,
            "message": info.message,
            "comment_count": 0,
            "tree": {"sha": info.sha, "url": f"{base}/repos/{repo.full_name}/git/trees/{info.sha}"},
        },
        "author": account,
        "committer": account,
        "parents": parents,
    }


def commit_status(base: str, repo: Repo, item: CommitStatus) -> Json:
    return {
        "id": item.id,
        "node_id": node_id("StatusContext", item.id),
        "url": f"{base}/repos/{repo.full_name}/statuses/{item.id}",
        "avatar_url": None,
        "state": item.state,
        "description": item.description,
        "target_url": item.target_url,
        "context": item.context,
        "created_at": item.created_at,
        "updated_at": item.created_at,
    }


def workflow_run(base: str, store: Store, repo: Repo, item: WorkflowRun) -> Json:
    """A ``workflow-run`` of ``GET /repos/{owner}/{repo}/actions/runs``."""
    api = f"{base}/repos/{repo.full_name}"
    url = f"{api}/actions/runs/{item.id}"
    branch = next((p.head_ref for p in repo.pulls.values() if p.head_sha == item.head_sha), None)
    full = repository(base, store, repo)
    return {
        "id": item.id,
        "name": item.name,
        "node_id": node_id("WorkflowRun", item.id),
        "check_suite_id": item.check_suite_id,
        "check_suite_node_id": node_id("CheckSuite", item.check_suite_id),
        "head_branch": branch,
        "head_sha": item.head_sha,
        "path": item.path,
        "run_number": item.run_number,
        "run_attempt": 1,
        "display_title": item.name,
        "event": item.event,
        "status": item.status,
        "conclusion": item.conclusion,
        "workflow_id": int(hashlib.sha256(item.path.encode()).hexdigest()[:8], 16),
        "url": url,
        "html_url": html(base, f"{repo.full_name}/actions/runs/{item.id}"),
        "pull_requests": [],
        "created_at": item.created_at,
        "updated_at": item.created_at,
        "run_started_at": item.created_at,
        **{k: f"{url}/{k.removesuffix('_url')}" for k in ("jobs_url", "logs_url", "rerun_url")},
        **{k: f"{url}/{k.removesuffix('_url')}" for k in ("artifacts_url", "cancel_url")},
        "check_suite_url": f"{api}/check-suites/{item.check_suite_id}",
        "workflow_url": f"{api}/actions/workflows/{item.path.rsplit('/', 1)[-1]}",
        "head_commit": None,
        "repository": full,
        "head_repository": full,
    }


def content_file(base: str, repo: Repo, ref: str, path: str, text: str) -> Json:
    data = text.encode()
    sha = hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()
    url = f"{base}/repos/{repo.full_name}/contents/{path}?ref={ref}"
    git_url = f"{base}/repos/{repo.full_name}/git/blobs/{sha}"
    encoded = base64.b64encode(data).decode()
    # GitHub wraps base64 content at 60 characters with newlines; decoders must tolerate it.
    wrapped = "".join(encoded[i : i + 60] + "\n" for i in range(0, len(encoded), 60))
    return {
        "type": "file",
        "encoding": "base64",
        "size": len(data),
        "name": path.rsplit("/", 1)[-1],
        "path": path,
        "content": wrapped,
        "sha": sha,
        "url": url,
        "git_url": git_url,
        "html_url": html(base, f"{repo.full_name}/blob/{ref}/{path}"),
        "download_url": f"{base}/_raw/{repo.full_name}/{ref}/{path}",
        "_links": {"self": url, "git": git_url, "html": html(base, f"{repo.full_name}/{path}")},
    }
