"""The endpoints a recovery scan uses: the App's delivery log and redelivery, installations,
their repositories, and the open pull requests of a repository."""

from __future__ import annotations

from urllib.parse import urlencode

from tests.ghsim import shape_accounts as accounts
from tests.ghsim import shape_pull, shape_repo
from tests.ghsim.calls import Call, HttpError, Reply, route
from tests.ghsim.hooklog import Delivery
from tests.ghsim.reads import REPO
from tests.ghsim.shape_accounts import EPOCH, Json
from tests.ghsim.state import NotFoundError, Store

DEFAULT_PER_PAGE = 30
MAX_PER_PAGE = 100
CURSOR_PREFIX = "v1_"


def classified(items: list[Delivery], status: str | None) -> list[Delivery]:
    """GitHub's ``status`` filter: success is 200-399, failure 400-599."""
    if status == "success":
        return [d for d in items if 200 <= d.status_code < 400]
    if status == "failure":
        return [d for d in items if 400 <= d.status_code < 600]
    return items


def page_size(call: Call) -> int:
    return min(max(int(call.query.get("per_page", DEFAULT_PER_PAGE)), 1), MAX_PER_PAGE)


@route("GET", "/app/hook/deliveries")
def list_deliveries(call: Call) -> Reply:
    """Newest first, paged by an opaque cursor that names the first delivery of the page."""
    items = classified(call.store.hooks.newest_first(), call.query.get("status"))
    cursor = call.query.get("cursor")
    if cursor is not None:
        if not cursor.startswith(CURSOR_PREFIX) or not cursor[len(CURSOR_PREFIX) :].isdigit():
            raise HttpError(422, "Invalid cursor")
        start = int(cursor[len(CURSOR_PREFIX) :])
        items = [d for d in items if d.id <= start]
    size = page_size(call)
    page, rest = items[:size], items[size:]
    headers = {}
    if rest:
        query = {**call.query, "per_page": str(size), "cursor": f"{CURSOR_PREFIX}{rest[0].id}"}
        headers["Link"] = f'<{call.base}/app/hook/deliveries?{urlencode(query)}>; rel="next"'
    return Reply(200, [d.item() for d in page], headers=headers)


@route("POST", "/app/hook/deliveries/{delivery_id}/attempts")
def redeliver(call: Call) -> Reply:
    """Accept at once, then send the stored delivery again with the same guid, freshly signed."""
    original = call.store.hooks.find(call.int_param("delivery_id"))
    if original is None:
        raise NotFoundError()
    call.store.hooks.redeliver(original)
    return Reply(202, {})


def installation(base: str, store: Store, ident: int) -> Json:
    owners = sorted(o for (o, _), i in store.repo_installation.items() if i == ident)
    login = owners[0] if owners else f"account-{ident}"
    account = accounts.user(base, store, login, org=True)
    return {
        "id": ident,
        "account": account,
        "repository_selection": "selected",
        "access_tokens_url": f"{base}/app/installations/{ident}/access_tokens",
        "repositories_url": f"{base}/installation/repositories",
        "html_url": accounts.html(base, f"organizations/{login}/settings/installations/{ident}"),
        "app_id": store.app.id,
        "app_slug": store.app.slug,
        "target_id": account["id"],
        "target_type": "Organization",
        "permissions": {"checks": "write", "pull_requests": "write", "metadata": "read"},
        "events": ["pull_request", "pull_request_review", "check_run"],
        "created_at": EPOCH,
        "updated_at": EPOCH,
        "single_file_name": None,
        "suspended_by": None,
        "suspended_at": None,
    }


@route("GET", "/app/installations")
def list_installations(call: Call) -> Reply:
    idents = sorted(call.store.installations)
    return Reply(200, [installation(call.base, call.store, i) for i in idents], paginate=True)


@route("GET", "/installation/repositories")
def installation_repositories(call: Call) -> Reply:
    ident = call.token.installation_id if call.token is not None else None
    store = call.store
    repos = [r for key, r in store.repos.items() if store.repo_installation.get(key) == ident]
    items = [shape_repo.repository(call.base, store, r) for r in repos]
    body = {"total_count": len(items), "repositories": items, "repository_selection": "selected"}
    return Reply(200, body, page_key="repositories")


@route("GET", f"{REPO}/pulls")
def list_pulls(call: Call) -> Reply:
    """Newest first, GitHub's default order; ``state`` is open unless asked otherwise, ``base``
    keeps the pull requests into that branch."""
    repo, state = call.repo(), call.query.get("state", "open")
    pulls = [p for p in repo.pulls.values() if state in ("all", p.state)]
    if "base" in call.query:  # the base branch's name, as GitHub filters it
        pulls = [p for p in pulls if p.base_ref == call.query["base"]]
    pulls.sort(key=lambda p: p.number, reverse=True)
    items = [shape_pull.pull_request(call.base, call.store, repo, p) for p in pulls]
    return Reply(200, items, paginate=True)
