"""Read a webhook body once into one buffer, bounded, signing and hashing it as it arrives."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import IO

from bot.intake.webhook import signature_matches

# The body is read in pieces this big: a body costs its own size plus one piece, never a copy.
CHUNK_BYTES = 64 * 1024


class BodyTooLarge(Exception):
    """The body is over the cap: by its declared length, or found so while reading."""


@dataclass(frozen=True)
class Body:
    """A request body, read once, with what was computed while it arrived."""

    data: bytearray
    sha256: str  # hex digest of ``data``: a replay under another delivery id is known by it
    signed: bool  # whether the signature header matched under one of the secrets


def read_body(
    stream: IO[bytes], length: int | None, cap: int, secrets: Sequence[str], header: str | None
) -> Body:
    """Read ``stream`` (``length`` bytes, or to its end when unknown) into one buffer of at
    most ``cap`` bytes, computing its SHA-256 and its HMAC under every secret on the way."""
    if length is not None and length > cap:
        raise BodyTooLarge
    macs = [hmac.new(secret.encode(), digestmod=hashlib.sha256) for secret in secrets if secret]
    digest = hashlib.sha256()
    data = _read(stream, length, cap, [digest.update, *(mac.update for mac in macs)])
    # Every secret is compared (the current one, and the previous one during a rotation), so
    # the time taken does not say which one matched.
    matches = [signature_matches(mac.hexdigest(), header) for mac in macs]
    return Body(data, digest.hexdigest(), any(matches))


def _read(
    stream: IO[bytes], length: int | None, cap: int, feed: Sequence[Callable[[bytes], None]]
) -> bytearray:
    # A declared length is allocated at once and filled in place; an unknown one grows, read
    # one byte past the cap so that a body over it is known without reading more.
    data = bytearray(length or 0)
    size, limit = 0, cap + 1 if length is None else length
    while size < limit:
        chunk = stream.read(min(CHUNK_BYTES, limit - size))
        if not chunk:
            break
        for update in feed:
            update(chunk)
        if length is None:
            data += chunk
        else:
            data[size : size + len(chunk)] = chunk
        size += len(chunk)
    if size > cap:
        raise BodyTooLarge
    del data[size:]  # a sender that stopped short: what arrived is all there is
    return data
