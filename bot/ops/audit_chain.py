"""The audit trail's hash chain: canonical record text, each link's hash, and the check of a chain.

Each record is sealed with ``sha256(previous hash + canonical JSON of the record)``, so editing a
record changes its hash and deleting one breaks its successor's link. This module only computes;
reading and writing the rows is the store's job.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

GENESIS = "0" * 64  # the "previous hash" of the first record
# Half of a surrogate pair, as a JSON "\ud800" escape reads into Python: UTF-8 cannot hold it.
_SURROGATE = re.compile("[\ud800-\udfff]")


def canonical(record: dict[str, Any]) -> str:
    """The one text of a record that is hashed and stored: sorted keys, no spaces, UTF-8. A lone
    surrogate (from a JSON escape in what GitHub sent) stays a JSON escape, so the text is
    valid UTF-8 and reads back as the same record."""
    text = json.dumps(
        record, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )
    return _SURROGATE.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


def seal(prev_hash: str, text: str) -> str:
    """The hash of a record whose canonical text is ``text``, chained after ``prev_hash``."""
    return hashlib.sha256((prev_hash + text).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ChainRow:
    """One stored record as the check reads it."""

    seq: int
    at: str
    repository: str
    pull_number: int | None
    record: str
    prev_hash: str
    hash: str

    def describe(self) -> str:
        pull = f"#{self.pull_number}" if self.pull_number is not None else ""
        return f"record {self.seq} ({self.repository or '-'}{pull}, {self.at})"


@dataclass(frozen=True)
class ChainBreak:
    """The first place the chain does not hold: ``row`` is the record named."""

    kind: Literal["edited", "missing"]
    row: ChainRow
    detail: str

    def render(self) -> str:
        return f"broken at {self.row.describe()}: {self.kind}: {self.detail}"


@dataclass(frozen=True)
class ChainReport:
    """What a check found: how many records, the head's hash, the first break if any."""

    records: int
    head_seq: int
    head_hash: str
    broken: ChainBreak | None = None
    # Whether a hash given to look for (a head exported earlier) is in the intact part.
    known_found: bool = False


def check_chain(rows: Iterable[ChainRow], known: str = "") -> ChainReport:
    """Walk the rows in sequence order and stop at the first edit or gap; note whether the
    hash ``known`` seals one of the records before it."""
    count, prev, found_known = 0, None, False
    for row in rows:
        broken = _check_link(prev, row)
        if broken is not None:
            return _report(count, prev, found_known, broken)
        count, prev = count + 1, row
        found_known = found_known or row.hash == known
    return _report(count, prev, found_known, None)


def _report(
    count: int, head: ChainRow | None, found: bool, broken: ChainBreak | None
) -> ChainReport:
    seq, digest = (head.seq, head.hash) if head else (0, GENESIS)
    return ChainReport(count, seq, digest, broken, found)


def _check_link(prev: ChainRow | None, row: ChainRow) -> ChainBreak | None:
    expected_seq = prev.seq + 1 if prev else 1
    expected_prev = prev.hash if prev else GENESIS
    if row.seq != expected_seq:
        missing = (
            f"{expected_seq}" if row.seq == expected_seq + 1 else f"{expected_seq}-{row.seq - 1}"
        )
        return ChainBreak("missing", row, f"record(s) {missing} before it are gone")
    if seal(row.prev_hash, row.record) != row.hash:
        return ChainBreak("edited", row, "its content no longer matches its hash")
    if row.prev_hash != expected_prev:
        # The previous record was rewritten together with its hash, or this link was.
        named = prev if prev is not None else row
        return ChainBreak("edited", named, "its hash no longer matches the next record's link")
    return None
