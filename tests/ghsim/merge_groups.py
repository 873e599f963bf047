"""Merge queues: a group of pull requests on a ``gh-readonly-queue/`` branch, the compare
endpoint that lists its commits, and the ``merge_group`` object its deliveries carry."""

from __future__ import annotations

import hashlib
from typing import Any

from tests.ghsim import shape_repo
from tests.ghsim.calls import Call, Reply, route
from tests.ghsim.reads import REPO
from tests.ghsim.shape_accounts import EPOCH
from tests.ghsim.state import CommitInfo, MergeGroup, NotFoundError, Repo, Store

QUEUE_BRANCH = "gh-readonly-queue"


def _sha(*parts: object) -> str:
    return hashlib.sha1("/".join(map(str, parts)).encode()).hexdigest()


def seed_group(store: Store, repo: Repo, numbers: list[int], base_ref: str) -> MergeGroup:
    """Queue the pull requests ``numbers`` in that order: as GitHub's merge method does, the
    group holds each one's commits and a merge commit per pull request, on top of the base."""
    base_sha = _sha(repo.full_name, base_ref, "queue base", len(repo.merge_groups))
    commits: list[CommitInfo] = []
    for number in numbers:
        pull = repo.pull(number)
        commits += [CommitInfo(c.sha, c.message, c.author) for c in pull.commits]
        message = f"Merge pull request #{number} from {repo.owner}/{pull.head_ref}"
        commits.append(CommitInfo(_sha(base_sha, number, pull.head_sha), message, pull.author))
    last = repo.pull(numbers[-1])
    head_ref = f"refs/heads/{QUEUE_BRANCH}/{base_ref}/pr-{last.number}-{last.head_sha}"
    group = MergeGroup(commits[-1].sha, head_ref, base_sha, f"refs/heads/{base_ref}", commits)
    repo.merge_groups[group.head_sha] = group
    store.user(last.author)
    return group


def merge_group_object(group: MergeGroup) -> dict[str, Any]:
    """The ``merge_group`` object of a ``merge_group`` delivery about ``group``."""
    head = group.commits[-1]
    person = {"name": head.author or "unknown", "email": "dev@example.invalid"}
    return {
        "head_sha": group.head_sha,
        "head_ref": group.head_ref,
        "base_sha": group.base_sha,
        "base_ref": group.base_ref,
        "head_commit": {
            "id": head.sha,
            "tree_id": _sha("tree", head.sha),
            "message": head.message,
            "timestamp": EPOCH,
            "author": person,
            "committer": person,
        },
    }


@route("GET", f"{REPO}/compare/{{basehead}}")
def compare(call: Call) -> Reply:
    """Only a merge group's own range is known: ``base_sha...head_sha``."""
    repo = call.repo()
    base, _, head = call.params["basehead"].partition("...")
    group = repo.merge_groups.get(head)
    if group is None or group.base_sha != base:
        raise NotFoundError(f"No common ancestor between {base} and {head}.")
    api = f"{call.base}/repos/{repo.full_name}"
    site = api.replace("/repos/", "/", 1)
    items, parent = [], group.base_sha
    for info in group.commits:
        items.append(shape_repo.commit(call.base, call.store, repo, info, parent))
        parent = info.sha
    author = group.commits[0].author  # the description refuses a null author with a login
    base_commit = shape_repo.commit(call.base, call.store, repo, CommitInfo(base, "", author), None)
    body = {
        "url": f"{api}/compare/{base}...{head}",
        "html_url": f"{site}/compare/{base}...{head}",
        "permalink_url": f"{site}/compare/{repo.owner}:{base}...{repo.owner}:{head}",
        "diff_url": f"{site}/compare/{base}...{head}.diff",
        "patch_url": f"{site}/compare/{base}...{head}.patch",
        "base_commit": base_commit,
        "merge_base_commit": base_commit,
        "status": "ahead",
        "ahead_by": len(items),
        "behind_by": 0,
        "total_commits": len(items),
        "commits": items,
        "files": [],
    }
    return Reply(200, body, page_key="commits")
