"""The simulated read endpoints (GET) the app uses."""

from __future__ import annotations

from typing import Any

from tests.ghsim import shape_accounts as accounts
from tests.ghsim import shape_pull, shape_repo
from tests.ghsim.calls import Call, Reply, route
from tests.ghsim.state import CheckRun, CommitStatus, NotFoundError, Repo

REPO = "/repos/{owner}/{repo}"
PULL = f"{REPO}/pulls/{{pull_number}}"
ISSUE = f"{REPO}/issues/{{issue_number}}"
# GitHub lists at most 3,000 files and 250 commits of a pull request, silently.
MAX_PULL_FILES = 3000
MAX_PULL_COMMITS = 250
# What ``permission`` reports for each role: maintain and triage fold into the legacy levels.
LEGACY_PERMISSION = {
    "admin": "admin",
    "maintain": "write",
    "write": "write",
    "triage": "read",
    "read": "read",
}


@route("GET", "/app")
def get_app(call: Call) -> Reply:
    return Reply(200, accounts.app(call.base, call.store, call.store.app))


@route("GET", REPO)
def get_repo(call: Call) -> Reply:
    return Reply(200, shape_repo.repository(call.base, call.store, call.repo()))


@route("GET", PULL)
def get_pull(call: Call) -> Reply:
    repo, pull = call.pull()
    return Reply(200, shape_pull.pull_request(call.base, call.store, repo, pull))


@route("GET", f"{PULL}/files")
def list_files(call: Call) -> Reply:
    repo, pull = call.pull()
    files = pull.files[:MAX_PULL_FILES]
    return Reply(200, [shape_pull.diff_entry(call.base, repo, pull, f) for f in files], True)


@route("GET", f"{PULL}/commits")
def list_commits(call: Call) -> Reply:
    repo, pull = call.pull()
    items, parent = [], pull.base_sha
    for info in pull.commits[:MAX_PULL_COMMITS]:
        items.append(shape_repo.commit(call.base, call.store, repo, info, parent))
        parent = info.sha
    return Reply(200, items, paginate=True)


@route("GET", f"{PULL}/reviews")
def list_reviews(call: Call) -> Reply:
    repo, pull = call.pull()
    shape = shape_pull.review
    return Reply(200, [shape(call.base, call.store, repo, pull, r) for r in pull.reviews], True)


@route("GET", f"{PULL}/requested_reviewers")
def list_requested(call: Call) -> Reply:
    repo, pull = call.pull()
    users = [accounts.user(call.base, call.store, login) for login in pull.requested_reviewers]
    teams = [accounts.team(call.base, repo.owner, slug) for slug in pull.requested_teams]
    return Reply(200, {"users": users, "teams": teams})


@route("GET", f"{REPO}/contents/{{path}}")
def get_contents(call: Call) -> Reply:
    repo = call.repo()
    ref = call.query.get("ref") or repo.default_branch
    files = repo.files.get(call.store.resolve_ref(repo, ref), {})
    path = call.params["path"].strip("/")
    if path in files:
        return Reply(200, shape_repo.content_file(call.base, repo, ref, path, files[path]))
    listing = directory(call, repo, ref, path, files)
    if not listing:
        raise NotFoundError()
    return Reply(200, listing)


def directory(call: Call, repo: Repo, ref: str, path: str, files: dict[str, str]) -> list[Any]:
    """A directory listing: one entry per direct child, files carrying no content."""
    entries: dict[str, Any] = {}
    for name, text in sorted(files.items()):
        if not name.startswith(f"{path}/"):
            continue
        child = name[len(path) + 1 :].split("/", 1)[0]
        entry = shape_repo.content_file(call.base, repo, ref, f"{path}/{child}", text)
        if "/" in name[len(path) + 1 :]:
            entry.update(type="dir", size=0, download_url=None)
        for key in ("content", "encoding"):
            entry.pop(key)
        entries.setdefault(child, entry)
    return list(entries.values())


@route("GET", f"{ISSUE}/labels")
def list_labels(call: Call) -> Reply:
    repo, pull = call.pull()
    return Reply(200, shape_pull.pull_labels(call.base, call.store, repo, pull), paginate=True)


@route("GET", f"{ISSUE}/comments")
def list_comments(call: Call) -> Reply:
    repo, pull = call.pull()
    shape = shape_pull.comment
    return Reply(200, [shape(call.base, call.store, repo, pull, c) for c in pull.comments], True)


def head_sha(repo: Repo, ref: str) -> str:
    """A branch name that is some pull request's head stands for that head's SHA."""
    branch = ref.removeprefix("refs/").removeprefix("heads/")
    for pull in repo.pulls.values():
        if branch == pull.head_ref:
            return pull.head_sha
    return ref


