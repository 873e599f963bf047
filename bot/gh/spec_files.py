"""Spec files of other repositories, read with the installation token through conditional
requests whose replies every worker shares in Redis.

The cache is keyed by repository, ref and path, not by installation: every read still asks
GitHub about the ref with the reader's own token (a 304 costs no rate limit, and GitHub answers
404 to a token that cannot read the repository), so no installation sees what it could not read.
A file is cached under the commit its ref named, so the text at a commit is never fetched twice.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from github.GithubException import GithubException
from redis import Redis

from bot.evaluation.ports import RepoRef, SpecRead
from bot.gh.app_client import AppClient
from bot.gh.base import PortBase
from bot.gh.contents import decode_file
from bot.gh.errors import port_call
from bot.gh.rest import Rest, repo_url

SPEC_KEY = "rt:spec:{what}"
# An ETag older than this is dropped; the next read is a plain 200 that stores it again.
SPEC_CACHE_SECONDS = 24 * 3600
MAX_CACHED_CHARS = 1_000_000

Compact = Callable[[Any], dict[str, Any]]


class Missing(Exception):
    """A part of the spec's address that GitHub does not show this installation."""

    def __init__(self, part: str) -> None:
        super().__init__(part)
        self.part = part


class SpecFiles:
    """Reads one spec file: the default branch if no ref, the ref's commit, the file there."""

    def __init__(self, redis: Redis, rest: Rest) -> None:
        self.redis = redis
        self.rest = rest

    def read(self, repo_url: str, path: str, ref: str | None) -> SpecRead:
        if not _plain(path):
            return SpecRead(missing="path")  # never a URL outside the repository's contents
        try:
            if ref is None:
                ref = str(self._conditional(repo_url, _default_branch)["default_branch"])
            sha = self._commit(repo_url, ref)
        except Missing as gone:
            return SpecRead(missing=gone.part)
        try:
            text = self._file(repo_url, path.strip("/"), sha)
        except Missing as gone:
            return SpecRead(sha=sha, missing=gone.part)
        if text is None:
            return SpecRead(sha=sha, missing="file")
        return SpecRead(sha=sha, text=text)

    def _commit(self, repo_url: str, ref: str) -> str:
        url = f"{repo_url}/commits/{quote(ref, safe='')}"
        try:
            return str(self._conditional(url, _sha)["sha"])
        except GithubException as err:
            # 422: no commit of that name; 409: an empty repository. A repository this
            # installation cannot read answers 404 (raised as Missing by _conditional).
            if err.status in (409, 422):
                raise Missing("ref") from err
            raise

    def _file(self, repo_url: str, path: str, sha: str) -> str | None:
        """The text at a commit never changes: once read, it is served without a request."""
        key = SPEC_KEY.format(what=f"file:{repo_url}@{sha}:{path}")
        raw = self.redis.get(key)
        if raw is not None:
            try:
                return _text(json.loads(raw))
            except ValueError:
                pass  # unreadable: read the file again
        try:
            data = self.rest.get(f"{repo_url}/contents/{quote(path, safe='/')}", {"ref": sha})
        except GithubException as err:
            if err.status == 404:  # the commit was just read, so it is the path that is absent
                raise Missing("path") from err
            raise
        text = decode_file(data)
        if text is None or len(text) <= MAX_CACHED_CHARS:
            self.redis.set(key, json.dumps({"text": text}), ex=SPEC_CACHE_SECONDS)
        return text

    def _conditional(self, url: str, compact: Compact) -> dict[str, Any]:
        """GET with the last ETag any worker saw for ``url``; only the compacted reply is kept."""
        key = SPEC_KEY.format(what=f"etag:{url}")
        cached = _load(self.redis.get(key))
        try:
            status, headers, data = self.rest.conditional_get(
                url, {}, cached["etag"] if cached else None
            )
        except GithubException as err:
            if err.status == 404:
                raise Missing("repository") from err
            raise
        if status == 304 and cached is not None:
            return dict(cached["data"])
        kept = compact(data)
        if headers.get("etag"):
            entry = json.dumps({"etag": headers["etag"], "data": kept})
            self.redis.set(key, entry, ex=SPEC_CACHE_SECONDS)
        return kept


def _plain(path: str) -> bool:
    """A relative path without empty, ``.`` or ``..`` segments."""
    parts = path.strip("/").split("/")
    return all(part not in ("", ".", "..") for part in parts)


def _default_branch(data: Any) -> dict[str, Any]:
    return {"default_branch": str(data["default_branch"])}


def _sha(data: Any) -> dict[str, Any]:
    return {"sha": str(data["sha"])}


def _text(item: Any) -> str | None:
    text = item.get("text") if isinstance(item, dict) else None
    return text if isinstance(text, str) else None


def _load(raw: bytes | str | None) -> dict[str, Any] | None:
    if raw is None:
        return None
    try:
        entry = json.loads(raw)
    except ValueError:
        return None
    ok = isinstance(entry, dict) and "etag" in entry and isinstance(entry.get("data"), dict)
    return entry if ok else None


class SpecReads(PortBase):
    """The port's reads of spec repositories."""

    @port_call
    def fetch_spec_file(
        self, repo: RepoRef, spec_repo: str, path: str, ref: str | None
    ) -> SpecRead:
        owner, _, name = spec_repo.partition("/")
        url = repo_url(RepoRef(self.installation_id, owner, name))
        return SpecFiles(self.redis, self.rest).read(url, path, ref)

    def fetch_repo_installation(self, full_name: str) -> int | None:
        # Asked as the App, not the installation: only the App can see where it is installed.
        owner, _, name = full_name.partition("/")
        app = AppClient(self.settings, self.observe)
        try:
            return app.repo_installation(owner, name)
        finally:
            app.close()
