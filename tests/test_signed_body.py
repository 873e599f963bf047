"""The intake reads a body once, into one buffer, signing and hashing it on the way."""

from __future__ import annotations

import hashlib
import io

import pytest

from bot.intake.signed_body import CHUNK_BYTES, BodyTooLarge, read_body
from tests.test_web import SECRET, signature

BODY = b'{"zen": "Keep it logically awesome."}'
PREVIOUS = "the secret before the rotation"


class Trickle(io.RawIOBase):
    """A stream that hands out at most ``piece`` bytes a read and records the sizes asked."""

    def __init__(self, data: bytes, piece: int = 7) -> None:
        self.data, self.piece, self.asked = data, piece, []

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        self.asked.append(size)
        chunk, self.data = self.data[: min(size, self.piece)], self.data[min(size, self.piece) :]
        return chunk


def test_the_signature_and_digest_are_computed_as_the_body_arrives() -> None:
    body = read_body(Trickle(BODY), len(BODY), 100, [SECRET, PREVIOUS], signature(BODY))
    assert (bytes(body.data), body.signed) == (BODY, True)
    assert body.sha256 == hashlib.sha256(BODY).hexdigest()
    rotated = read_body(Trickle(BODY), None, 100, [SECRET, PREVIOUS], signature(BODY, PREVIOUS))
    assert rotated.signed and bytes(rotated.data) == BODY
    forged = read_body(Trickle(BODY), None, 100, [SECRET], signature(BODY, "guess"))
    assert not forged.signed
    assert not read_body(Trickle(BODY), None, 100, [""], signature(BODY, "")).signed


def test_the_cap_holds_with_and_without_a_declared_length() -> None:
    unread = Trickle(BODY)
    with pytest.raises(BodyTooLarge):
        read_body(unread, len(BODY), len(BODY) - 1, [SECRET], None)
    assert unread.asked == []  # refused before a byte was read
    with pytest.raises(BodyTooLarge):
        read_body(Trickle(BODY), None, len(BODY) - 1, [SECRET], None)
    exact = read_body(Trickle(BODY), None, len(BODY), [SECRET], signature(BODY))
    assert exact.signed


def test_reads_are_bounded_and_a_short_body_is_what_arrived() -> None:
    stream = Trickle(b"x" * (3 * CHUNK_BYTES), piece=CHUNK_BYTES * 2)
    body = read_body(stream, 3 * CHUNK_BYTES, 4 * CHUNK_BYTES, [SECRET], None)
    assert len(body.data) == 3 * CHUNK_BYTES and max(stream.asked) <= CHUNK_BYTES
    short = read_body(Trickle(BODY), len(BODY) + 10, 100, [SECRET], signature(BODY))
    assert bytes(short.data) == BODY and short.signed
