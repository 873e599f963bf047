"""The kinds of queued work: one frozen dataclass per job, whose fields are its keyword arguments.

A job is queued as its entry function (``bot.worker.jobs.<entry>``, derived here, never written
at a call site) called with the job's fields as keyword arguments, so the worker rebuilds the
same dataclass; the due set keeps the same function and fields as JSON. ``Job`` is the union of
every kind, and the worker must have an entry for each (tests/test_job_kinds.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any, ClassVar, TypeAlias, get_args

from bot.state.keys import PullKey

# The module holding every job's entry function; only the worker imports it.
ENTRY_MODULE = "bot.worker.jobs"


class _JobKind:
    entry: ClassVar[str]  # the entry function's name in ENTRY_MODULE
    __dataclass_fields__: ClassVar[dict[str, Any]]  # every kind is a dataclass

    @classmethod
    def func(cls) -> str:
        """The dotted path rq imports to run a job of this kind."""
        return f"{ENTRY_MODULE}.{cls.entry}"

    def fields(self) -> dict[str, Any]:
        """The keyword arguments of the entry function: the job's fields as JSON values."""
        return asdict(self)


@dataclass(frozen=True, kw_only=True)
class PullJob(_JobKind):
    """Evaluate one pull request, taking every event recorded for it (bot.worker.runs)."""

    entry = "run_pull_job"
    installation_id: int
    owner: str
    repo: str
    number: int
    trigger: str = ""  # the delivery that queued the job ("sweeper" when re-queued)
    settle: bool = False  # a follow-up first lets a burst still arriving end

    @classmethod
    def of(cls, pull: PullKey, trigger: str = "", settle: bool = False) -> PullJob:
        return cls(
            installation_id=pull.installation_id,
            owner=pull.owner,
            repo=pull.repo,
            number=pull.number,
            trigger=trigger,
            settle=settle,
        )

    @property
    def pull(self) -> PullKey:
        return PullKey(self.installation_id, self.owner, self.repo, self.number)

    def log_fields(self) -> dict[str, Any]:
        return {
            "installation_id": self.installation_id,
            "repository": f"{self.owner}/{self.repo}",
            "pull_number": self.number,
            "delivery_id": self.trigger,
        }


@dataclass(frozen=True, kw_only=True)
class CommitJob(_JobKind):
    """Find the open pull requests whose head is ``sha`` (a status event) and submit each."""

    entry = "run_commit_job"
    installation_id: int
    owner: str
    repo: str
    sha: str
    trigger: str  # the delivery that named the commit
    attempt: int = 0  # how many runs of this job failed before

    def log_fields(self) -> dict[str, Any]:
        return {
            "installation_id": self.installation_id,
            "repository": f"{self.owner}/{self.repo}",
            "delivery_id": self.trigger,
        }


@dataclass(frozen=True, kw_only=True)
class GroupJob(_JobKind):
    """Converge a merge group's check on its head (bot.worker.groups); ``base_sha`` "": the
    group's recorded base (a re-run of its check)."""

    entry = "run_group_job"
    installation_id: int
    owner: str
    repo: str
    head_sha: str
    base_sha: str = ""
    base_ref: str = ""
    trigger: str  # the delivery that asked
    attempt: int = 0  # how many runs of this job failed before

    def log_fields(self) -> dict[str, Any]:
        return {
            "installation_id": self.installation_id,
            "repository": f"{self.owner}/{self.repo}",
            "merge_group": self.head_sha,
            "delivery_id": self.trigger,
        }


@dataclass(frozen=True, kw_only=True)
class PushJob(_JobKind):
    """A push that may change the policy of open pull requests: submit each one of them, into
    ``branch`` of this repository (``policy``) and of every repository extending it (``spec``).

    ``only_installation`` (0: every one) narrows a retry to the installation it is for.
    """

    entry = "run_push_job"
    installation_id: int
    owner: str
    repo: str
    branch: str
    policy: bool
    spec: bool
    trigger: str  # the push's delivery
    attempt: int = 0
    only_installation: int = 0

    def log_fields(self) -> dict[str, Any]:
        return {
            "installation_id": self.installation_id,
            "repository": f"{self.owner}/{self.repo}",
            "delivery_id": self.trigger,
        }


Job: TypeAlias = PullJob | CommitJob | GroupJob | PushJob
KINDS: tuple[type[Job], ...] = get_args(Job)
_BY_FUNC: dict[str, type[Job]] = {kind.func(): kind for kind in KINDS}


def decode(func: str, kwargs: Mapping[str, Any]) -> Job | None:
    """The job an entry path and its keyword arguments stand for; None when no kind matches
    (e.g. a job queued by another release under another path, or with positional arguments)."""
    kind = _BY_FUNC.get(func)
    if kind is None or set(kwargs) - {f.name for f in fields(kind)}:
        return None
    try:
        return kind(**kwargs)
    except TypeError:
        return None
