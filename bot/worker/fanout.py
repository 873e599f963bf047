"""One rate-limit-aware pass over the open pull requests of every installation: a predicate
decides per pull request, an action acts on it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from bot.evaluation.ports import RepoRef
from bot.ops.errors import PermanentGitHubError, TransientGitHubError
from bot.state.keys import PullKey

if TYPE_CHECKING:
    from bot.gh.listings import AppCheck

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OpenPull:
    installation_id: int
    owner: str
    repo: str
    number: int
    head_sha: str

    @property
    def key(self) -> PullKey:
        return PullKey(self.installation_id, self.owner, self.repo, self.number)


class Installation(Protocol):
    """One installation's listings; ``rate_limit_remaining`` is as of its latest reply."""

    @property
    def rate_limit_remaining(self) -> int | None: ...

    def repositories(self) -> list[tuple[str, str]]: ...

    def open_pulls(self, repo: RepoRef) -> list[tuple[int, str]]: ...

    def app_check(self, repo: RepoRef, head_sha: str) -> AppCheck | None: ...

    def close(self) -> None: ...


class PullSource(Protocol):
    def installations(self) -> list[int]: ...

    def installation(self, installation_id: int) -> Installation: ...


# Why the pull request needs the action (a short reason), or None; it may read through the
# installation, whose budget the fan-out checks before each pull request.
Predicate = Callable[[OpenPull, Installation], str | None]
Action = Callable[[OpenPull, str], None]


def include_all(installation_id: int, owner: str, repo: str) -> bool:
    return True


@dataclass(frozen=True)
class Fanout:
    predicate: Predicate
    action: Action
    min_remaining: int
    include: Callable[[int, str, str], bool] = include_all


@dataclass
class FanoutReport:
    installations: int = 0
    repositories: int = 0
    pulls: int = 0
    acted: int = 0
    stopped: list[int] = field(default_factory=list)  # under the rate-limit floor
    failed: list[int] = field(default_factory=list)  # GitHub refused or was unreachable


class BudgetSpent(Exception):
    """The installation's remaining rate limit fell under the floor."""


def fan_out(source: PullSource, plan: Fanout) -> FanoutReport:
    """Visit every installation; one that fails or runs low on budget does not stop the rest."""
    report = FanoutReport()
    for installation_id in source.installations():
        report.installations += 1
        listings = source.installation(installation_id)
        try:
            _installation(installation_id, listings, plan, report)
        except BudgetSpent:
            report.stopped.append(installation_id)
            log.warning(
                "recovery stopped for installation %d: %s requests left, under %d",
                installation_id,
                listings.rate_limit_remaining,
                plan.min_remaining,
                extra={"installation_id": installation_id, "outcome": "rate limit"},
            )
        except (TransientGitHubError, PermanentGitHubError) as err:
            report.failed.append(installation_id)
            log.warning(
                "recovery skipped installation %d: %s",
                installation_id,
                err,
                extra={"installation_id": installation_id, "outcome": "failed"},
            )
        finally:
            listings.close()
    return report


def _check_budget(listings: Installation, plan: Fanout) -> None:
    remaining = listings.rate_limit_remaining
    if remaining is not None and remaining < plan.min_remaining:
        raise BudgetSpent()


def _installation(
    installation_id: int, listings: Installation, plan: Fanout, report: FanoutReport
) -> None:
    _check_budget(listings, plan)
    for owner, name in listings.repositories():
        if not plan.include(installation_id, owner, name):
            continue
        report.repositories += 1
        _check_budget(listings, plan)
        for number, head_sha in listings.open_pulls(RepoRef(installation_id, owner, name)):
            report.pulls += 1
            _check_budget(listings, plan)
            pull = OpenPull(installation_id, owner, name, number, head_sha)
            reason = plan.predicate(pull, listings)
            if reason is not None:
                plan.action(pull, reason)
                report.acted += 1
