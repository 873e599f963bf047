"""The port's reads of pull requests (files, commits, reviews, labels) and of repository files."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from github.GithubException import GithubException

from bot.core.names import ORG_CONFIG_PATH
from bot.evaluation.ports import CommentInfo, LabelEvent, PullInfo, RepoRef, ReviewInfo
from bot.gh.base import PortBase
from bot.gh.errors import port_call, rate_limited
from bot.gh.rest import repo_url
from bot.ops.settings import AppSettings

log = logging.getLogger(__name__)

# GitHub lists at most 3,000 files and 250 commits of a pull request, and says nothing more.
MAX_FILE_PAGES = 30
MAX_COMMIT_PAGES = 3
# Open pull requests a policy preview counts: 1,000, newest first.
MAX_OPEN_PULL_PAGES = 10
LISTING_KEYS = ("filename", "status", "additions", "deletions")
# Keys GitHub omits rather than sends as null: ``patch`` for binary and large diffs,
# ``previous_filename`` unless renamed.
OPTIONAL_LISTING_KEYS = ("patch", "previous_filename")


def login(account: Any) -> str:
    """An account's login; GitHub sends null for some deleted accounts, shown as "ghost"."""
    return str(account["login"]) if isinstance(account, dict) else "ghost"


def quiet_refusal(err: GithubException) -> bool:
    """A 404, or a 403 that is a permission refusal rather than a rate limit."""
    return err.status == 404 or (err.status == 403 and not rate_limited(err))


def pull_info(repo: RepoRef, data: dict[str, Any]) -> PullInfo:
    return PullInfo(
        number=int(data["number"]),
        state=str(data["state"]),
        draft=bool(data.get("draft")),
        author=login(data.get("user")),
        title=str(data.get("title") or ""),
        body=str(data.get("body") or ""),  # null when the description was left empty
        head_sha=str(data["head"]["sha"]),
        base_ref=str(data["base"]["ref"]),
        base_sha=str(data["base"]["sha"]),
        labels=tuple(str(label["name"]) for label in data.get("labels") or ()),
        requested_users=tuple(login(u) for u in data.get("requested_reviewers") or ()),
        # Requested teams carry only a slug; a team reviewer belongs to the repository's owner.
        requested_teams=tuple(
            f"{repo.owner}/{team['slug']}" for team in data.get("requested_teams") or ()
        ),
    )


def compact_pull(data: dict[str, Any]) -> dict[str, Any]:
    """What ``pull_info`` reads of a pull request, in GitHub's own shape, to keep in Redis."""
    return {
        "number": data["number"],
        "state": data["state"],
        "draft": bool(data.get("draft")),
        "user": {"login": login(data.get("user"))},
        "title": data.get("title"),
        "body": data.get("body"),
        "head": {"sha": data["head"]["sha"]},
        "base": {"ref": data["base"]["ref"], "sha": data["base"]["sha"]},
        "labels": [{"name": label["name"]} for label in data.get("labels") or ()],
        "requested_reviewers": [{"login": login(u)} for u in data.get("requested_reviewers") or ()],
        "requested_teams": [{"slug": t["slug"]} for t in data.get("requested_teams") or ()],
    }


def listing_entry(item: Mapping[str, Any]) -> dict[str, object]:
    entry: dict[str, object] = {k: item[k] for k in LISTING_KEYS}
    entry.update({k: item[k] for k in OPTIONAL_LISTING_KEYS if item.get(k) is not None})
    return entry


def written_by_app(item: Mapping[str, Any], settings: AppSettings) -> bool:
    """Whether the App wrote ``item``: by the App's id, else by its bot user's login.

    The id holds even when GITHUB_APP_SLUG differs from the App's real slug, which makes the
    bot login wrong; ``performed_via_github_app`` is null for what people write.
    """
    app = item.get("performed_via_github_app")
    if isinstance(app, dict) and app.get("id") == settings.app_id:
        return True
    return login(item.get("user")) == settings.bot_login


def _review(r: dict[str, Any]) -> list[Any]:
    return [
        login(r.get("user")),
        str(r["state"]),
        str(r.get("commit_id") or ""),
        int(r.get("id") or 0),
        str(r.get("submitted_at") or ""),
    ]


def _labeled(event: dict[str, Any]) -> list[Any] | None:
    if event.get("event") != "labeled" or not isinstance(event.get("label"), dict):
        return None
    return [str(event["label"]["name"]), int(event["id"]), login(event.get("actor"))]


def _head_of(pull: dict[str, Any]) -> list[Any]:
    return [int(pull["number"]), str(pull["state"]), str(pull["head"]["sha"])]


# What was kept, read back: each raises on an entry of another shape (a cache miss then).
def _file(entry: Any) -> dict[str, object]:
    for name in LISTING_KEYS:
        entry[name]  # a KeyError: an entry of another shape
    return dict(entry)


def _text(item: Any) -> str:
    if not isinstance(item, str):
        raise TypeError("not a text")
    return item


def _label_event(item: Any) -> tuple[str, int, str]:
    name, ident, actor = item
    return str(name), int(ident), str(actor)


def _comment(item: Any) -> tuple[int, str]:
    ident, body = item
    return int(ident), _text(body)


def _head(item: Any) -> tuple[int, str, str]:
    number, state, sha = item
    return int(number), str(state), str(sha)


