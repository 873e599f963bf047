"""Read ahead: once the pull request is known to be open, the reads every evaluation of it makes
(its files, commits, reviews, the App's comment and check, the base branch's policy, CODEOWNERS
and .gitattributes) start at once in a small thread pool, rather than one after another.

Each read runs on a port of its own (``sibling``: the same installation, its own HTTP client),
so no client is shared between threads. The pipeline still asks for everything in its own order
and gets the same answers, or the same errors, when it asks; anything it does not ask for is
dropped. Every read has finished before the evaluation returns, and all come before its writes.
A port that cannot make siblings (a test's fake) is used as it is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from typing import Any, cast

from bot.core.names import CHECK_NAME, COMMENT_MARKER
from bot.evaluation.ports import GitHubPort, PullInfo, RepoRef
from bot.evaluation.snapshot import BASE_FILES

THREADS = 4
Key = tuple[str, tuple[Any, ...]]
# A call reading the same listing as a read made ahead waits for that read, so that it sends
# the ETag the read kept (a free 304) rather than racing it with the old one.
SAME_LISTING = {"fetch_checks": "fetch_check_run"}


def planned(repo: RepoRef, pull: PullInfo) -> list[list[Key]]:
    """The calls, with their arguments, that every evaluation of ``pull`` makes; the calls of
    one list are made in turn."""
    number = pull.number
    return [
        [("fetch_base_files", (repo, BASE_FILES, pull.base_ref))],
        [("fetch_files", (repo, number))],
        [("fetch_commit_messages", (repo, number))],
        [("fetch_reviews", (repo, number))],
        [("fetch_check_run", (repo, pull.head_sha, CHECK_NAME))],
        [("fetch_sticky_comment", (repo, number, COMMENT_MARKER))],
    ]


class ReadAhead:
    """The port, except that a call read ahead returns (or raises) what the read got."""

    def __init__(self, port: GitHubPort, pool: ThreadPoolExecutor) -> None:
        self._port = port
        self._pool = pool
        self._ahead: dict[Key, Future[Any]] = {}

    def start(self, sibling: Callable[[], Any], keys: list[Key]) -> None:
        """Make the calls of ``keys`` in turn on one thread, each answer kept for its call."""
        futures: list[tuple[Key, Future[Any]]] = [(key, Future()) for key in keys]
        self._ahead.update(futures)

        def read() -> None:
            try:
                other = sibling()
            except BaseException as err:  # every call of this thread then raises it
                for _, future in futures:
                    if future.set_running_or_notify_cancel():
                        future.set_exception(err)
                return
            try:
                for (name, args), future in futures:
                    if not future.set_running_or_notify_cancel():
                        continue  # dropped: the evaluation is over
                    try:
                        future.set_result(getattr(other, name)(*args))
                    except BaseException as err:  # handed to the caller, raised where it asks
                        future.set_exception(err)
            finally:
                other.close()

        self._pool.submit(read)

    def drop_unused(self) -> None:
        for future in self._ahead.values():
            future.cancel()  # not started: not needed after all; a running read finishes

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._port, name)
        if not callable(attr):
            return attr

        def call(*args: Any, **kwargs: Any) -> Any:
            future = None if kwargs else self._ahead.pop((name, args), None)
            if future is not None:
                return future.result()
            wait([f for (other, _), f in self._ahead.items() if other == SAME_LISTING.get(name)])
            return attr(*args, **kwargs)

        return call


@contextmanager
def reading_ahead(port: GitHubPort, repo: RepoRef, pull: PullInfo) -> Iterator[GitHubPort]:
    sibling = getattr(port, "sibling", None)
    if sibling is None:
        yield port
        return
    with ThreadPoolExecutor(THREADS, thread_name_prefix="read-ahead") as pool:
        ahead = ReadAhead(port, pool)
        for keys in planned(repo, pull):
            ahead.start(sibling, keys)
        try:
            yield cast(GitHubPort, ahead)
        finally:
            ahead.drop_unused()