def latest_runs(runs: list[CheckRun]) -> list[CheckRun]:
    """GitHub's default ``filter=latest``: the newest run per app and check name."""
    newest: dict[tuple[int, str], CheckRun] = {}
    for run in runs:
        key = (run.app_id, run.name)
        if key not in newest or run.id > newest[key].id:
            newest[key] = run
    return list(newest.values())


@route("GET", f"{REPO}/commits/{{ref}}/check-runs")
def list_check_runs(call: Call) -> Reply:
    repo = call.repo()
    sha, q = head_sha(repo, call.params["ref"]), call.query
    runs = [r for r in repo.check_runs if r.head_sha == sha]
    if q.get("filter", "latest") == "latest":
        runs = latest_runs(runs)
    runs = [
        r
        for r in runs
        if q.get("check_name", r.name) == r.name
        and q.get("status", r.status) == r.status
        and q.get("app_id", str(r.app_id)) == str(r.app_id)
    ]
    runs.sort(key=lambda r: r.id, reverse=True)
    items = [shape_pull.check_run(call.base, call.store, repo, r) for r in runs]
    return Reply(200, {"total_count": len(items), "check_runs": items}, page_key="check_runs")


def combined_state(statuses: list[CommitStatus]) -> str:
    """Failure beats pending beats success; no status at all reads as pending."""
    states = {s.state for s in statuses}
    if states & {"error", "failure"}:
        return "failure"
    if not states or "pending" in states:
        return "pending"
    return "success"


@route("GET", f"{REPO}/commits/{{ref}}/status")
def combined_status(call: Call) -> Reply:
    repo = call.repo()
    sha = head_sha(repo, call.params["ref"])
    latest: dict[str, CommitStatus] = {}
    for status in repo.statuses.get(sha, []):
        latest[status.context] = status
    statuses = list(latest.values())
    url = f"{call.base}/repos/{repo.full_name}/commits/{sha}"
    full = shape_repo.repository(call.base, call.store, repo)
    return Reply(
        200,
        {
            "state": combined_state(statuses),
            "statuses": [shape_repo.commit_status(call.base, repo, s) for s in statuses],
            "sha": sha,
            "total_count": len(statuses),
            "repository": full,
            "commit_url": url,
            "url": f"{url}/status",
        },
    )


@route("GET", f"{REPO}/actions/runs")
def list_workflow_runs(call: Call) -> Reply:
    repo, q = call.repo(), call.query
    runs = [
        r
        for r in repo.workflow_runs
        if q.get("head_sha", r.head_sha) == r.head_sha
        and q.get("check_suite_id", str(r.check_suite_id)) == str(r.check_suite_id)
    ]
    runs.sort(key=lambda r: r.id, reverse=True)  # newest first, as GitHub lists them
    items = [shape_repo.workflow_run(call.base, call.store, repo, r) for r in runs]
    return Reply(200, {"total_count": len(items), "workflow_runs": items}, page_key="workflow_runs")


@route("GET", f"{REPO}/collaborators/{{username}}/permission")
def collaborator_permission(call: Call) -> Reply:
    repo, login = call.repo(), call.params["username"]
    role = repo.roles.get(login)
    if role is None and repo.private:
        # Someone without access to a private repository is not a collaborator: 404.
        raise NotFoundError(f"{login} is not a collaborator")
    # Anyone can read a public repository, so GitHub reports non-collaborators as "read".
    role = role or "read"
    # Custom roles inherit from a base role; the simulator assumes "read" for them.
    permission = LEGACY_PERMISSION.get(role, "read")
    account = accounts.user(call.base, call.store, login)
    account["role_name"] = role
    account["permissions"] = {
        "admin": permission == "admin",
        "maintain": role in ("admin", "maintain"),
        "push": permission in ("admin", "write"),
        "triage": role in ("admin", "maintain", "write", "triage"),
        "pull": True,
    }
    return Reply(200, {"permission": permission, "role_name": role, "user": account})


@route("GET", "/orgs/{org}/teams/{team_slug}/members")
def team_members(call: Call) -> Reply:
    members = call.store.team_members(call.params["org"], call.params["team_slug"])
    shape = accounts.user
    return Reply(200, [shape(call.base, call.store, login) for login in members], paginate=True)


@route("GET", f"{REPO}/commits/{{commit_sha}}/pulls")
def pulls_for_commit(call: Call) -> Reply:
    # GitHub lists every pull request containing the commit, open or closed, not only those
    # whose head it is; callers filter.
    repo, sha = call.repo(), call.params["commit_sha"]
    found = [p for p in repo.pulls.values() if sha in {c.sha for c in p.commits} | {p.head_sha}]
    items = [shape_pull.pull_request(call.base, call.store, repo, p) for p in found]
    return Reply(200, items, paginate=True)
