"""JSON-lines logging with per-delivery context fields, every line redacted on the way out."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, TextIO

from bot.ops.redaction import REDACTED, redact, redact_value

__all__ = ["REDACTED", "configure_logging", "log_context", "redact"]

_context: ContextVar[Mapping[str, Any]] = ContextVar("log_context", default=MappingProxyType({}))

# Attributes every LogRecord has; anything else on a record came from ``extra=``.
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", logging.INFO, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}


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
        return json.dumps(redact_value(line), default=str)


class _JsonHandler(logging.StreamHandler[TextIO]):
    """The handler ``configure_logging`` installs, told apart from handlers others added."""


# Parsers that log what they do with a statement they fall back on; their own verdicts reach the
# user as reasons, so their chatter is kept to errors.
QUIET_LIBRARIES = ("sqlglot",)


def quiet_libraries() -> None:
    """Keep the parsers' informational warnings out of the logs and the CLI's output."""
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(logging.ERROR)


def configure_logging(level: str, stream: TextIO | None = None) -> None:
    """Send root log records as JSON lines to ``stream`` (stdout), replacing an earlier call's."""
    quiet_libraries()
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _JsonHandler)]:
        root.removeHandler(handler)
    handler = _JsonHandler(stream if stream is not None else sys.stdout)
    handler.setFormatter(JsonFormatter())
    root.addHandler(handler)
    root.setLevel(level.upper())
