"""The workload of a fault run: varied pull requests seeded on the simulator, the signed
deliveries that drive them, and the final GitHub state each pull request ends in."""

from __future__ import annotations

import hashlib
import itertools
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tests.builders import file_entry
from tests.e2e.harness import OWNER, REPO, payload
from tests.ghsim import GitHubSimulator

CHECK_NAME = "review-tiers"
RECHECK = "review-tiers/recheck"
# kind: (path, first line count, changed line, tier the example config gives it)
KINDS: dict[str, tuple[str, int, str, str]] = {
    "docs": ("docs/guide.md", 3, "Some words", "L1"),
    "invariant": ("billing/ledger.py", 3, "amount = float(x)", "L3"),
    "plain": ("src/app.py", 12, "x = 1", "L2"),
    "large": ("src/big.py", 450, "y = 2", "L2"),  # over the soft limit: a sticky comment
    "infra": ("infra/main.tf", 5, 'resource "x" {}', "L3"),
}
APPROVERS = {"L1": (), "L2": ("backer",), "L3": ("arch", "payer")}
CI_CHECKS = ("lint", "test")


@dataclass
class PullPlan:
    """One pull request: its successive heads (the last is final) and what happens to it."""

    number: int
    kind: str
    heads: list[str]
    approved: bool
    ci_green: bool
    recheck: bool

    @property
    def tier(self) -> str:
        return KINDS[self.kind][3]

    def files(self, version: int) -> list[dict[str, Any]]:
        path, lines, text, _ = KINDS[self.kind]
        return [file_entry(path, lines + 2 * version, text, numbered=True)]


@dataclass
class Delivery:
    """A signed delivery to send, after ``before`` changed GitHub as the event reports."""

    number: int
    event: str
    body: dict[str, Any]
    before: Callable[[], None] | None = field(default=None, repr=False)


def sha(seed: int, *parts: object) -> str:
    return hashlib.sha1(f"{seed}/{'/'.join(map(str, parts))}".encode()).hexdigest()


def build_plans(count: int, seed: int) -> list[PullPlan]:
    """``count`` pull requests cycling through the kinds, 0 to 2 pushes each, some approved."""
    kinds = list(KINDS)
    return [
        PullPlan(
            number=number,
            kind=kinds[(number + seed) % len(kinds)],
            heads=[sha(seed, number, v) for v in range(1 + (number * 7 + seed) % 3)],
            approved=number % 2 == 0,
            ci_green=number % 4 != 3,
            recheck=number % 5 == 1,
        )
        for number in range(1, count + 1)
    ]


def seed_pulls(sim: GitHubSimulator, plans: list[PullPlan]) -> None:
    """Open every PR at its first head; reviews and CI results exist on the final head from the
    start, so the final state does not depend on which evaluations happen to run."""
    for plan in plans:
        final = plan.heads[-1]
        sim.add_pull(
            OWNER, REPO, plan.number, author="dev", head_sha=plan.heads[0], files=plan.files(0)
        )
        for context in CI_CHECKS if plan.ci_green else ():
            sim.add_check_run(OWNER, REPO, final, context)
        for user in APPROVERS[plan.tier] if plan.approved else ():
            sim.add_review(OWNER, REPO, plan.number, user, "APPROVED", commit_id=final)


def pull_body(plan: PullPlan, action: str, head: str, **extra: Any) -> dict[str, Any]:
    return payload(
        f"pull_request.{action}",
        pull_request__number=plan.number,
        pull_request__state="open",
        pull_request__head__sha=head,
        **extra,
    )


