"""Gather a local branch's inputs for `review-tiers evaluate`: no GitHub, no Redis."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from bot.core.codeowners import CODEOWNERS_LOCATIONS, pick_codeowners
from bot.core.config import Policy
from bot.core.contents import paths_needing_contents, paths_needing_lines
from bot.core.diff import parse_unified_diff
from bot.core.diff_sections import listed_files
from bot.core.evaluate import Evaluation, evaluate
from bot.core.models import ChangeSet, FileVersions, Override, PullMeta, RepoContext
from bot.core.names import CONFIG_PATH, override_tier
from bot.core.policy import PolicyResult, default_policy, parse_policy
from bot.local import local_git
from bot.local.git_changes import read_changes
from bot.local.spec_checkouts import checkout_loader


@dataclass(frozen=True)
class LocalRequest:
    repo: Path
    base: str | None = None
    head: str | None = None
    config_file: Path | None = None
    diff_file: Path | None = None
    labels: tuple[str, ...] = ()
    # Local checkouts of spec repositories: (owner/repo, PATH) from `--spec owner/repo=PATH`.
    specs: tuple[tuple[str, Path], ...] = ()


# Files at a ref: path -> text, None where absent or binary.
FileReader = Callable[[str, Iterable[str]], dict[str, str | None]]


class InputError(ValueError):
    """Bad input from the user; one line, no traceback."""


def load_policy(req: LocalRequest, repo: Path | None, base: str | None) -> PolicyResult:
    """--config FILE, else the config at ``base`` (the base ref's tip), else the built-in
    defaults; merged with the spec files it extends, read from the checkouts `--spec` gives."""
    loader = checkout_loader(dict(req.specs))
    if req.config_file is not None:
        return parse_policy(read_text(req.config_file), str(req.config_file), loader)
    if repo is not None and base is not None:
        text = local_git.read_files(repo, base, [CONFIG_PATH])[CONFIG_PATH]
        if text is not None:
            return parse_policy(text, f"{CONFIG_PATH} at {base[:12]}", loader)
    return default_policy()


def read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise InputError(f"cannot read {path}: {err.strerror or err}") from err
    return raw.decode("utf-8", errors="replace")


def run_local(req: LocalRequest) -> tuple[PolicyResult, Evaluation | None]:
    """Evaluate a branch (or a diff file); the evaluation is None when the config is invalid."""
    repo, rng = _locate(req)
    base = rng.base_tip if rng is not None else None
    result = load_policy(req, repo, base)
    if result.policy is None:
        return result, None
    if req.diff_file is not None:
        changes = parse_unified_diff(read_text(req.diff_file))
    else:
        assert repo is not None and rng is not None
        changes = branch_changes(repo, rng, result.policy)
    context = _context(repo, rng, changes, result.policy)
    messages = local_git.commit_messages(repo, rng) if repo and rng and not req.diff_file else ()
    meta = PullMeta(labels=req.labels, commit_messages=messages)
    return result, evaluate(changes, context, meta, result.policy, _overrides(req, result.policy))


def branch_changes(repo: Path, rng: local_git.Range, policy: Policy) -> ChangeSet:
    """The change, its patch streamed from git with lines read only where a rule reads them."""
    return read_changes(
        repo, rng, lambda entries: paths_needing_lines(listed_files(entries), policy)
    )


def _locate(req: LocalRequest) -> tuple[Path | None, local_git.Range | None]:
    if req.diff_file is not None:
        # A diff file needs no repository; use one for config and CODEOWNERS when there is one.
        try:
            repo = local_git.repo_root(req.repo)
            return repo, local_git.pick_range(repo, req.base, req.head)
        except local_git.GitError:
            return None, None
    repo = local_git.repo_root(req.repo)
    return repo, local_git.pick_range(repo, req.base, req.head)


def _context(
    repo: Path | None, rng: local_git.Range | None, changes: ChangeSet, policy: Policy
) -> RepoContext:
    if repo is None or rng is None:
        return RepoContext()
    return gather_context(
        lambda ref, paths: local_git.read_files(repo, ref, paths), rng, changes, policy
    )


def gather_context(
    read: FileReader, rng: local_git.Range, changes: ChangeSet, policy: Policy
) -> RepoContext:
    """CODEOWNERS and .gitattributes at the base ref's tip, and the contents the policy's rules
    need: before the change at the merge-base the diff starts from, after it at the head."""
    at_base = read(rng.base_tip, [*CODEOWNERS_LOCATIONS, ".gitattributes"])
    found = pick_codeowners({p: at_base[p] for p in CODEOWNERS_LOCATIONS})
    return RepoContext(
        codeowners=found[1] if found else None,
        codeowners_path=found[0] if found else None,
        gitattributes=at_base[".gitattributes"],
        contents=_contents(read, rng, changes, policy),
    )


def _contents(
    read: FileReader, rng: local_git.Range, changes: ChangeSet, policy: Policy
) -> dict[str, FileVersions]:
    paths = paths_needing_contents(changes.files, policy)
    by_path = {f.path: f for f in changes.files}
    before_paths = {p: by_path[p].previous_path or p for p in paths}
    before = read(rng.base, before_paths.values())
    after = read(rng.head, paths)
    return {
        p: FileVersions(
            before=None if by_path[p].status == "added" else before.get(before_paths[p]),
            after=None if by_path[p].status == "removed" else after.get(p),
        )
        for p in paths
    }


def _overrides(req: LocalRequest, policy: Policy) -> tuple[Override, ...]:
    # Offline there is no sender to check: a simulated override label is taken as granted.
    found = ((label, override_tier(label, policy.labels)) for label in req.labels)
    return tuple(
        Override(label=label, tier=tier, actor="(local)", honoured=True, reason="simulated offline")
        for label, tier in found
        if tier is not None
    )
