"""File contents, cached in Redis per installation.

A file at a commit never changes: once read (or found absent) it is served without a request.
A branch is first resolved to its current commit (its ref) with a conditional request, free
while the branch has not moved, each time a file of it is read: a file is always read at the
branch's tip of the moment, never at a commit remembered from earlier. The default branch of
another repository (ref None) is read with the file's last ETag instead.

Several files of a branch (the base files every evaluation reads) share one resolution of its
tip; those not cached at that commit yet are read in one GraphQL query rather than a REST
request each. A GraphQL query always costs a request, a conditional REST read of a known file
none: so GraphQL serves only what the cache lacks, and REST stays the way to revalidate.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from github.GithubException import GithubException
from redis import Redis

from bot.evaluation.ports import RepoRef
from bot.gh.commit_files import read_commit_files
from bot.gh.conditional import Conditional
from bot.gh.rest import Rest, repo_url
from bot.ops.errors import PermanentGitHubError

ETAG_KEY = "rt:etag:{installation_id}:{repo}:{ref}:{path}"
# Texts above this size are read again each time rather than held in Redis.
MAX_CACHED_CHARS = 1_000_000
CACHE_SECONDS = 24 * 3600
COMMIT_SHA = re.compile(r"[0-9a-f]{40}")


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


def _ref_sha(data: Any) -> str:
    """The commit a branch's ref points at."""
    return str(data["object"]["sha"])


class FileReader:
    """Reads files for one installation; a 304 answer does not count against the rate limit."""

    def __init__(self, redis: Redis, installation_id: int) -> None:
        self.redis = redis
        self.installation_id = installation_id
        self.cached = Conditional(redis, installation_id)

    def read(self, rest: Rest, repo_url: str, path: str, ref: str | None) -> str | None:
        """The text at ``path`` on ``ref`` (the default branch when None), None when absent."""
        if ref is None:
            return self._by_etag(rest, repo_url, path, None)
        if COMMIT_SHA.fullmatch(ref):
            return self._at_commit(rest, repo_url, path, ref, resolved=False)
        sha = self._tip(rest, repo_url, ref)
        return None if sha is None else self._at_commit(rest, repo_url, path, sha, resolved=True)

    def read_many(
        self, rest: Rest, repo: RepoRef, paths: Sequence[str], ref: str
    ) -> dict[str, str | None]:
        """The texts at ``paths`` on ``ref`` (None: absent); a branch's tip is resolved once.

        A branch that does not exist raises: its files are not absent but unknown, and a base
        branch read as empty would hand its pull request a weaker policy (the organisation's or
        the built-in one) and no owners.
        """
        url = repo_url(repo)
        resolved = not COMMIT_SHA.fullmatch(ref)
        sha = self._tip(rest, url, ref) if resolved else ref
        if sha is None:
            raise PermanentGitHubError(f"the branch {ref!r} was not found: its files are unknown")
        found: dict[str, str | None] = {}
        for path in paths:
            cached = self._load(self._key(url, sha, path))
            if cached is not None:
                found[path] = cached.text
        missing = [path for path in paths if path not in found]
        if len(missing) > 1:  # one file costs one request either way
            # An answer about a path is one about a commit GitHub just showed exists.
            for path, text in read_commit_files(rest, repo.owner, repo.name, sha, missing).items():
                self._keep(self._key(url, sha, path), text)
                found[path] = text
        for path in paths:
            if path not in found:  # what the query could not answer for certain
                found[path] = self._at_commit(rest, url, path, sha, resolved=resolved)
        return {path: found[path] for path in paths}

    def _key(self, repo_url: str, ref: str, path: str) -> str:
        return ETAG_KEY.format(
            installation_id=self.installation_id, repo=repo_url, ref=ref, path=path
        )

    def _keep(self, key: str, text: str | None) -> None:
        """Keep a file (or its absence) read at a commit, unless it is too large to hold."""
        if text is None or len(text) <= MAX_CACHED_CHARS:
            self._store(key, CachedFile("", text))

    def _tip(self, rest: Rest, repo_url: str, branch: str) -> str | None:
        """The commit ``branch`` points at now (None: no such branch).

        The branch's ref is small, where the commit's own reply carries its files and patches.
        Only a 404 says the branch is missing; any other refusal is raised, never read as an
        absent branch (whose files would be absent too, and the policy another one).
        """
        url = f"{repo_url}/git/ref/heads/{quote(branch, safe='/')}"
        try:
            return str(self.cached.get(rest, url, _ref_sha, kind="ref"))
        except GithubException as err:
            if err.status != 404:
                raise
            return None

    def _at_commit(
        self, rest: Rest, repo_url: str, path: str, sha: str, *, resolved: bool
    ) -> str | None:
        """The text at a commit; its absence is kept only for a commit a branch named (one
        GitHub just showed exists), never for a SHA GitHub may not know yet."""
        key = self._key(repo_url, sha, path)
        cached = self._load(key)
        if cached is not None:
            return cached.text
        url = f"{repo_url}/contents/{quote(path.strip('/'), safe='/')}"
        try:
            text = decode_file(rest.get(url, {"ref": sha}))
        except GithubException as err:
            if err.status != 404:
                raise
            if resolved:
                self._store(key, CachedFile("", None))
            return None
        self._keep(key, text)
        return text

    def _by_etag(self, rest: Rest, repo_url: str, path: str, ref: str | None) -> str | None:
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
