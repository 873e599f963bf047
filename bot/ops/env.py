"""Read the App's environment variables one at a time, each validated with a one-line error.

Every reader takes the environment as a mapping and raises SettingsError naming its variable;
an unset or blank optional variable means its default.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import SplitResult, urlsplit

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.ops.errors import SettingsError

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
DEFAULT_API_URL = "https://api.github.com"
DEFAULT_APP_SLUG = "review-tiers"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")
POSTGRES_SCHEMES = ("postgresql://", "postgres://")
MAX_DEBOUNCE_SECONDS = 600.0
MODES = ("enforce", "shadow")

_SLUG = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*")
_LINK_BREAKERS = re.compile(r"[\s()<>]")


def _get(environ: Mapping[str, str], name: str) -> str | None:
    """The variable's value, or None when unset or blank (an empty value means "not set")."""
    value = environ.get(name)
    if value is None or not value.strip():
        return None
    return value


def app_id(environ: Mapping[str, str]) -> int:
    """GITHUB_APP_ID: the GitHub App's numeric id (required)."""
    raw = _get(environ, "GITHUB_APP_ID")
    if raw is None:
        raise SettingsError("GITHUB_APP_ID is not set: give the numeric id of the GitHub App")
    text = raw.strip()
    if not text.isascii() or not text.isdigit() or int(text) < 1:
        raise SettingsError(f"GITHUB_APP_ID must be a positive integer, got {text[:40]!r}")
    return int(text)


def private_key(environ: Mapping[str, str]) -> str:
    """The App's RSA private key (required), inline in GITHUB_PRIVATE_KEY or read from the
    file GITHUB_PRIVATE_KEY_PATH, as PEM text ending in a newline."""
    inline = _get(environ, "GITHUB_PRIVATE_KEY")
    path = _get(environ, "GITHUB_PRIVATE_KEY_PATH")
    if inline is not None and path is not None:
        raise SettingsError(
            "GITHUB_PRIVATE_KEY and GITHUB_PRIVATE_KEY_PATH are both set: set only one"
        )
    if path is not None:
        return _validated_key(_read_key_file(path.strip()), "GITHUB_PRIVATE_KEY_PATH")
    if inline is not None:
        # Many platforms cannot store multi-line values, so the key arrives with literal "\n".
        return _validated_key(inline.replace("\\n", "\n"), "GITHUB_PRIVATE_KEY")
    raise SettingsError("GITHUB_PRIVATE_KEY or GITHUB_PRIVATE_KEY_PATH must be set")


