"""The port's writes on a pull request: labels, review requests and the sticky comment."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import quote

from github.GithubException import GithubException

from bot.gh.base import PortBase
from bot.gh.errors import port_call
from bot.gh.rest import repo_url
from bot.ports import RepoRef


class Writes(PortBase):
    """Writes addressed by pull request number or comment id."""

    @port_call
    def add_labels(self, repo: RepoRef, number: int, labels: Sequence[str]) -> None:
        if not labels:
            return
        # The documented body is {"labels": [...]}; PyGithub's add_to_labels sends a bare list.
        url = f"{repo_url(repo)}/issues/{number}/labels"
        self.rest.send("POST", url, {"labels": list(labels)})

    @port_call
    def remove_label(self, repo: RepoRef, number: int, label: str) -> None:
        url = f"{repo_url(repo)}/issues/{number}/labels/{quote(label, safe='')}"
        try:
            self.rest.send("DELETE", url)
        except GithubException as err:
            # 404 "Label does not exist": someone removed it first, which is what we wanted.
            if err.status != 404:
                raise

    @port_call
    def request_reviewers(
        self, repo: RepoRef, number: int, users: Sequence[str], teams: Sequence[str]
    ) -> None:
        if not users and not teams:
            return
        # The port names teams "org/slug"; GitHub takes the bare slug of a team of the owner.
        body = {
            "reviewers": list(users),
            "team_reviewers": [team.rsplit("/", 1)[-1] for team in teams],
        }
        self.rest.send("POST", f"{repo_url(repo)}/pulls/{number}/requested_reviewers", body)

    @port_call
    def create_comment(self, repo: RepoRef, number: int, body: str) -> int:
        url = f"{repo_url(repo)}/issues/{number}/comments"
        return int(self.rest.send("POST", url, {"body": body})["id"])

    @port_call
    def edit_comment(self, repo: RepoRef, comment_id: int, body: str) -> None:
        url = f"{repo_url(repo)}/issues/comments/{comment_id}"
        self.rest.send("PATCH", url, {"body": body})

    @port_call
    def delete_comment(self, repo: RepoRef, comment_id: int) -> None:
        try:
            self.rest.send("DELETE", f"{repo_url(repo)}/issues/comments/{comment_id}")
        except GithubException as err:
            # 404: the comment is gone already (deleted by hand or by an earlier run).
            if err.status != 404:
                raise
