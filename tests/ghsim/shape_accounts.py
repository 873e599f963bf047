"""Render accounts, teams, the app and its tokens as GitHub's REST API does."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from tests.ghsim.state import App, Store

Json = dict[str, Any]


EPOCH = "2020-01-01T00:00:00Z"


USER_URL_SUFFIXES = {
    "events_url": "/events{/privacy}",
    "followers_url": "/followers",
    "following_url": "/following{/other_user}",
    "gists_url": "/gists{/gist_id}",
    "organizations_url": "/orgs",
    "received_events_url": "/received_events",
    "repos_url": "/repos",
    "starred_url": "/starred{/owner}{/repo}",
    "subscriptions_url": "/subscriptions",
}


def node_id(kind: str, ident: int) -> str:
    return base64.b64encode(f"{kind}{ident}".encode()).decode()


def html(base: str, path: str) -> str:
    """Browser URLs point at a path the API never serves, so nothing follows them by mistake."""
    return f"{base}/_html/{path}"


def user(base: str, store: Store, login: str, org: bool = False) -> Json:
    account = store.user(login)
    kind = "Organization" if org else account.type
    url = f"{base}/users/{login}"
    return {
        "login": login,
        "id": account.id,
        "node_id": node_id("User", account.id),
        "avatar_url": f"{base}/_avatars/{account.id}",
        "gravatar_id": "",
        "url": url,
        "html_url": html(base, login),
        **{k: url + v for k, v in USER_URL_SUFFIXES.items()},
        "type": kind,
        "site_admin": False,
    }


def team(base: str, org: str, slug: str) -> Json:
    ident = int(hashlib.sha256(f"{org}/{slug}".encode()).hexdigest()[:8], 16)
    url = f"{base}/orgs/{org}/teams/{slug}"
    return {
        "id": ident,
        "node_id": node_id("Team", ident),
        "url": url,
        "html_url": html(base, f"orgs/{org}/teams/{slug}"),
        "name": slug,
        "slug": slug,
        "description": None,
        "privacy": "closed",
        "notification_setting": "notifications_enabled",
        "permission": "pull",
        "members_url": f"{url}/members{{/member}}",
        "repositories_url": f"{url}/repos",
        "type": "organization",
        "parent": None,
    }


def app(base: str, store: Store, item: App) -> Json:
    return {
        "id": item.id,
        "slug": item.slug,
        "node_id": node_id("Integration", item.id),
        "client_id": f"Iv1.{item.id:012d}",
        "owner": user(base, store, item.owner, org=True),
        "name": item.name,
        "description": None,
        "external_url": html(base, f"apps/{item.slug}"),
        "html_url": html(base, f"apps/{item.slug}"),
        "created_at": EPOCH,
        "updated_at": EPOCH,
        "permissions": {
            "actions": "read",
            "checks": "write",
            "contents": "read",
            "issues": "write",
            "members": "read",
            "metadata": "read",
            "pull_requests": "write",
            "statuses": "read",
        },
        "events": ["check_run", "issue_comment", "pull_request", "pull_request_review", "status"],
    }


def installation_token(token: str, expires_at: str) -> Json:
    return {
        "token": token,
        "expires_at": expires_at,
        "permissions": {"checks": "write", "issues": "write", "pull_requests": "write"},
        "repository_selection": "all",
    }
