"""The policy-change section of one evaluation: read the proposed policy and CODEOWNERS at the
head, validate them, and preview every open pull request to the same base under them.

Only a change that touches a policy file pays for this; the pull request itself stays judged
by the base policy (bot/evaluation/pipeline.py), whatever its head proposes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.core.codeowners import CODEOWNERS_LOCATIONS, codeowners_errors
from bot.core.config import Policy
from bot.core.models import ChangeSet, Tier
from bot.core.plan import Desired
from bot.core.preview import NewFiles, PolicyPreview, PolicyTouch, policy_touch
from bot.core.render_preview import with_preview
from bot.evaluation.ports import GitHubPort, PullInfo, RepoRef
from bot.evaluation.preview_pulls import Bounds, NewPolicy, Policies, preview_pulls
from bot.evaluation.preview_specs import SpecSources as SpecSources
from bot.evaluation.preview_specs import preview_dependents
from bot.evaluation.reports import safe_check
from bot.evaluation.snapshot import fetch_policy
from bot.evaluation.spec_source import spec_loader_for


@dataclass(frozen=True)
class Proposal:
    """The pull request under evaluation, its files listing, and the base policy judging it."""

    pull: PullInfo
    changes: ChangeSet
    base: Policy


def preview_policy(
    port: GitHubPort,
    repo: RepoRef,
    proposal: Proposal,
    specs: SpecSources | None = None,
    bounds: Bounds | None = None,
) -> PolicyPreview | None:
    """The section for the pull request (None when it touches no policy file: no request)."""
    pull, base = proposal.pull, proposal.base
    touch = policy_touch(proposal.changes)
    if touch.spec and not touch.policy and not touch.codeowners:
        return _spec_only(port, repo, proposal, touch, specs)
    if not touch:
        return None
    new, files = _read_new(port, repo, pull, touch, base)
    preview = PolicyPreview(touch, files, pull.base_ref, off=base.preview.max_pulls == 0)
    if new is not None and not preview.off:
        found = preview_pulls(port, repo, pull, Policies(base, new), bounds or Bounds())
        preview = replace(
            preview,
            rows=found.rows,
            open_pulls=found.open_pulls,
            over_cap=found.over_cap,
            not_previewed=found.left,
            stopped=found.stopped,
            unreadable=found.unreadable,
        )
    if touch.spec and specs is not None:
        dependents, rows = preview_dependents(port, repo, pull, base, specs)
        preview = replace(preview, dependents=dependents, rows=preview.rows + rows)
    return preview


def _spec_only(
    port: GitHubPort,
    repo: RepoRef,
    proposal: Proposal,
    touch: PolicyTouch,
    specs: SpecSources | None,
) -> PolicyPreview | None:
    """A change to the file other repositories extend: their side of it, when there are any."""
    if specs is None or not specs.dependents.dependents(repo.full_name):
        return None
    pull = proposal.pull
    source = f"{touch.paths[0]} on {pull.head_sha}"
    found, rows = preview_dependents(port, repo, pull, proposal.base, specs)
    return PolicyPreview(touch, NewFiles(source), pull.base_ref, rows, dependents=found)


def _read_new(
    port: GitHubPort, repo: RepoRef, pull: PullInfo, touch: PolicyTouch, base: Policy
) -> tuple[NewPolicy | None, NewFiles]:
    """The proposed policy and CODEOWNERS (None when the policy does not parse), and what is
    wrong with them."""
    at_head = replace(pull, base_ref=pull.head_sha)
    loader = spec_loader_for(port, repo)
    result = fetch_policy(port, repo, at_head, loader) if touch.policy else None
    policy = base if result is None else result.policy
    source = result.source if result is not None else f"CODEOWNERS on {pull.head_sha}"
    problems = () if result is None else result.problems
    if not touch.codeowners:
        files = NewFiles(source, problems)
        return (None if policy is None else NewPolicy(policy)), files
    path, text = _codeowners_at(port, repo, pull.head_sha)
    errors = codeowners_errors(path, text) if text is not None else ()
    files = NewFiles(source, problems, errors)
    if policy is None:
        return None, files
    return NewPolicy(policy, replaces_codeowners=True, codeowners=text, path=path), files


def _codeowners_at(port: GitHubPort, repo: RepoRef, ref: str) -> tuple[str | None, str | None]:
    """The CODEOWNERS file GitHub would use at ``ref``: the first found in its search order."""
    for location in CODEOWNERS_LOCATIONS:
        text = port.fetch_file(repo, location, ref)
        if text is not None:
            return location, text
    return None, None


def show(wanted: Desired, section: PolicyPreview, tier: Tier) -> Desired:
    """The desired state with the section in its check, redacted like the rest of it."""
    return replace(wanted, check=safe_check(with_preview(wanted.check, section, tier)))
