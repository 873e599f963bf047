"""The side of a spec change that other repositories see: their open pull requests' tiers under
their own policy extending the spec as it is, and as the change would make it.

The repositories come from the SpecDependents record; each is read through its own
installation's port, within the same cap, rate-limit floor and time bound as the repository's
own preview.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Protocol

from bot.core.config import Policy
from bot.core.names import CONFIG_PATH
from bot.core.policy import PolicyResult, parse_policy
from bot.core.preview import Dependents, PreviewRow
from bot.core.specs import SPEC_DEFAULT_PATH, SpecLoader, SpecRef, SpecText, SpecUnavailable
from bot.evaluation.ports import GitHubPort, PullInfo, RepoRef, SpecDependents
from bot.evaluation.preview_pulls import Bounds, NewPolicy, Policies, visit, why_stop
from bot.evaluation.spec_source import spec_loader_for


@dataclass(frozen=True)
class SpecChange:
    """The spec file a pull request changes, as its base has it and as its head proposes."""

    repo: str  # "owner/name"
    base_ref: str  # the branch it is merged into
    before: SpecText | None
    after: SpecText | None
    path: str = SPEC_DEFAULT_PATH

    def loader(self, side: SpecText | None, rest: SpecLoader | None = None) -> SpecLoader:
        """A loader that answers for this spec with ``side`` and asks ``rest`` for others.

        A dependent that pins another ref than the branch the change is merged into does not
        see the change; None stands for the default branch, which the change is assumed to
        target."""

        def load(ref: SpecRef) -> SpecText:
            ours = ref.repo == self.repo and ref.path == self.path
            if ours and ref.ref in (None, self.base_ref):
                if side is None:
                    raise SpecUnavailable(f"{ref} has no such file")
                return replace(side, ref=ref)
            if rest is None:
                raise SpecUnavailable(f"{ref} cannot be read for a preview")
            return rest(ref)

        return load


class DependentPolicies(Protocol):
    def __call__(
        self, port: GitHubPort, dependent: RepoRef, base_ref: str, change: SpecChange
    ) -> Policies | None:
        """A dependent's policy on ``base_ref`` with the spec before and after the change, or
        None when either cannot be worked out."""
        ...


def resolve_policy(text: str, source: str, loader: SpecLoader, home: SpecRef) -> PolicyResult:
    """A dependent's policy ``text`` merged with what it extends, read through ``loader``."""
    return parse_policy(text, source, loader, home)


def policies_with_spec(
    port: GitHubPort, dependent: RepoRef, base_ref: str, change: SpecChange
) -> Policies | None:
    """The dependent's own policy file, resolved once against each side of the spec."""
    text = port.fetch_file(dependent, CONFIG_PATH, base_ref)
    if text is None:
        return None
    source = f"{dependent.full_name} {CONFIG_PATH} on {base_ref}"
    home, others = SpecRef(dependent.full_name, CONFIG_PATH), spec_loader_for(port, dependent)
    before = resolve_policy(text, source, change.loader(change.before, others), home)
    after = resolve_policy(text, source, change.loader(change.after, others), home)
    if before.policy is None or after.policy is None:
        return None
    return Policies(before.policy, NewPolicy(after.policy))


@dataclass(frozen=True)
class SpecSources:
    """What a spec change's preview needs beyond its own port: who extends the repository, a
    port per installation, and how a dependent's two policies are worked out."""

    dependents: SpecDependents
    port_for: Callable[[int], GitHubPort]
    policies: DependentPolicies = policies_with_spec
    bounds: Bounds = field(default_factory=Bounds)


def read_spec_change(port: GitHubPort, repo: RepoRef, pull: PullInfo) -> SpecChange:
    def read(sha: str) -> SpecText | None:
        text = port.fetch_file(repo, SPEC_DEFAULT_PATH, sha)
        return None if text is None else SpecText(SpecRef(repo.full_name), sha, text)

    return SpecChange(repo.full_name, pull.base_ref, read(pull.base_sha), read(pull.head_sha))


@dataclass
class _Tally:
    cap: int
    rows: list[PreviewRow] = field(default_factory=list)
    shown: list[str] = field(default_factory=list)
    unevaluated: list[str] = field(default_factory=list)
    open_pulls: int = 0
    left: int = 0
    stopped: str = ""


def preview_dependents(
    port: GitHubPort, repo: RepoRef, pull: PullInfo, base: Policy, specs: SpecSources
) -> tuple[Dependents, tuple[PreviewRow, ...]]:
    """The dependents' summary and rows, at most ``preview.max_pulls`` rows in all."""
    found = sorted(specs.dependents.dependents(repo.full_name), key=lambda r: r.full_name)
    change = read_spec_change(port, repo, pull)
    tally = _Tally(base.preview.max_pulls)
    deadline = specs.bounds.clock() + specs.bounds.seconds
    for dependent in found:
        their = specs.port_for(dependent.installation_id)
        tally.stopped = why_stop(their, specs.bounds, deadline)
        if tally.stopped or tally.cap <= len(tally.rows):
            break
        _one(their, dependent, change, specs, tally)
    summary = Dependents(
        total=len(found),
        shown=tuple(tally.shown),
        open_pulls=tally.open_pulls,
        unevaluated=tuple(tally.unevaluated),
        left=tally.left,
        stopped=tally.stopped,
    )
    return summary, tuple(tally.rows)


def _one(
    port: GitHubPort, dependent: RepoRef, change: SpecChange, specs: SpecSources, tally: _Tally
) -> None:
    pulls = port.fetch_open_pulls(dependent, None)
    tally.shown.append(dependent.full_name)
    tally.open_pulls += len(pulls)
    for base_ref in sorted({p.base_ref for p in pulls}):
        group = [p for p in pulls if p.base_ref == base_ref]
        policies = specs.policies(port, dependent, base_ref, change)
        if policies is None:
            if dependent.full_name not in tally.unevaluated:
                tally.unevaluated.append(dependent.full_name)
            continue
        room = max(0, tally.cap - len(tally.rows))
        done = visit(port, dependent, group[:room], policies, specs.bounds)
        tally.rows += [replace(row, repo=dependent.full_name) for row in done.rows]
        tally.left += len(group) - len(done.rows)
        tally.stopped = tally.stopped or done.stopped
