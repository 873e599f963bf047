"""A push that may change the policy of open pull requests: list them and submit each one.

A push changing the policy or CODEOWNERS of a branch reaches the open pull requests into that
branch; a push to a spec repository's default branch reaches every open pull request of each
repository recorded as extending it (bot.state.dependents), listed with that repository's own
installation. Submissions coalesce with work already queued for a pull request. The fan-out
stops an installation when its rate limit, less what the evaluations it queued will spend, falls
under REVIEW_TIERS_RECOVERY_MIN_REMAINING; the job is queued again for that installation.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field, replace

from bot.evaluation.ports import RepoRef
from bot.gh.listings import AppCheck, Listings
from bot.ops.errors import PermanentGitHubError
from bot.ops.logs import log_context
from bot.state.dependents import note_fanned, was_fanned
from bot.state.jobkinds import PushJob
from bot.worker.fanout import Fanout, FanoutReport, Installation, OpenPull, fan_out
from bot.worker.retries import backoff, exhausted
from bot.worker.runtime import Runtime, current_runtime

log = logging.getLogger("bot.worker.jobs")  # its lines read as the jobs' own

# What one evaluation of an already evaluated pull request typically spends of the
# installation's budget, in counted requests (bench/spec_fanout.py measures it; pages of files,
# reviews or comments add more); the fan-out keeps the queued evaluations' share in reserve.
EVALUATION_REQUESTS = 12
BUDGET_WAIT = 900.0  # seconds before an installation stopped for its budget is tried again

Targets = dict[int, dict[tuple[str, str], str | None]]  # installation -> repo -> base or None


@dataclass
class TargetListings:
    """One installation's part of the fan-out: only the target repositories, each listed
    with its base filter; a target the installation can no longer read is skipped."""

    listings: Listings
    repos: dict[tuple[str, str], str | None]
    queued: int = 0  # evaluations submitted so far through this installation

    @property
    def rate_limit_remaining(self) -> int | None:
        remaining = self.listings.rate_limit_remaining
        return None if remaining is None else remaining - self.queued * EVALUATION_REQUESTS

    def repositories(self) -> list[tuple[str, str]]:
        return sorted(self.repos)

    def open_pulls(self, repo: RepoRef) -> list[tuple[int, str]]:
        try:
            return self.listings.open_pulls(repo, self.repos[(repo.owner, repo.name)])
        except PermanentGitHubError as err:
            # A dependent that left the App is dropped from the record within its TTL.
            log.warning("cannot list the pull requests of %s: %s", repo.full_name, err)
            return []

    def app_check(self, repo: RepoRef, head_sha: str) -> AppCheck | None:
        return self.listings.app_check(repo, head_sha)

    def close(self) -> None:
        self.listings.close()


@dataclass
class PushSource:
    """The fan-out's view of GitHub: the installations holding the targets."""

    runtime: Runtime
    targets: Targets
    opened: dict[int, TargetListings] = field(default_factory=dict)

    def installations(self) -> list[int]:
        return sorted(self.targets)

    def installation(self, installation_id: int) -> Installation:
        settings, redis = self.runtime.settings, self.runtime.redis
        observe = self.runtime.metrics.observe_request
        listings = Listings(settings, redis, installation_id, observe=observe)
        self.opened[installation_id] = TargetListings(listings, self.targets[installation_id])
        return self.opened[installation_id]


def targets_of(runtime: Runtime, job: PushJob) -> Targets:
    """Which repositories to list, by installation, and into which base (None: every base)."""
    found: Targets = defaultdict(dict)
    if job.policy:
        found[job.installation_id][(job.owner, job.repo)] = job.branch
    if job.spec:
        for dependent in runtime.dependents.dependents(f"{job.owner}/{job.repo}"):
            found[dependent.installation_id][(dependent.owner, dependent.name)] = None
    if job.only_installation:
        return {job.only_installation: found.get(job.only_installation, {})}
    return dict(found)


def fan_out_push(job: PushJob) -> str:
    """Submit every open pull request the push may concern; re-queue what could not be done."""
    runtime = current_runtime()
    with log_context(**job.log_fields()):
        try:
            return _fan_out(runtime, job)
        except Exception:  # the job is a boundary: a crash is tried again, not lost with it
            log.exception("push fan-out crashed", extra={"outcome": "crashed"})
            retry = replace(job, attempt=job.attempt + 1)
            if exhausted(retry.attempt):
                log.error("giving up on the push's fan-out", extra={"outcome": "gave up"})
                return "gave up"
            runtime.dispatcher.enqueue(retry, backoff(job.attempt, None))
            return "retry"


def _fan_out(runtime: Runtime, job: PushJob) -> str:
    source = PushSource(runtime, targets_of(runtime, job))

    def submit(pull: OpenPull, reason: str) -> None:
        runtime.dispatcher.submit(pull.key, job.trigger)
        note_fanned(runtime.redis, job.trigger, pull.key.member())
        source.opened[pull.installation_id].queued += 1

    def concerned(pull: OpenPull, listings: Installation) -> str | None:
        # A retry skips what an earlier run of this push submitted: it goes on from there.
        if was_fanned(runtime.redis, job.trigger, pull.key.member()):
            return None
        return "a push may have changed its policy"

    plan = Fanout(
        concerned,
        submit,
        runtime.settings.recovery_min_remaining,
        include=lambda i, owner, repo: not runtime.dispatcher.is_removed(i, owner, repo),
    )
    report = fan_out(source, plan)
    progressed = {i for i, listed in source.opened.items() if listed.queued}
    _again(runtime, job, report, progressed)
    log.info(
        "push to %s: %d of %d open pull request(s) queued",
        job.branch,
        report.acted,
        report.pulls,
        extra={"outcome": "fanned out"},
    )
    return f"{report.acted} pull request(s)"


def _again(runtime: Runtime, job: PushJob, report: FanoutReport, progressed: set[int]) -> None:
    """Queue the job again for each installation stopped for its budget or by GitHub. A stop
    for the budget after some progress is no failure: it counts no attempt, so a fan-out
    larger than several budgets is not given up half done."""
    for installation_id in [*report.stopped, *report.failed]:
        paced = installation_id in report.stopped and installation_id in progressed
        attempt = job.attempt if paced else job.attempt + 1
        retry = replace(job, attempt=attempt, only_installation=installation_id)
        if exhausted(retry.attempt):
            log.error("giving up on installation %d", installation_id, extra={"outcome": "gave up"})
            continue
        wait = BUDGET_WAIT if installation_id in report.stopped else backoff(job.attempt, None)
        runtime.dispatcher.enqueue(retry, wait)
