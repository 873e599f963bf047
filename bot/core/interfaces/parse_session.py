"""One evaluation's parsing of contract files: each text parsed once, within one byte budget.

A ``python`` or ``openapi`` file is read twice per evaluation, by the detector that decides
whether it touches the interface and by the comparator that rates its changes; on a 1 MB
module that doubled seconds of parsing. While a ``ParseSession`` is active (``active``), the
parsers of those kinds (``cached``) keep each text's parse for the rest of the evaluation; a
parse that fails is not kept, so it fails the same way again.

The session also holds the evaluation's budget: at most ``MAX_PARSED_BYTES`` of contract text
(both sides of every compared file, each distinct text counted once) is parsed per pull
request. A file that would go past it is not parsed at all and is rated breaking with a reason
saying so (fail closed), so a pull request of many large contracts cannot hold a worker for
minutes. Nothing here reads a clock or a file: the cache and the budget are plain values.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TypeVar, cast

# Python parses at 0.5 to 1 MB a second and the YAML reader far slower (OpenAPI YAML is capped
# at 1 MB a side), so 8 MiB keeps one evaluation's parsing to tens of seconds in the worst case
# while real pull requests, a few contract files of tens of kB, never come near it.
MAX_PARSED_BYTES = 8 * 1024 * 1024
SPENT = (
    f"was not parsed: the {MAX_PARSED_BYTES // (1024 * 1024)} MiB of contract text parsed per"
    " pull request was spent on other files"
)

_T = TypeVar("_T")


@dataclass
class ParseSession:
    """The parses made so far in one evaluation and the bytes it may still parse."""

    remaining: int = MAX_PARSED_BYTES
    _parsed: dict[tuple[str, str], object] = field(default_factory=dict)
    _charged: set[str] = field(default_factory=set)

    def charge(self, texts: Iterable[str | None]) -> bool:
        """Spend the size of the texts not yet counted; False (nothing spent) if it would go
        past the budget."""
        fresh = {text for text in texts if text is not None and text not in self._charged}
        size = sum(len(text.encode("utf-8", "surrogatepass")) for text in fresh)
        if size > self.remaining:
            return False
        self.remaining -= size
        self._charged |= fresh
        return True


_ACTIVE: ContextVar[ParseSession | None] = ContextVar("parse_session", default=None)


@contextmanager
def active(session: ParseSession) -> Iterator[ParseSession]:
    """Make ``session`` the one ``cached`` keeps parses in, until the block ends."""
    token = _ACTIVE.set(session)
    try:
        yield session
    finally:
        _ACTIVE.reset(token)


def cached(kind: str, text: str, parse: Callable[[str], _T]) -> _T:
    """``parse(text)``, made once per active session for each ``kind`` and text.

    Callers must treat the result as read-only: the detector and the comparator share it.
    """
    session = _ACTIVE.get()
    if session is None:
        return parse(text)
    key = (kind, text)
    if key not in session._parsed:
        session._parsed[key] = parse(text)
    return cast(_T, session._parsed[key])
