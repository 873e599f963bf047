"""The request and reply types the simulated endpoints share, and their route table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.ghsim.auth import Authority, IssuedToken
from tests.ghsim.state import NotFoundError, Pull, Repo, Store

DOCS = "https://docs.github.com/rest"


class HttpError(Exception):
    """A GitHub error reply: status, message and, for 422, the ``errors`` list."""

    def __init__(self, status: int, message: str, errors: list[Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors


def error_body(status: int, message: str, errors: list[Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"message": message, "documentation_url": DOCS, "status": str(status)}
    if errors:
        body["errors"] = errors
    return body


@dataclass
class Call:
    """One authenticated, validated request as an endpoint sees it."""

    store: Store
    authority: Authority
    base: str
    params: dict[str, str]
    query: dict[str, str]
    body: Any
    token: IssuedToken | None = None

    def repo(self) -> Repo:
        """The addressed repository; an installation token sees only its installation's
        private repositories (GitHub answers 404 for the others, not 403)."""
        repo = self.store.repo(self.params["owner"], self.params["repo"])
        owner = self.store.repo_installation.get((repo.owner, repo.name))
        if self.token is not None and repo.private and owner != self.token.installation_id:
            raise NotFoundError()
        return repo

    def pull(self) -> tuple[Repo, Pull]:
        """The pull request addressed as ``pull_number`` or, issue side, ``issue_number``."""
        repo = self.repo()
        raw = self.params.get("pull_number") or self.params.get("issue_number") or ""
        try:
            return repo, repo.pull(int(raw))
        except ValueError:
            raise NotFoundError() from None

    def int_param(self, name: str) -> int:
        try:
            return int(self.params[name])
        except ValueError:
            raise NotFoundError() from None


@dataclass
class Reply:
    """An endpoint's answer; ``paginate`` lists are sliced by ``page``/``per_page`` later.

    With ``page_key`` the body is an object whose ``page_key`` list is paginated (GitHub's
    ``{"total_count": n, "check_runs": [...]}`` shape).
    """

    status: int
    body: Any = None
    paginate: bool = False
    page_key: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Call], Reply]
ROUTES: dict[tuple[str, str], Handler] = {}


def route(method: str, template: str) -> Callable[[Handler], Handler]:
    """Register ``handler`` for one operation of the REST description."""

    def register(handler: Handler) -> Handler:
        ROUTES[(method, template)] = handler
        return handler

    return register
