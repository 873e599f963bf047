"""The port's writes on a pull request: labels, review requests and the sticky comment."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from urllib.parse import quote

from github.GithubException import GithubException

from bot.evaluation.ports import RepoRef
from bot.gh.base import PortBase
from bot.gh.errors import github_message, port_call
from bot.gh.rest import repo_url

log = logging.getLogger(__name__)


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
        teams = self._owners_teams(repo, teams)
        if not users and not teams:
            return
        # The port names teams "org/slug"; GitHub takes the bare slug of a team of the owner.
        slugs = [team.rsplit("/", 1)[-1] for team in teams]
        url = f"{repo_url(repo)}/pulls/{number}/requested_reviewers"
        try:
            self.rest.send("POST", url, {"reviewers": list(users), "team_reviewers": slugs})
        except GithubException as err:
            # One reviewer GitHub refuses (no access to the repository, a team it cannot
            # resolve) fails the whole batch with a 422, and would on every evaluation: ask for
            # each reviewer alone so that the others still get the request.
            if err.status != 422 or len(users) + len(slugs) < 2:
                raise
            for user in users:
                self._request_one(url, {"reviewers": [user]}, user)
            for team, slug in zip(teams, slugs, strict=True):
                self._request_one(url, {"team_reviewers": [slug]}, f"team {team}")

    def _owners_teams(self, repo: RepoRef, teams: Sequence[str]) -> list[str]:
        """The teams of the repository's owner; a team of another organisation is skipped.

        GitHub resolves a bare slug within the owner's organisation only, so sending another
        organisation's slug would request the owner's team of that name, if any.
        """
        kept = []
        for team in teams:
            org = team.rsplit("/", 1)[0] if "/" in team else repo.owner
            if org.lower() == repo.owner.lower():
                kept.append(team)
            else:
                log.warning(
                    "cannot request team %s on a repository of %s",
                    team,
                    repo.owner,
                    extra={"installation_id": self.installation_id},
                )
        return kept

    def _request_one(self, url: str, body: dict[str, list[str]], reviewer: str) -> None:
        try:
            self.rest.send("POST", url, body)
        except GithubException as err:
            if err.status != 422:
                raise
            log.warning(
                "GitHub refused the review request for %s: %s",
                reviewer,
                github_message(err.data),
                extra={"installation_id": self.installation_id},
            )

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