class PullReads(PortBase):
    """Reads addressed by pull request number, each with its last ETag (see bot/gh/conditional)."""

    @port_call
    def fetch_pull(self, repo: RepoRef, number: int) -> PullInfo:
        url = f"{repo_url(repo)}/pulls/{number}"
        pull: PullInfo = self.cached.get(
            self.rest, url, compact_pull, kind="pull", parse=lambda p: pull_info(repo, p)
        )
        return pull

    @port_call
    def fetch_files(self, repo: RepoRef, number: int) -> list[Mapping[str, object]]:
        url = f"{repo_url(repo)}/pulls/{number}/files"
        return self.cached.pages(
            self.rest, url, listing_entry, kind="files", parse=_file, max_pages=MAX_FILE_PAGES
        )

    @port_call
    def fetch_commit_messages(self, repo: RepoRef, number: int) -> tuple[str, ...]:
        url = f"{repo_url(repo)}/pulls/{number}/commits"
        messages = self.cached.pages(
            self.rest,
            url,
            lambda c: str(c["commit"]["message"]),
            kind="messages",
            parse=_text,
            max_pages=MAX_COMMIT_PAGES,
        )
        return tuple(messages)

    @port_call
    def fetch_reviews(self, repo: RepoRef, number: int) -> tuple[ReviewInfo, ...]:
        # A review past a cut could be the one that withdraws an approval: read whole or not.
        url = f"{repo_url(repo)}/pulls/{number}/reviews"
        reviews = self.cached.pages(
            self.rest, url, _review, kind="reviews", parse=lambda r: ReviewInfo(*r), whole=True
        )
        return tuple(reviews)

    @port_call
    def fetch_label_actors(self, repo: RepoRef, number: int) -> tuple[LabelEvent, ...]:
        url = f"{repo_url(repo)}/issues/{number}/events"
        latest: dict[str, tuple[int, str]] = {}
        events = self.cached.pages(
            self.rest, url, _labeled, kind="labeled", parse=_label_event, whole=True
        )
        for name, ident, actor in events:
            # Event ids grow with time; comparing them does not rely on the listing's order.
            if name not in latest or ident > latest[name][0]:
                latest[name] = (ident, actor)
        return tuple(LabelEvent(name, actor) for name, (_, actor) in latest.items())

    @port_call
    def fetch_sticky_comment(self, repo: RepoRef, number: int, marker: str) -> CommentInfo | None:
        # Anyone can paste the marker into a comment: only the App's own comment is the sticky,
        # and only the App's comments are kept.
        url = f"{repo_url(repo)}/issues/{number}/comments"
        # Past a cut the App's own comment would go unseen and be posted again.
        comments = self.cached.pages(
            self.rest, url, self._own_comment, kind="own-comments", parse=_comment, whole=True
        )
        for ident, body in comments:
            if marker in body:
                return CommentInfo(ident, body)
        return None

    def _own_comment(self, item: dict[str, Any]) -> list[Any] | None:
        if not written_by_app(item, self.settings):
            return None
        return [int(item["id"]), str(item.get("body") or "")]

    @port_call
    def fetch_pulls_for_commit(self, repo: RepoRef, sha: str) -> tuple[int, ...]:
        # GitHub lists every pull request containing the commit, merged ones included; only
        # open pull requests whose head it is are evaluated for it.
        url = f"{repo_url(repo)}/commits/{sha}/pulls"
        pulls = self.cached.pages(self.rest, url, _head_of, kind="heads", parse=_head)
        return tuple(sorted(n for n, state, head in pulls if state == "open" and head == sha))

    @port_call
    def fetch_open_pulls(self, repo: RepoRef, base_ref: str | None) -> tuple[PullInfo, ...]:
        # The listing carries what fetch_pull reads (labels, draft, body, heads), so a policy
        # preview needs no request per pull request for it.
        params = {"state": "open"} | ({} if base_ref is None else {"base": base_ref})
        url = f"{repo_url(repo)}/pulls"
        pulls = self.cached.pages(
            self.rest,
            url,
            compact_pull,
            params,
            kind="pulls",
            parse=lambda p: pull_info(repo, p),
            max_pages=MAX_OPEN_PULL_PAGES,
        )
        return tuple(pulls)


class RepoReads(PortBase):
    """Reads of repository files, roles and teams."""

    @port_call
    def fetch_file(self, repo: RepoRef, path: str, ref: str) -> str | None:
        return self.files.read(self.rest, repo_url(repo), path, ref)

    @port_call
    def fetch_base_files(
        self, repo: RepoRef, paths: tuple[str, ...], ref: str
    ) -> dict[str, str | None]:
        return self.files.read_many(self.rest, repo, paths, ref)

    @port_call
    def fetch_org_config(self, owner: str) -> str | None:
        # The organisation-wide file lives at the root of the owner's ".github" repository,
        # read from its default branch; either may be missing (404 → None).
        org_repo = RepoRef(self.installation_id, owner, ".github")
        return self.files.read(self.rest, repo_url(org_repo), ORG_CONFIG_PATH, None)

    @port_call
    def fetch_team_members(self, org: str, slug: str) -> tuple[str, ...]:
        try:
            url = f"/orgs/{quote(org, safe='')}/teams/{quote(slug, safe='')}/members"
            members = self.cached.pages(self.rest, url, login, kind="logins", parse=_text)
        except GithubException as err:
            if not quiet_refusal(err):
                raise
            # Without the "members" permission GitHub answers 403 or hides the team (404):
            # the team's approvals cannot be counted, which must not stop the evaluation.
            log.warning(
                "cannot read team members (%s)",
                err.status,
                extra={"org": org, "team": slug, "installation_id": self.installation_id},
            )
            return ()
        return tuple(members)

    @port_call
    def fetch_role(self, repo: RepoRef, user: str, fresh: bool = False) -> str:
        try:
            return self.roles.role(self.rest, repo_url(repo), user, fresh)
        except GithubException as err:
            # 404: the user is no collaborator of this private repository.
            if err.status == 404:
                return "none"
            raise
