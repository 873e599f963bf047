"""Pick the changes of a backtest window: the first-parent chain of the default branch, newest
first, between two UTC dates and up to a count, with the commits each change merged."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.local import backtest_git, local_git
from bot.local.backtest_git import MainlineCommit
from bot.local.offline import InputError

BARE_DATE = re.compile(r"^\d{4}-?\d{2}-?\d{2}$")


@dataclass(frozen=True)
class Window:
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 1000


@dataclass(frozen=True)
class Change:
    """A change merged into the branch: the commit, its first parent (the base), its subject,
    committer time and the messages of every commit it brought (``base..commit``)."""

    commit: str
    base: str
    subject: str
    message: str
    timestamp: int
    messages: tuple[str, ...]


def parse_date(text: str, *, end_of_day: bool) -> datetime:
    """``YYYY-MM-DD`` (the whole day) or an ISO 8601 date-time; UTC unless it names a zone."""
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError as err:
        raise InputError(f"not a date: {text!r} (use YYYY-MM-DD or ISO 8601)") from err
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    if end_of_day and BARE_DATE.match(text.strip()):
        # A bare date as the upper bound includes the whole of that day.
        parsed += timedelta(days=1, microseconds=-1)
    return parsed.astimezone(UTC)


def select(repo: Path, tip: str, window: Window) -> list[MainlineCommit]:
    """The window's mainline commits, newest first. A root commit has no base: it is left out."""
    since = window.since.strftime("%Y-%m-%d %H:%M:%S +0000") if window.since else None
    picked: list[MainlineCommit] = []
    if window.limit <= 0:
        return picked
    chain = backtest_git.first_parents(repo, tip, since)
    for commit in chain:
        when = datetime.fromtimestamp(commit.timestamp, UTC)
        if window.until is not None and when > window.until:
            continue
        if window.since is not None and when < window.since:
            continue
        if commit.parents:
            picked.append(commit)
        if len(picked) >= window.limit:
            break
    chain.close()
    return picked


def changes(repo: Path, picked: list[MainlineCommit]) -> list[Change]:
    """Each picked commit with the messages of ``first parent..commit``, from one `git log`.

    Walking the chain oldest first, a change brought exactly the commits it reaches that no
    older change of the span reached: those are the commits ``git log base..commit`` lists.
    """
    if not picked:
        return []
    graph = backtest_git.commit_graph(repo, picked[-1].parents[0], picked[0].sha)
    order = {sha: index for index, (sha, _, _) in enumerate(graph)}
    parents = {sha: ps for sha, ps, _ in graph}
    messages = {sha: body for sha, _, body in graph}
    claimed: set[str] = set()
    brought: dict[str, list[str]] = {}
    for sha in reversed(_span(picked[0].sha, picked[-1].parents[0], parents)):
        todo, mine = [sha], []
        while todo:
            current = todo.pop()
            if current in claimed or current not in parents:
                continue
            claimed.add(current)
            mine.append(current)
            todo.extend(parents[current])
        brought[sha] = sorted(mine, key=order.__getitem__)
    return [
        Change(
            commit=c.sha,
            base=c.parents[0],
            subject=c.subject,
            message=messages.get(c.sha, c.subject),
            timestamp=c.timestamp,
            messages=tuple(m.strip() for s in brought[c.sha] if (m := messages[s]).strip()),
        )
        for c in picked
    ]


def _span(newest: str, stop: str, parents: dict[str, tuple[str, ...]]) -> list[str]:
    """The first-parent chain from ``newest`` down to (not including) ``stop``, newest first."""
    chain: list[str] = []
    current: str | None = newest
    while current is not None and current != stop and current in parents:
        chain.append(current)
        current = parents[current][0] if parents[current] else None
    return chain


def resolve_tip(repo: Path, branch: str | None) -> str:
    """The branch to walk: ``branch`` when given, else the default branch `evaluate` uses."""
    return local_git.resolve(repo, branch or local_git.default_base(repo))
