"""REVIEW_TIERS_DOCS_URL: validated, then each reason code in the check run links to its entry."""

from __future__ import annotations

import re

import pytest

from bot.core.outcome import check_for_gave_up, check_for_timeout
from bot.core.render import reason_code
from bot.errors import SettingsError
from bot.settings import AppSettings

DOCS = "https://github.com/acme/review-tiers/blob/v1/docs/reasons.md"
LINK = re.compile(r"\[`([a-z-]+)`\]\(([^)#]*)#([a-z-]+)\)")


@pytest.fixture(scope="module")
def env(keys: tuple[str, str]) -> dict[str, str]:
    return {"GITHUB_APP_ID": "1", "GITHUB_PRIVATE_KEY": keys[0], "GITHUB_WEBHOOK_SECRET": "s"}


def test_the_docs_url_is_optional(env: dict[str, str]) -> None:
    assert AppSettings.from_env(env).docs_url == ""
    assert AppSettings.from_env({**env, "REVIEW_TIERS_DOCS_URL": "  "}).docs_url == ""
    given = AppSettings.from_env({**env, "REVIEW_TIERS_DOCS_URL": f" {DOCS} "})
    assert given.docs_url == DOCS
    plain = "http://docs.internal:8000/reasons/"
    assert AppSettings.from_env({**env, "REVIEW_TIERS_DOCS_URL": plain}).docs_url == plain


@pytest.mark.parametrize(
    "value",
    [
        "docs.example/reasons",  # no scheme
        "ftp://docs.example/reasons",
        "https://",
        "http://[::1",
        "https://docs.example/reasons#top",  # the App appends #<code> itself
        "https://docs.example/my reasons",  # would end the Markdown link
        "https://docs.example/reasons)x",
        "https://reader:hunter2@docs.example/reasons",  # every check run would show it
    ],
)
def test_an_invalid_docs_url_is_named_in_one_line(env: dict[str, str], value: str) -> None:
    with pytest.raises(SettingsError) as raised:
        AppSettings.from_env({**env, "REVIEW_TIERS_DOCS_URL": value})
    message = str(raised.value)
    assert "REVIEW_TIERS_DOCS_URL" in message and "\n" not in message
    assert "hunter2" not in message


def test_a_code_links_to_its_entry_only_with_a_docs_url() -> None:
    assert reason_code("invariant") == "`invariant`"
    assert reason_code("invariant", DOCS) == f"[`invariant`]({DOCS}#invariant)"


def test_failure_checks_link_their_reason() -> None:
    timeout = check_for_timeout(600, DOCS).summary
    assert f"- [`timeout`]({DOCS}#timeout) the evaluation" in timeout
    assert LINK.sub(r"`\1`", timeout) == check_for_timeout(600).summary
    gave_up = check_for_gave_up(8, "502", DOCS).summary
    assert f"- [`gave-up`]({DOCS}#gave-up) the evaluation" in gave_up
    assert LINK.sub(r"`\1`", gave_up) == check_for_gave_up(8, "502").summary
