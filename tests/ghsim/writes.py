"""The simulated write endpoints (POST, PATCH, DELETE) the app uses."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from tests.ghsim import shape_accounts as accounts
from tests.ghsim import shape_pull
from tests.ghsim.calls import Call, HttpError, Reply, route
from tests.ghsim.events import record_label_event
from tests.ghsim.reads import ISSUE, PULL, REPO
from tests.ghsim.state import CheckRun, Comment, NotFoundError, Pull, Repo, now_iso

MAX_REVIEWERS_PER_REQUEST = 15
MAX_LABEL_NAME = 50
MAX_COMMENT_BODY = 65536


def missing_field(resource: str, name: str) -> HttpError:
    return HttpError(
        422, "Validation Failed", [{"resource": resource, "field": name, "code": "missing_field"}]
    )


@route("POST", "/app/installations/{installation_id}/access_tokens")
def create_token(call: Call) -> Reply:
    installation = call.int_param("installation_id")
    if installation not in call.store.installations:
        raise NotFoundError()
    issued = call.authority.issue(installation)
    return Reply(201, accounts.installation_token(issued.token, issued.expires_iso))


def check_reviewers(repo: Repo, pull: Pull, users: list[str], teams: list[str]) -> None:
    """Refuse what GitHub refuses: too many, the author, non-collaborators, unknown teams."""
    if len(users) + len(teams) > MAX_REVIEWERS_PER_REQUEST:
        raise HttpError(422, f"You may only request up to {MAX_REVIEWERS_PER_REQUEST} reviewers.")
    if pull.author in users:
        raise HttpError(422, "Review cannot be requested from pull request author.")
    strangers = [u for u in users if u not in repo.roles]
    if strangers:
        raise HttpError(
            422,
            "Reviews may only be requested from collaborators. One or more of the users or teams"
            f" you specified is not a collaborator of the {repo.full_name} repository.",
        )


@route("POST", f"{PULL}/requested_reviewers")
def request_reviewers(call: Call) -> Reply:
    repo, pull = call.pull()
    body = call.body or {}
    users, teams = body.get("reviewers", []), body.get("team_reviewers", [])
    check_reviewers(repo, pull, users, teams)
    for slug in teams:
        if (repo.owner.lower(), slug.lower()) not in call.store.teams:
            raise HttpError(422, f"Could not resolve to a node with the global id of '{slug}'.")
    pull.requested_reviewers += [u for u in users if u not in pull.requested_reviewers]
    pull.requested_teams += [t for t in teams if t not in pull.requested_teams]
    pull.updated_at = now_iso()
    return Reply(201, shape_pull.pull_request(call.base, call.store, repo, pull))


def label_names(body: Any) -> list[str]:
    """The names in ``{"labels": [...]}``, items being names or ``{"name": ...}`` objects."""
    items = body.get("labels", []) if isinstance(body, dict) else []
    return [item["name"] if isinstance(item, dict) else str(item) for item in items]


@route("POST", f"{ISSUE}/labels")
def add_labels(call: Call) -> Reply:
    repo, pull = call.pull()
    names = label_names(call.body)
    for name in names:
        if len(name) > MAX_LABEL_NAME:
            raise HttpError(
                422,
                "Validation Failed",
                [{"resource": "Label", "field": "name", "code": "invalid"}],
            )
    present = {n.lower() for n in pull.labels}
    for name in names:
        canonical = repo.label(name, call.store.next_id()).name
        if canonical.lower() not in present:
            pull.labels.append(canonical)
            present.add(canonical.lower())
            # Installation tokens act as the app's bot user, so the event's actor is the bot.
            record_label_event(call.store, pull, "labeled", canonical, call.store.app.bot_login)
    return Reply(200, shape_pull.pull_labels(call.base, call.store, repo, pull))


@route("DELETE", f"{ISSUE}/labels/{{name}}")
def remove_label(call: Call) -> Reply:
    repo, pull = call.pull()
    wanted = call.params["name"].lower()
    kept = [n for n in pull.labels if n.lower() != wanted]
    if len(kept) == len(pull.labels):
        # Removing a label the issue does not carry is an error on GitHub, not a no-op.
        raise NotFoundError("Label does not exist")
    for name in pull.labels:
        if name.lower() == wanted:
            record_label_event(call.store, pull, "unlabeled", name, call.store.app.bot_login)
    pull.labels = kept
    return Reply(200, shape_pull.pull_labels(call.base, call.store, repo, pull))


def comment_body(call: Call) -> str:
    body = (call.body or {}).get("body")
    if not isinstance(body, str):
        raise missing_field("IssueComment", "body")
    if len(body) > MAX_COMMENT_BODY:
        raise HttpError(422, f"Body is too long (maximum is {MAX_COMMENT_BODY} characters)")
    return body


@route("POST", f"{ISSUE}/comments")
def create_comment(call: Call) -> Reply:
    repo, pull = call.pull()
    item = Comment(
        id=call.store.next_id(),
        user=call.store.app.bot_login,
        body=comment_body(call),
        via_app=True,
    )
    pull.comments.append(item)
    return Reply(201, shape_pull.comment(call.base, call.store, repo, pull, item))


def find_comment(call: Call) -> tuple[Repo, Pull, Comment]:
    repo, wanted = call.repo(), call.int_param("comment_id")
    for pull in repo.pulls.values():
        for item in pull.comments:
            if item.id == wanted:
                return repo, pull, item
    raise NotFoundError()


@route("PATCH", f"{REPO}/issues/comments/{{comment_id}}")
def edit_comment(call: Call) -> Reply:
    repo, pull, item = find_comment(call)
    item.body, item.updated_at = comment_body(call), now_iso()
    return Reply(200, shape_pull.comment(call.base, call.store, repo, pull, item))


@route("DELETE", f"{REPO}/issues/comments/{{comment_id}}")
def delete_comment(call: Call) -> Reply:
    _, pull, item = find_comment(call)
    pull.comments.remove(item)
    return Reply(204)


def updated_run(original: CheckRun, body: dict[str, Any]) -> CheckRun:
    """A copy of ``original`` with the request's writable fields applied, as GitHub does."""
    run = replace(original, output=dict(original.output))
    for key in ("name", "details_url", "external_id", "started_at", "completed_at"):
        if key in body:
            setattr(run, key, body[key])
    if "status" in body:
        run.status = body["status"]
    if "conclusion" in body:
        # Giving a conclusion completes the run, whatever ``status`` says.
        run.conclusion, run.status = body["conclusion"], "completed"
        run.completed_at = run.completed_at or now_iso()
    if run.status == "completed" and run.conclusion is None:
        raise missing_field("CheckRun", "conclusion")
    if "output" in body:
        annotations = run.output.get("annotations", []) + body["output"].get("annotations", [])
        run.output = {**body["output"], "annotations": annotations}
    return run


