"""The one redaction function: credential shapes, registered secrets, and GitHub's error text."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from github.GithubException import GithubException

from bot.gh.errors import translate
from bot.ops.redaction import (
    forget_secrets,
    redact,
    redact_url,
    redact_value,
    register_secret,
)

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


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0"),
        ("redis://:pw@cache:6379/0", "redis://:[redacted]@cache:6379/0"),
        ("rediss://default:p%40ss@cache/1", "rediss://default:[redacted]@cache/1"),
        # A lone user part may be a password.
        ("redis://pw@cache", "redis://[redacted]@cache"),
        ("unix://:pw@/run/redis.sock?db=0", "unix://:[redacted]@/run/redis.sock?db=0"),
        (
            "unix:///run/redis.sock?db=2&password=pw",
            "unix:///run/redis.sock?db=2&password=[redacted]",
        ),
        ("redis://cache/0?Password=pw&db=1#x", "redis://cache/0?Password=[redacted]&db=1#x"),
        ("redis://cache/0?ssl_certfile=/etc/c.pem", "redis://cache/0?ssl_certfile=/etc/c.pem"),
        # Unescaped '@', '/' or '#' in a password: all of it is still hidden.
        ("redis://u:p@ss@cache/0", "redis://u:[redacted]@cache/0"),
        ("redis://:p/s#s@cache/0", "redis://:[redacted]@cache/0"),
        (
            "https://app:token@ghe.example.com/api/v3",
            "https://app:[redacted]@ghe.example.com/api/v3",
        ),
        ("not a url", "not a url"),
    ],
)
def test_redact_url(url: str, expected: str) -> None:
    assert redact_url(url) == expected
