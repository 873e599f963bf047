"""What GitHub reports on a commit, matched against the checks a tier requires."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.core.check_requirements import GITHUB_ACTIONS_SLUG, CheckRequirement, CheckSource

PASSING_STATES = frozenset({"success", "neutral", "skipped"})


@dataclass(frozen=True)
class SeenRun:
    """A check run on the commit, with the App that created it and, when asked, its workflow."""

    id: int
    name: str
    app_id: int | None
    app_slug: str | None
    suite_id: int | None
    status: str  # queued | in_progress | completed (and GitHub's newer waiting states)
    conclusion: str | None
    started_at: str | None = None
    completed_at: str | None = None
    workflow: str | None = None  # the Actions workflow run's name, looked up only for pins

    @property
    def state(self) -> str:
        # A conclusion only means something once the run is completed.
        return (self.conclusion or "pending") if self.status == "completed" else self.status

    @property
    def at(self) -> str:
        return self.completed_at or self.started_at or ""

    def origin(self) -> str:
        app = f"app {self.app_slug or self.app_id or 'unknown'}"
        return f"{app} (workflow {self.workflow})" if self.workflow else app


@dataclass(frozen=True)
class SeenStatus:
    """A commit status: the latest state posted for its context."""

    id: int
    context: str
    state: str  # error | failure | pending | success
    updated_at: str = ""

    @property
    def at(self) -> str:
        return self.updated_at

    def origin(self) -> str:
        return "commit status"


@dataclass(frozen=True)
class CheckObservations:
    """Every other check run and commit status GitHub reports on a commit."""

    runs: tuple[SeenRun, ...] = ()
    statuses: tuple[SeenStatus, ...] = ()


@dataclass(frozen=True)
class CheckVerdict:
    """Whether a requirement is met, and a sentence saying by which report."""

    requirement: CheckRequirement
    met: bool
    sentence: str


Seen = SeenRun | SeenStatus


def needs_workflows(requirements: Sequence[CheckRequirement]) -> bool:
    """Whether the Actions workflow runs of the commit must be looked up."""
    return any(r.source is CheckSource.WORKFLOW for r in requirements)


def match_checks(
    requirements: Sequence[CheckRequirement], seen: CheckObservations
) -> tuple[CheckVerdict, ...]:
    return tuple(match_check(requirement, seen) for requirement in requirements)


def match_check(requirement: CheckRequirement, seen: CheckObservations) -> CheckVerdict:
    """The latest report from the required source decides; reports from elsewhere are ignored."""
    named: list[Seen] = [r for r in seen.runs if r.name == requirement.name]
    named += [s for s in seen.statuses if s.context == requirement.name]
    chosen = [item for item in named if from_source(requirement, item)]
    note = _ignored([item for item in named if not from_source(requirement, item)])
    if not chosen:
        return CheckVerdict(requirement, False, _missing(requirement) + note)
    latest = max(chosen, key=_order)
    sentence = f"{_subject(requirement)}: {latest.state} ({_where(requirement, latest)})"
    return CheckVerdict(requirement, latest.state in PASSING_STATES, sentence + note)


def from_source(requirement: CheckRequirement, item: Seen) -> bool:
    source = requirement.source
    if source is CheckSource.ANY:
        return True
    if source is CheckSource.STATUS:
        return isinstance(item, SeenStatus)
    if not isinstance(item, SeenRun):
        return False
    if source is CheckSource.APP:
        if isinstance(requirement.app, int):
            return item.app_id == requirement.app
        return (item.app_slug or "").lower() == str(requirement.app).lower()
    return item.app_slug == GITHUB_ACTIONS_SLUG and item.workflow == requirement.workflow


def _order(item: Seen) -> tuple[str, int, int]:
    # Latest by time (GitHub's ISO 8601 UTC text sorts in time order); at equal times a check
    # run wins over a commit status, then the newer id.
    return item.at, int(isinstance(item, SeenRun)), item.id


def _subject(requirement: CheckRequirement) -> str:
    if requirement.source is CheckSource.ANY:
        return f"check `{requirement.name}` (unpinned)"
    return requirement.describe()


def _where(requirement: CheckRequirement, item: Seen) -> str:
    kind = f"run {item.id}" if isinstance(item, SeenRun) else f"status {item.id}"
    if requirement.source is CheckSource.ANY:
        kind = f"{kind} from {item.origin()}" if isinstance(item, SeenRun) else f"commit {kind}"
    return f"{kind} at {item.at}" if item.at else kind


def _missing(requirement: CheckRequirement) -> str:
    name, source = requirement.name, requirement.source
    if source is CheckSource.APP:
        return f"no run of `{name}` from app {requirement.app}"
    if source is CheckSource.WORKFLOW:
        return f"no run of `{name}` from workflow {requirement.workflow}"
    if source is CheckSource.STATUS:
        return f"no commit status `{name}`"
    return f"no check run or commit status `{name}`"


def _ignored(items: Sequence[Seen]) -> str:
    """ "; a run from app other-app was ignored", naming each other source once."""
    counts: dict[str, int] = {}
    for item in items:
        counts[item.origin()] = counts.get(item.origin(), 0) + 1
    phrases = [_reports(origin, n) for origin, n in counts.items()]
    if not phrases:
        return ""
    listed = phrases[0] if len(phrases) == 1 else f"{', '.join(phrases[:-1])} and {phrases[-1]}"
    return f"; {listed} {'was' if len(items) == 1 else 'were'} ignored"


def _reports(origin: str, count: int) -> str:
    if origin == "commit status":
        return "a commit status" if count == 1 else f"{count} commit statuses"
    return f"a run from {origin}" if count == 1 else f"{count} runs from {origin}"