def pull_deliveries(sim: GitHubSimulator, plan: PullPlan) -> list[Delivery]:
    """What GitHub sends for one PR, in order: opened, pushes, an edit, reviews, a recheck."""
    out = [Delivery(plan.number, "pull_request", pull_body(plan, "opened", plan.heads[0]))]
    for version, head in enumerate(plan.heads[1:], start=1):

        def push(head: str = head, version: int = version) -> None:
            sim.push(OWNER, REPO, plan.number, head, files=plan.files(version))

        body = pull_body(plan, "synchronize", head)
        out.append(Delivery(plan.number, "pull_request", body, push))
    final = plan.heads[-1]
    out.append(Delivery(plan.number, "pull_request", pull_body(plan, "edited", final)))
    for approver in APPROVERS[plan.tier] if plan.approved else ():
        # Each reviewer's delivery is its own signed body, as GitHub's are.
        review = payload(
            "pull_request_review.submitted",
            pull_request__number=plan.number,
            pull_request__state="open",
            pull_request__head__sha=final,
            review__user__login=approver,
            sender__login=approver,
        )
        out.append(Delivery(plan.number, "pull_request_review", review))
    if plan.recheck:

        def label() -> None:
            sim.add_label(OWNER, REPO, plan.number, RECHECK, actor="dev")

        body = pull_body(plan, "labeled", final, label__name=RECHECK)
        out.append(Delivery(plan.number, "pull_request", body, label))
    return out


def interleave(sim: GitHubSimulator, plans: list[PullPlan]) -> list[Delivery]:
    """Every PR's deliveries, round-robin, so that the PRs progress side by side."""
    queues = [pull_deliveries(sim, plan) for plan in plans]
    depth = max(len(q) for q in queues)
    return [q[step] for step in range(depth) for q in queues if step < len(q)]


@dataclass(frozen=True)
class PullState:
    """What a reviewer sees of a PR: our latest check on the head, labels, requests, comment."""

    check: tuple[str, str | None, str] | None
    labels: tuple[str, ...]
    users: tuple[str, ...]
    teams: tuple[str, ...]
    comment: str | None


def pull_state(sim: GitHubSimulator, number: int) -> PullState:
    pull = sim.pull(OWNER, REPO, number)
    ours = [
        r
        for r in sim.check_runs(OWNER, REPO, pull.head_sha)
        if r.name == CHECK_NAME and r.app_id == sim.app.id
    ]
    latest = max(ours, key=lambda r: r.id, default=None)
    check = None
    if latest is not None:
        check = (latest.status, latest.conclusion, str(latest.output.get("title", "")))
    comments = [c.body for c in pull.comments if c.via_app]
    return PullState(
        check=check,
        labels=tuple(sorted(pull.labels)),
        users=tuple(sorted(pull.requested_reviewers)),
        teams=tuple(sorted(pull.requested_teams)),
        comment="\n---\n".join(comments) if comments else None,
    )


def snapshot(sim: GitHubSimulator, plans: list[PullPlan]) -> dict[int, PullState]:
    return {plan.number: pull_state(sim, plan.number) for plan in plans}


def duplicated_effects(sim: GitHubSimulator, plans: list[PullPlan]) -> Counter[str]:
    """Effects made twice where once would do: a check run created in the same state as the
    App's previous run on that head (a run in a new state is how a completed check changes:
    failure, then in progress, then failure again is three states, not a duplicate), sticky
    comments beyond the first, reviewers requested more than once."""
    found: Counter[str] = Counter()
    for plan in plans:
        for head in plan.heads:
            runs = sorted(
                (r for r in sim.check_runs(OWNER, REPO, head) if r.name == CHECK_NAME),
                key=lambda r: r.id,
            )
            states = [
                (r.status, r.conclusion, str(r.output.get("title", "")))
                for r in runs
                if r.app_id == sim.app.id
            ]
            found["check runs"] += sum(1 for a, b in itertools.pairwise(states) if a == b)
        app_comments = sum(1 for c in sim.pull(OWNER, REPO, plan.number).comments if c.via_app)
        found["comments"] += max(0, app_comments - 1)
    requested = Counter(review_requests(sim))
    found["review requests"] += sum(n - 1 for n in requested.values())
    return found


def review_requests(sim: GitHubSimulator) -> list[tuple[str, str]]:
    """(pull request path, reviewer) for every review request GitHub granted."""
    with sim.lock:
        granted = [
            r
            for r in sim.requests
            if r.method == "POST" and r.path.endswith("/requested_reviewers") and r.status == 201
        ]
    out = []
    for record in granted:
        body = record.json if isinstance(record.json, dict) else {}
        names = [*body.get("reviewers", []), *body.get("team_reviewers", [])]
        out += [(record.path, str(name)) for name in names]
    return out
