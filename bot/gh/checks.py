"""The port's check runs: the App's own check, and every other check and status on a commit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from bot.core.actions import CheckState
from bot.core.check_matching import CheckObservations, SeenRun, SeenStatus
from bot.core.check_requirements import GITHUB_ACTIONS_SLUG
from bot.core.names import CHECK_NAME
from bot.evaluation.ports import CheckRunInfo, RepoRef
from bot.gh.base import PortBase
from bot.gh.errors import port_call
from bot.gh.rest import repo_url


def observed_output(run: Mapping[str, Any]) -> CheckState:
    """A check run as the pipeline compares it: title, summary and text as GitHub keeps them."""
    status = str(run["status"])
    output = run.get("output") or {}
    return CheckState(
        status=status,
        # GitHub keeps the old conclusion when a completed run goes back to in_progress (and
        # refuses a null one), so a conclusion only means something once the run is completed.
        conclusion=run.get("conclusion") if status == "completed" else None,
        title=str(output.get("title") or ""),
        summary=str(output.get("summary") or ""),
        text=str(output.get("text") or ""),
    )


def check_body(output: CheckState) -> dict[str, Any]:
    """The writable fields for ``output``: a conclusion only with ``completed``."""
    body: dict[str, Any] = {
        "status": output.status,
        # The text is always sent, empty too, so a shorter list replaces a longer one.
        "output": {"title": output.title, "summary": output.summary, "text": output.text},
    }
    if output.status == "completed" and output.conclusion is not None:
        body["conclusion"] = output.conclusion
    return body


def app_id_of(run: Mapping[str, Any]) -> int | None:
    app = run.get("app")
    return int(app["id"]) if isinstance(app, dict) else None


def seen_run(run: Mapping[str, Any]) -> SeenRun:
    # ``app`` and ``check_suite`` are nullable in GitHub's description.
    app: Mapping[str, Any] = run.get("app") or {}
    suite: Mapping[str, Any] = run.get("check_suite") or {}
    return SeenRun(
        id=int(run["id"]),
        name=str(run["name"]),
        app_id=int(app["id"]) if app.get("id") is not None else None,
        app_slug=str(app["slug"]) if app.get("slug") else None,
        suite_id=int(suite["id"]) if suite.get("id") is not None else None,
        status=str(run["status"]),
        conclusion=run.get("conclusion"),
        started_at=run.get("started_at"),
        completed_at=run.get("completed_at"),
    )


def seen_status(status: Mapping[str, Any]) -> SeenStatus:
    at = status.get("updated_at") or status.get("created_at") or ""
    return SeenStatus(int(status["id"]), str(status["context"]), str(status["state"]), str(at))


def named_workflow(run: SeenRun, names: Mapping[int, str]) -> SeenRun:
    """Only GitHub Actions' own runs take a workflow name from the suite they belong to."""
    name = names.get(run.suite_id) if run.suite_id is not None else None
    if run.app_slug != GITHUB_ACTIONS_SLUG or name is None:
        return run
    return replace(run, workflow=name)


def compact_run(run: Mapping[str, Any], app_id: int) -> dict[str, Any]:
    """What the App reads of a check run, in GitHub's shape; the output only of its own runs."""
    app: Mapping[str, Any] = run.get("app") or {}
    suite: Mapping[str, Any] = run.get("check_suite") or {}
    kept: dict[str, Any] = {
        key: run.get(key)
        for key in ("id", "name", "status", "conclusion", "started_at", "completed_at")
    }
    kept["app"] = {"id": app.get("id"), "slug": app.get("slug")} if app else None
    kept["check_suite"] = {"id": suite.get("id")} if suite else None
    if app_id_of(run) == app_id:
        output = run.get("output") or {}
        kept["output"] = {k: output.get(k) for k in ("title", "summary", "text")}
    return kept


def _status(status: Mapping[str, Any]) -> list[Any]:
    seen = seen_status(status)
    return [seen.id, seen.context, seen.state, seen.updated_at]


def _workflow(run: Mapping[str, Any]) -> list[Any] | None:
    return [int(run["check_suite_id"]), str(run["name"])] if run.get("name") else None


# What was kept, read back: each raises on an entry of another shape (a cache miss then).
def _kept_run(item: Any) -> dict[str, Any]:
    for name in ("id", "name", "status", "app", "check_suite"):
        item[name]  # a KeyError: an entry of another shape
    return dict(item)


def _seen_status(item: Any) -> SeenStatus:
    ident, context, state, at = item
    return SeenStatus(int(ident), str(context), str(state), str(at))


def _suite(item: Any) -> tuple[int, str]:
    suite, name = item
    return int(suite), str(name)


class Checks(PortBase):
    """Reads and writes of check runs and commit statuses."""

    def _head_runs(self, repo: RepoRef, sha: str) -> list[dict[str, Any]]:
        """Every app's latest runs on a commit. The App's own check and the checks it gates on
        come from this one listing: the second read of an evaluation is a free 304."""
        url = f"{repo_url(repo)}/commits/{sha}/check-runs"
        app_id = self.settings.app_id
        return self.cached.pages(
            self.rest,
            url,
            lambda run: compact_run(run, app_id),
            {"filter": "latest"},
            kind="runs",
            key="check_runs",
            parse=_kept_run,
        )

    @port_call
    def fetch_check_run(self, repo: RepoRef, head_sha: str, name: str) -> CheckRunInfo | None:
        runs = self._head_runs(repo, head_sha)
        # Another app may well run a check of the same name: only the App's own one counts.
        ours = [r for r in runs if app_id_of(r) == self.settings.app_id and r["name"] == name]
        if not ours:
            return None
        latest = max(ours, key=lambda r: int(r["id"]))
        return CheckRunInfo(int(latest["id"]), observed_output(latest))

    @port_call
    def fetch_checks(self, repo: RepoRef, sha: str, workflows: bool) -> CheckObservations:
        # The combined status lists the latest status of each context.
        url = f"{repo_url(repo)}/commits/{sha}/status"
        found = self.cached.pages(
            self.rest, url, _status, kind="statuses", key="statuses", parse=_seen_status
        )
        statuses = tuple(found)
        # The App's own check never gates itself, nor does another app's run under its name.
        runs = [
            seen_run(run)
            for run in self._head_runs(repo, sha)
            if app_id_of(run) != self.settings.app_id and run["name"] != CHECK_NAME
        ]
        if workflows:
            names = self._workflow_names(repo, sha)
            runs = [named_workflow(run, names) for run in runs]
        return CheckObservations(tuple(runs), statuses)

    def _workflow_names(self, repo: RepoRef, sha: str) -> dict[int, str]:
        """Check suite id → the name of the Actions workflow run that owns it."""
        params = {"head_sha": sha, "exclude_pull_requests": "true"}
        url = f"{repo_url(repo)}/actions/runs"
        found = self.cached.pages(
            self.rest, url, _workflow, params, kind="workflows", key="workflow_runs", parse=_suite
        )
        return dict(found)

    @port_call
    def create_check_run(self, repo: RepoRef, head_sha: str, name: str, output: CheckState) -> int:
        body = {"name": name, "head_sha": head_sha, **check_body(output)}
        return int(self.rest.send("POST", f"{repo_url(repo)}/check-runs", body)["id"])

    @port_call
    def update_check_run(self, repo: RepoRef, check_id: int, output: CheckState) -> None:
        self.rest.send("PATCH", f"{repo_url(repo)}/check-runs/{check_id}", check_body(output))
