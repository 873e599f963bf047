"""The one redaction function: credential shapes, registered secrets, and GitHub's error text."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from github.GithubException import GithubException

from bot.gh.errors import translate
from bot.ops.redaction import forget_secrets, redact, redact_value, register_secret

JWT = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiI0MiJ9.c2lnbmF0dXJlLWJ5dGVz"
HEX40 = "0123456789abcdef" * 2 + "01234567"


@pytest.fixture(autouse=True)
def no_secrets() -> Iterator[None]:
    forget_secrets()
    yield
    forget_secrets()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"ghs_{'a' * 36} ghp_{'b' * 36}", "[redacted] [redacted]"),
        (f"gho_{'c' * 36}/ghu_{'d' * 36}/ghr_{'e' * 36}", "[redacted]/[redacted]/[redacted]"),
        ("github_pat_11ABCDEFG0123456789_abcdefghijklmnop", "[redacted]"),
        (f"bad credentials v1.{HEX40}.", "bad credentials [redacted]."),
        (f"sent {JWT}", "sent [redacted]"),
        ("Authorization: token abc.def", "Authorization: token [redacted]"),
        ("authorization: Bearer x", "authorization: Bearer [redacted]"),
        ("'Authorization': 'basic dXNlcjpwYXNz'", "'Authorization': 'basic [redacted]'"),
        (f"Bearer {'Zz9' * 10}", "Bearer [redacted]"),
        (
            "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----",
            "[redacted]",
        ),
        ("redis://:hunter2@cache:6379/0", "redis://:[redacted]@cache:6379/0"),
        # Ordinary prose stays readable.
        ("the installation token expired (401)", "the installation token expired (401)"),
        ("v1.2.3 of the API", "v1.2.3 of the API"),
    ],
)
def test_shapes(text: str, expected: str) -> None:
    assert redact(text) == expected


def test_registered_secrets_are_redacted_by_value() -> None:
    register_secret("rotate-me-please")
    register_secret("old-secret-kept")
    register_secret("short")  # too short to tell from ordinary words: not registered
    text = "a=rotate-me-please b=old-secret-kept c=short"
    assert redact(text) == "a=[redacted] b=[redacted] c=short"
    forget_secrets()
    assert redact(text) == text


def test_values_are_redacted_all_the_way_down() -> None:
    register_secret("webhook-secret-value")
    value = {"outer": [{"webhook-secret-value": (f"ghs_{'x' * 36}", 3, None, True)}]}
    assert redact_value(value) == {"outer": [{"[redacted]": ["[redacted]", 3, None, True]}]}


def test_github_error_text_is_redacted_where_it_is_made() -> None:
    register_secret("echoed-webhook-secret")
    body = {
        "message": f"Validation Failed for ghs_{'q' * 36}",
        "errors": [{"message": f"{JWT} and echoed-webhook-secret"}],
    }
    error = translate(GithubException(422, body, {}))
    assert str(error).startswith("GitHub answered 422: Validation Failed for [redacted]")
    for leaked in ("ghs_", JWT, "echoed-webhook-secret"):
        assert leaked not in str(error)
