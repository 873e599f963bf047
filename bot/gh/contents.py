"""File contents read with conditional requests, their ETags and text cached in Redis."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from github.GithubException import GithubException
from redis import Redis

from bot.gh.rest import Rest

ETAG_KEY = "rt:etag:{installation_id}:{repo}:{ref}:{path}"
# Texts above this size are read again each time rather than held in Redis.
MAX_CACHED_CHARS = 1_000_000
CACHE_SECONDS = 24 * 3600


@dataclass(frozen=True)
class CachedFile:
    etag: str
    text: str | None


def decode_file(data: Any) -> str | None:
    """The text of a contents-API reply, or None when it holds no readable text file."""
    # A directory comes back as a list; submodules and symlinks leaving the repository come
    # back as objects of their own ``type`` with no content.
    if not isinstance(data, dict) or data.get("type") != "file":
        return None
    # Files over 1 MB come with ``encoding: "none"`` and empty content.
    if data.get("encoding") != "base64":
        return None
    try:
        raw = base64.b64decode(str(data.get("content") or ""))  # ignores GitHub's line breaks
        text = raw.decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return None if "\x00" in text else text


class FileReader:
    """Reads files for one installation, sending the last ETag so unchanged files cost nothing.

    A 304 answer does not count against the rate limit.
    """

    def __init__(self, redis: Redis, installation_id: int) -> None:
        self.redis = redis
        self.installation_id = installation_id

    def read(self, rest: Rest, repo_url: str, path: str, ref: str | None) -> str | None:
        """The text at ``path`` on ``ref`` (the default branch when None), None when absent."""
        key = ETAG_KEY.format(
            installation_id=self.installation_id, repo=repo_url, ref=ref or "", path=path
        )
        cached = self._load(key)
        url = f"{repo_url}/contents/{quote(path.strip('/'), safe='/')}"
        try:
            status, headers, data = rest.conditional_get(
                url, {"ref": ref} if ref else {}, cached.etag if cached else None
            )
        except GithubException as err:
            # 404 is GitHub's answer for a missing file, ref or repository alike: no file.
            if err.status == 404:
                return None
            raise
        if status == 304 and cached is not None:
            return cached.text
        text = decode_file(data)
        etag = headers.get("etag")
        if etag and (text is None or len(text) <= MAX_CACHED_CHARS):
            self._store(key, CachedFile(etag, text))
        return text

    def _load(self, key: str) -> CachedFile | None:
        raw = self.redis.get(key)
        if raw is None:
            return None
        try:
            item = json.loads(raw)
            return CachedFile(str(item["etag"]), item["text"])
        except (ValueError, KeyError, TypeError):
            return None

    def _store(self, key: str, item: CachedFile) -> None:
        value = json.dumps({"etag": item.etag, "text": item.text})
        self.redis.set(key, value, ex=CACHE_SECONDS)
