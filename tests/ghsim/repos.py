"""The endpoints that read a repository other than a pull request's own: the commit a ref
names, the commit a branch points at, and which installation of the App covers a repository
(asked with the App's JWT)."""

from __future__ import annotations

import re

from tests.ghsim import shape_repo
from tests.ghsim.calls import Call, HttpError, Reply, route
from tests.ghsim.reads import REPO
from tests.ghsim.recovery import installation
from tests.ghsim.shape_accounts import node_id
from tests.ghsim.state import CommitInfo, NotFoundError, tip_sha

SHA = re.compile(r"[0-9a-f]{40}")


@route("GET", f"{REPO}/commits/{{ref}}")
def get_commit(call: Call) -> Reply:
    repo, ref = call.repo(), call.params["ref"]
    try:
        key = call.store.resolve_ref(repo, ref)
    except NotFoundError:
        # GitHub answers an unknown branch, tag or SHA with 422, not 404: the repository exists.
        raise HttpError(422, f"No commit found for SHA: {ref}") from None
    sha = key if SHA.fullmatch(key) else tip_sha(repo, key)
    # The description has no null author here (GitHub sends an empty object for unknown
    # committers): the simulator credits the repository's owner.
    info = CommitInfo(sha, f"Tip of {ref}", repo.owner)
    body = shape_repo.commit(call.base, call.store, repo, info, None)
    body.update(stats={"additions": 0, "deletions": 0, "total": 0}, files=[])
    return Reply(200, body)


@route("GET", f"{REPO}/git/ref/{{ref}}")
def get_ref(call: Call) -> Reply:
    """A branch (``heads/<name>``; the name may hold slashes) and the commit it points at."""
    repo, ref = call.repo(), call.params["ref"]
    if not repo.files:
        raise HttpError(409, "Git Repository is empty.")
    # Only branches are kept; a tag, a partial name or a SHA names no ref here.
    branch = ref.removeprefix("heads/")
    if not ref.startswith("heads/") or branch not in repo.files or SHA.fullmatch(branch):
        raise NotFoundError()
    sha = tip_sha(repo, branch)
    url = f"{call.base}/repos/{repo.full_name}"
    return Reply(
        200,
        {
            "ref": f"refs/{ref}",
            "node_id": node_id("Ref", repo.id),
            "url": f"{url}/git/refs/{ref}",
            "object": {"type": "commit", "sha": sha, "url": f"{url}/git/commits/{sha}"},
        },
    )


@route("GET", f"{REPO}/installation")
def get_repo_installation(call: Call) -> Reply:
    """The App's installation covering the repository; 404 when the App is not installed."""
    repo = call.repo()
    ident = call.store.repo_installation.get((repo.owner, repo.name))
    if ident is None or ident not in call.store.installations:
        raise NotFoundError()
    return Reply(200, installation(call.base, call.store, ident))