def _read_key_file(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise SettingsError(f"GITHUB_PRIVATE_KEY_PATH: {path} is not a PEM text file") from err
    except OSError as err:
        raise SettingsError(
            f"GITHUB_PRIVATE_KEY_PATH: cannot read {path}: {err.strerror or err}"
        ) from err


def _validated_key(text: str, name: str) -> str:
    """The PEM text, stripped, once it loads as an unencrypted RSA private key."""
    pem = text.strip()
    if not pem.startswith("-----BEGIN") or "PRIVATE KEY-----" not in pem:
        raise SettingsError(f"{name} does not look like a PEM private key (-----BEGIN ...)")
    try:
        key = serialization.load_pem_private_key(pem.encode(), password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        # The cause is dropped on purpose: its text may quote parts of the key.
        raise SettingsError(f"{name} is not a valid unencrypted PEM private key") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise SettingsError(f"{name} must be an RSA key (GitHub App keys are RSA)")
    return pem + "\n"


def webhook_secret(environ: Mapping[str, str]) -> str:
    """GITHUB_WEBHOOK_SECRET (required), byte for byte."""
    # The secret is kept byte for byte: trimming it would make every signature mismatch.
    secret = environ.get("GITHUB_WEBHOOK_SECRET", "")
    if not secret.strip():
        raise SettingsError("GITHUB_WEBHOOK_SECRET is not set or blank")
    return secret


def previous_secret(environ: Mapping[str, str]) -> str:
    """GITHUB_WEBHOOK_SECRET_PREVIOUS: the secret being rotated out ("": none)."""
    secret = environ.get("GITHUB_WEBHOOK_SECRET_PREVIOUS", "")
    if secret and not secret.strip():
        raise SettingsError("GITHUB_WEBHOOK_SECRET_PREVIOUS is blank: unset it or give the secret")
    return secret


def redis_url(environ: Mapping[str, str]) -> str:
    """REDIS_URL: a redis://, rediss:// or unix:// URL."""
    url = (_get(environ, "REDIS_URL") or DEFAULT_REDIS_URL).strip()
    if not url.startswith(REDIS_SCHEMES):
        # The URL may carry a password, so only its scheme is named.
        scheme = url.partition("://")[0][:20]
        raise SettingsError(
            f"REDIS_URL must start with redis://, rediss:// or unix://, got scheme {scheme!r}"
        )
    return url


def api_url(environ: Mapping[str, str]) -> str:
    """GITHUB_API_URL: GitHub's REST API root (GitHub Enterprise Server has its own)."""
    url = (_get(environ, "GITHUB_API_URL") or DEFAULT_API_URL).strip()
    _http_url("GITHUB_API_URL", url)
    return url.rstrip("/")


def _http_url(name: str, url: str) -> SplitResult:
    """The parts of an http(s) URL with a host; SettingsError naming ``name`` otherwise."""
    try:
        parts = urlsplit(url)
    except ValueError as err:
        raise SettingsError(f"{name} is not a valid URL: {err}") from err
    if parts.scheme not in ("http", "https") or not parts.hostname:
        # Only the scheme is echoed: a URL may embed credentials.
        raise SettingsError(
            f"{name} must be an http(s) URL with a host, got scheme {parts.scheme[:20]!r}"
        )
    return parts


def docs_url(environ: Mapping[str, str]) -> str:
    """REVIEW_TIERS_DOCS_URL: where the reason codes are published ("": nowhere)."""
    raw = _get(environ, "REVIEW_TIERS_DOCS_URL")
    if raw is None:
        return ""
    url = raw.strip()
    parts = _http_url("REVIEW_TIERS_DOCS_URL", url)
    # Every check run shows it with "#<code>" appended: credentials would be published, and a
    # fragment, a space or a parenthesis would break the Markdown link.
    if parts.username is not None or "#" in url or _LINK_BREAKERS.search(url):
        raise SettingsError(
            "REVIEW_TIERS_DOCS_URL must be a page's URL without credentials, fragment (#), "
            "spaces, parentheses or angle brackets: each reason code links to <url>#<code>"
        )
    return url


def audit_database_url(environ: Mapping[str, str]) -> str:
    """REVIEW_TIERS_AUDIT_DATABASE_URL: the PostgreSQL database of the durable audit trail
    ("": none, the Redis stream alone)."""
    raw = _get(environ, "REVIEW_TIERS_AUDIT_DATABASE_URL")
    if raw is None:
        return ""
    url = raw.strip()
    if not url.startswith(POSTGRES_SCHEMES):
        # The URL may carry a password, so only its scheme is named.
        scheme = url.partition("://")[0][:20]
        raise SettingsError(
            "REVIEW_TIERS_AUDIT_DATABASE_URL must start with postgresql:// or postgres://, "
            f"got scheme {scheme!r}"
        )
    return url


def app_slug(environ: Mapping[str, str]) -> str:
    """GITHUB_APP_SLUG: the App's URL name, which its bot login is made of."""
    slug = (_get(environ, "GITHUB_APP_SLUG") or DEFAULT_APP_SLUG).strip()
    if not _SLUG.fullmatch(slug):
        raise SettingsError(
            f"GITHUB_APP_SLUG must be the App's URL name (letters, digits, -), got {slug[:40]!r}"
        )
    return slug


def log_level(environ: Mapping[str, str]) -> str:
    """LOG_LEVEL: one of LOG_LEVELS, in any case."""
    level = (_get(environ, "LOG_LEVEL") or "INFO").strip().upper()
    if level not in LOG_LEVELS:
        raise SettingsError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {level[:20]!r}")
    return level


def debounce(environ: Mapping[str, str]) -> float:
    """REVIEW_TIERS_DEBOUNCE_SECONDS: seconds from 0 to MAX_DEBOUNCE_SECONDS."""
    raw = _get(environ, "REVIEW_TIERS_DEBOUNCE_SECONDS")
    if raw is None:
        return 0.0
    try:
        seconds = float(raw.strip())
    except ValueError:
        seconds = math.nan
    if not 0.0 <= seconds <= MAX_DEBOUNCE_SECONDS:
        raise SettingsError(
            "REVIEW_TIERS_DEBOUNCE_SECONDS must be a number of seconds between 0 and "
            f"{MAX_DEBOUNCE_SECONDS:g}, got {raw.strip()[:20]!r}"
        )
    return seconds


def port(environ: Mapping[str, str], name: str, default: int) -> int:
    """A port number from 0 (off) to 65535, ``default`` when unset."""
    raw = _get(environ, name)
    if raw is None:
        return default
    text = raw.strip()
    if not text.isascii() or not text.isdigit() or int(text) > 65535:
        raise SettingsError(f"{name} must be a port number (0 turns it off), got {raw[:20]!r}")
    return int(text)


def whole(environ: Mapping[str, str], name: str, default: int, bounds: tuple[int, int]) -> int:
    """A whole number within ``bounds`` (inclusive), ``default`` when unset."""
    raw = _get(environ, name)
    if raw is None:
        return default
    text = raw.strip()
    low, high = bounds
    if not text.isascii() or not text.isdigit() or not low <= int(text) <= high:
        raise SettingsError(f"{name} must be a whole number from {low} to {high}, got {raw[:20]!r}")
    return int(text)


def mode(environ: Mapping[str, str]) -> str:
    """REVIEW_TIERS_MODE: enforce (the default) or shadow, in any case."""
    raw = _get(environ, "REVIEW_TIERS_MODE")
    if raw is None:
        return "enforce"
    value = raw.strip().lower()
    if value not in MODES:
        raise SettingsError(
            f"REVIEW_TIERS_MODE must be enforce or shadow, got {raw.strip()[:20]!r}"
        )
    return value
