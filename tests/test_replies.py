"""Redis replies are read as the App's clients return them, and a decoding client is refused."""

from __future__ import annotations

import pytest
from redis import Redis

from bot.ops.replies import as_text, members, text_hash


def test_bytes_replies_read_as_text(redis_url: str) -> None:
    with Redis.from_url(redis_url) as redis:
        redis.hset("h", mapping={"head_sha": "abc", "at": "1.5"})
        redis.zadd("z", {"b": 2, "a": 1})
        assert text_hash(redis.hgetall("h")) == {"head_sha": "abc", "at": "1.5"}
        assert members(redis.zrange("z", 0, -1)) == [b"a", b"b"]
        assert sorted(as_text(key) for key in redis.hkeys("h")) == ["at", "head_sha"]


def test_a_decoding_client_is_refused_not_read(redis_url: str) -> None:
    with Redis.from_url(redis_url, decode_responses=True) as redis:
        redis.hset("h", mapping={"head_sha": "abc"})
        redis.zadd("z", {"a": 1})
        with pytest.raises(TypeError, match="not bytes"):
            text_hash(redis.hgetall("h"))
        with pytest.raises(TypeError, match="not bytes"):
            members(redis.zrange("z", 0, -1, withscores=True))