@route("POST", f"{REPO}/check-runs")
def create_check_run(call: Call) -> Reply:
    repo, body = call.repo(), call.body
    ident = call.store.next_id()
    run = CheckRun(id=ident, head_sha=body["head_sha"], name=body["name"], app_id=call.store.app.id)
    run.suite_id, run.started_at = ident, now_iso()
    run = updated_run(run, body)
    repo.check_runs.append(run)
    return Reply(201, shape_pull.check_run(call.base, call.store, repo, run))


@route("PATCH", f"{REPO}/check-runs/{{check_run_id}}")
def update_check_run(call: Call) -> Reply:
    repo, wanted = call.repo(), call.int_param("check_run_id")
    run = next((r for r in repo.check_runs if r.id == wanted), None)
    if run is None:
        raise NotFoundError()
    if run.app_id != call.store.app.id:
        raise HttpError(
            403,
            f"Invalid app_id `{call.store.app.id}` - check run can only be modified by the"
            " GitHub App that created it.",
        )
    updated = updated_run(run, call.body or {})
    if run.status == "completed" and (updated.status, updated.conclusion) != (
        run.status,
        run.conclusion,
    ):
        # The App must not rely on reopening a completed run or changing its conclusion:
        # GitHub keeps the old state (reports differ), so the simulator refuses it outright.
        raise HttpError(422, "A completed check run's status and conclusion cannot be changed.")
    repo.check_runs[repo.check_runs.index(run)] = updated
    return Reply(200, shape_pull.check_run(call.base, call.store, repo, updated))
