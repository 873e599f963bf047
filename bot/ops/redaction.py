"""The one redaction every text leaving the process passes through: checks, comments, audit, logs.

Patterns catch credentials by shape (GitHub tokens, JWTs, authorization headers, PEM keys, URL
passwords); the configured webhook secrets are caught by value, registered at start-up.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

REDACTED = "[redacted]"
# Shorter values would blank out ordinary words everywhere; a secret that short guards nothing.
MIN_SECRET_CHARS = 8

_SHAPES = re.compile(
    "|".join(
        (
            # A PEM block, or its start when the text was cut before the END line.
            r"-----BEGIN [A-Z0-9 ]+-----[\s\S]*?(?:-----END [A-Z0-9 ]+-----|$)",
            # GitHub tokens: installation (ghs_), personal (ghp_), OAuth, user, refresh.
            r"\bgh[psoru]_[A-Za-z0-9]{16,}",
            r"\bgithub_pat_[A-Za-z0-9_]{16,}",
            # GitHub Enterprise Server's older installation tokens: "v1." and 40 hex digits.
            r"\bv1\.[0-9a-fA-F]{40}\b",
            # JWTs, such as the App's own token: header.payload.signature in base64url.
            r"\beyJ[A-Za-z0-9_-]*\.eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*",
        )
    )
)

# The credential of an authorization header, whatever its shape (also as a quoted dict entry,
# as a repr of request headers prints it); the scheme word is kept.
_HEADER = re.compile(
    r"(?P<keep>\bauthorization[\"']?\s*[:=]\s*[\"']?(?:(?:token|bearer|basic)\s+)?)[^\s,;\"']+",
    re.IGNORECASE,
)
_SCHEME = re.compile(r"(?P<keep>\b(?:bearer|token)\s+)[A-Za-z0-9._~+/-]{20,}=*", re.IGNORECASE)

# The password in a URL such as redis://user:password@host, which connection errors may quote.
_URL_PASSWORD = re.compile(r"(?P<keep>[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@/\s]+@", re.IGNORECASE)

# Query parameters that carry a credential (redis-py reads ?password=... as the password).
_SECRET_PARAM = re.compile(r"pass|secret|token", re.IGNORECASE)

_secrets: set[str] = set()

# Short texts recur (a log line's field names, levels, outcomes, repository names): their
# redacted form is kept, and forgotten whenever the registered secrets change.
_CACHED_CHARS = 200
_CACHE_ENTRIES = 4096
_cache: dict[str, str] = {}


def register_secret(value: str) -> None:
    """Redact ``value`` wherever it appears from now on (the webhook secrets, at start-up)."""
    if len(value) >= MIN_SECRET_CHARS:
        _secrets.add(value)
        _cache.clear()


def forget_secrets() -> None:
    """Clear the registered values (a process that reloads its settings, and tests)."""
    _secrets.clear()
    _cache.clear()


def redact(text: str) -> str:
    """``text`` with every credential it holds replaced by a marker."""
    cached = _cache.get(text)
    if cached is not None:
        return cached
    redacted = _redact(text)
    if len(text) <= _CACHED_CHARS:
        if len(_cache) >= _CACHE_ENTRIES:
            _cache.clear()
        _cache[text] = redacted
    return redacted


def _redact(text: str) -> str:
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    text = _URL_PASSWORD.sub(rf"\g<keep>{REDACTED}@", text)
    text = _HEADER.sub(rf"\g<keep>{REDACTED}", text)
    text = _SCHEME.sub(rf"\g<keep>{REDACTED}", text)
    return _SHAPES.sub(REDACTED, text)


def redact_value(value: Any) -> Any:
    """A copy of a JSON-like value with every string (keys too) passed through ``redact``."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, Mapping):
        return {redact(str(key)): redact_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [redact_value(item) for item in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return redact(str(value))


def redact_url(url: str) -> str:
    """``url`` with its credentials hidden, for showing a configured URL in logs or a repr.

    The password of the user part goes (all of the user part when it has no ':', since a lone
    value there may be a password), and so do the values of credential query parameters. The
    user part runs to the last '@', so a password with an unescaped '/', '#' or '@' is hidden
    whole too; an '@' further on hides a little more than needed, never less.
    """
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    userinfo, at, location = rest.rpartition("@")
    if at:
        user, colon, _ = userinfo.partition(":")
        keep = f"{user}:" if colon and not set(user) & set("/?#") else ""
        rest = f"{keep}{REDACTED}@{location}"
    head, question, query = rest.partition("?")
    if not question:
        return f"{scheme}://{rest}"
    query, hash_, fragment = query.partition("#")
    params = "&".join(_redacted_param(p) for p in query.split("&"))
    return f"{scheme}://{head}?{params}{hash_}{fragment}"


def _redacted_param(param: str) -> str:
    name, eq, _ = param.partition("=")
    return f"{name}={REDACTED}" if eq and _SECRET_PARAM.search(name) else param
