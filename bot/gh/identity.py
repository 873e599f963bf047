"""The start-up check that GITHUB_APP_SLUG names the App whose key the process holds."""

from __future__ import annotations

import jwt
from github import Auth, Github, GithubException
from requests.exceptions import RequestException

from bot.gh.auth import app_jwt
from bot.gh.errors import github_message
from bot.ops.settings import AppSettings

IDENTITY_TIMEOUT = 10
# What can go wrong: GitHub's answer, the network, signing with the key, an odd reply body.
CHECK_FAILURES = (
    GithubException,
    RequestException,
    jwt.PyJWTError,
    ValueError,
    LookupError,
    TypeError,
)


def check_app_identity(settings: AppSettings) -> str | None:
    """A warning sentence when the App's real slug is not GITHUB_APP_SLUG, else None.

    The bot login ``<slug>[bot]`` derives from the slug: with the wrong one the App does not
    recognise its own events and labels. A failed check is a warning too, never an error:
    the worker can still run, and the reason names no key or token.
    """
    try:
        slug = fetch_app_slug(settings)
    except CHECK_FAILURES as err:
        return f"could not check GITHUB_APP_SLUG against GitHub's GET /app: {describe(err)}"
    if slug == settings.app_slug:
        return None
    return (
        f"GITHUB_APP_SLUG is {settings.app_slug!r} but this App's slug is {slug!r}: set "
        "GITHUB_APP_SLUG so the App recognises its own events"
    )


def fetch_app_slug(settings: AppSettings) -> str:
    """The slug GitHub reports for the App authenticated by its JWT (one try, no retries)."""
    client = Github(
        auth=Auth.AppAuthToken(app_jwt(settings.app_id, settings.private_key)),
        base_url=settings.api_url,
        user_agent=settings.app_slug,
        retry=None,
        seconds_between_requests=0,
        timeout=IDENTITY_TIMEOUT,
    )
    try:
        _, data = client.requester.requestJsonAndCheck("GET", "/app")
    finally:
        client.close()
    # A proxy's error page or a reply without a slug raises LookupError or TypeError here.
    return str(data["slug"])


def describe(err: Exception) -> str:
    """The failure in a few words, never the exception's own text.

    A network error's text quotes the URL and a key error's may quote the key; GitHub's own
    message (a refused JWT names the claim at fault) quotes neither.
    """
    if isinstance(err, GithubException):
        return f"GitHub answered {err.status}: {github_message(err.data)}"
    return type(err).__name__
