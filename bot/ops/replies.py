"""Redis replies narrowed to what the App's clients return: bytes, never client-decoded text.

redis-py types each reply for every client configuration (``bytes | str``, ranges with or
without scores); the App makes its clients without ``decode_responses``, so a reply of another
shape is a misconfigured client, raised on rather than read wrong.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def as_bytes(reply: object) -> bytes:
    """One reply, which must be bytes."""
    if not isinstance(reply, bytes):
        raise TypeError(f"Redis replied {type(reply).__name__}, not bytes: is the client decoding?")
    return reply


def as_text(reply: object) -> str:
    """One bytes reply as UTF-8 text."""
    return as_bytes(reply).decode()


def members(reply: Iterable[object]) -> list[bytes]:
    """The members of a set, or of a sorted-set range read without scores."""
    return [as_bytes(member) for member in reply]


def text_hash(reply: Mapping[bytes | str, bytes | str]) -> dict[str, str]:
    """A hash (HGETALL) with its fields and values as text."""
    return {as_text(key): as_text(value) for key, value in reply.items()}
