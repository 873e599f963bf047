"""The port's check runs: the App's own check, and the states of every other check on a commit."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.core.names import CHECK_NAME
from bot.gh.base import PortBase
from bot.gh.errors import port_call
from bot.gh.rest import repo_url
from bot.ports import CheckOutput, CheckRunInfo, RepoRef


def observed_output(run: Mapping[str, Any]) -> CheckOutput:
    """A check run as the pipeline compares it, title and summary exactly as GitHub keeps them."""
    status = str(run["status"])
    output = run.get("output") or {}
    return CheckOutput(
        status=status,
        # GitHub keeps the old conclusion when a completed run goes back to in_progress (and
        # refuses a null one), so a conclusion only means something once the run is completed.
        conclusion=run.get("conclusion") if status == "completed" else None,
        title=str(output.get("title") or ""),
        summary=str(output.get("summary") or ""),
    )


def check_body(output: CheckOutput) -> dict[str, Any]:
    """The writable fields for ``output``: a conclusion only with ``completed``."""
    body: dict[str, Any] = {
        "status": output.status,
        "output": {"title": output.title, "summary": output.summary},
    }
    if output.status == "completed" and output.conclusion is not None:
        body["conclusion"] = output.conclusion
    return body


def run_state(run: Mapping[str, Any]) -> str:
    """A run's conclusion once completed; queued and in-progress runs are "pending"."""
    if run.get("status") != "completed":
        return "pending"
    return str(run.get("conclusion") or "pending")


def app_id_of(run: Mapping[str, Any]) -> int | None:
    app = run.get("app")
    return int(app["id"]) if isinstance(app, dict) else None


class Checks(PortBase):
    """Reads and writes of check runs and commit statuses."""

    @port_call
    def fetch_check_run(self, repo: RepoRef, head_sha: str, name: str) -> CheckRunInfo | None:
        params = {"check_name": name, "filter": "latest", "app_id": self.settings.app_id}
        url = f"{repo_url(repo)}/commits/{head_sha}/check-runs"
        runs = self.rest.pages(url, params, key="check_runs")
        # Another app may well run a check of the same name: only the App's own one counts.
        ours = [r for r in runs if app_id_of(r) == self.settings.app_id and r["name"] == name]
        if not ours:
            return None
        latest = max(ours, key=lambda r: int(r["id"]))
        return CheckRunInfo(int(latest["id"]), observed_output(latest))

    @port_call
    def fetch_check_states(self, repo: RepoRef, sha: str) -> Mapping[str, str]:
        """Check runs (name → conclusion, or "pending") and commit statuses (context → state)."""
        base = f"{repo_url(repo)}/commits/{sha}"
        states: dict[str, str] = {}
        for status in self.rest.pages(f"{base}/status", key="statuses"):
            states[str(status["context"])] = str(status["state"])
        runs = self.rest.pages(f"{base}/check-runs", {"filter": "latest"}, key="check_runs")
        # Oldest first, so that the newest run wins when two apps use one name, and a check
        # run wins over a commit status of the same name.
        for run in sorted(runs, key=lambda r: int(r["id"])):
            if run["name"] != CHECK_NAME:  # the App's own check never gates itself
                states[str(run["name"])] = run_state(run)
        return states

    @port_call
    def create_check_run(self, repo: RepoRef, head_sha: str, name: str, output: CheckOutput) -> int:
        body = {"name": name, "head_sha": head_sha, **check_body(output)}
        return int(self.rest.send("POST", f"{repo_url(repo)}/check-runs", body)["id"])

    @port_call
    def update_check_run(self, repo: RepoRef, check_id: int, output: CheckOutput) -> None:
        self.rest.send("PATCH", f"{repo_url(repo)}/check-runs/{check_id}", check_body(output))
