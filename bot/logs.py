"""JSON-lines logging with per-delivery context fields and redaction of secret-looking text."""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, TextIO

REDACTED = "[redacted]"

_SECRET_PATTERNS = re.compile(
    "|".join(
        (
            # A PEM block, or its start when the text was cut before the END line.
            r"-----BEGIN [A-Z0-9 ]+-----[\s\S]*?(?:-----END [A-Z0-9 ]+-----|$)",
            # GitHub tokens: installation (ghs_), personal (ghp_), OAuth, user, refresh.
            r"\bgh[psoru]_[A-Za-z0-9]{16,}",
            r"\bgithub_pat_[A-Za-z0-9_]{16,}",
            # JWTs, such as the App's own token: header.payload.signature in base64url.
            r"\beyJ[A-Za-z0-9_-]*\.eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*",
        )
    )
)

# The password in a URL such as redis://user:password@host, which connection errors may quote.
_URL_PASSWORD = re.compile(r"(?P<keep>[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@/\s]+@", re.IGNORECASE)

_context: ContextVar[Mapping[str, Any]] = ContextVar("log_context", default=MappingProxyType({}))

# Attributes every LogRecord has; anything else on a record came from ``extra=``.
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", logging.INFO, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}


def redact(text: str) -> str:
    """Replace tokens, JWTs, PEM blocks and URL passwords in ``text`` with a marker."""
    text = _URL_PASSWORD.sub(rf"\g<keep>{REDACTED}@", text)
    return _SECRET_PATTERNS.sub(REDACTED, text)


@contextmanager
def log_context(**fields: Any) -> Iterator[None]:
    """Add ``fields`` to every log line emitted inside the block, in this thread or task only."""
    token = _context.set(MappingProxyType({**_context.get(), **fields}))
    try:
        yield
    finally:
        _context.reset(token)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ts, level, logger, message, context and extra fields, exc."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update(_context.get())
        line.update(
            (key, value) for key, value in vars(record).items() if key not in _RECORD_ATTRIBUTES
        )
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = record.stack_info
        return json.dumps(_redacted(line), default=str)


def _redacted(value: Any) -> Any:
    """A copy of a JSON-like value with every string passed through ``redact``."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, Mapping):
        return {str(key): _redacted(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_redacted(item) for item in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return redact(str(value))


class _JsonHandler(logging.StreamHandler[TextIO]):
    """The handler ``configure_logging`` installs, told apart from handlers others added."""


def configure_logging(level: str, stream: TextIO | None = None) -> None:
    """Send root log records as JSON lines to ``stream`` (stdout), replacing an earlier call's."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _JsonHandler)]:
        root.removeHandler(handler)
    handler = _JsonHandler(stream if stream is not None else sys.stdout)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(level.upper())
