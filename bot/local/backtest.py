"""`review-tiers backtest`: classify every change of a window of history in one process, each
exactly as `review-tiers evaluate --base <first parent> --head <commit>` would."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from bot.core.backtest import ChangeResult, change_title, pull_number
from bot.core.config import Policy
from bot.core.diff import parse_unified_diff
from bot.core.evaluate import evaluate
from bot.core.models import PullMeta, Reason
from bot.core.names import CONFIG_PATH
from bot.core.policy import PolicyResult, default_policy, parse_policy
from bot.core.render import decision_json
from bot.core.specs import SpecLoader
from bot.local import backtest_git, backtest_window, local_git
from bot.local.backtest_window import Change, Window
from bot.local.offline import gather_context, read_text
from bot.local.spec_checkouts import checkout_loader

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class BacktestRequest:
    repo: Path
    window: Window = field(default_factory=Window)
    branch: str | None = None
    config_file: Path | None = None
    specs: tuple[tuple[str, Path], ...] = ()  # --spec OWNER/REPO=PATH, as evaluate takes them


@dataclass(frozen=True)
class BacktestRun:
    """The window's results, newest first, and the size buckets of the policies used."""

    results: tuple[ChangeResult, ...]
    buckets: tuple[str, ...]
    tip: str


class _Policies:
    """The policy at each base, parsed once per blob of the config file."""

    def __init__(
        self, blobs: backtest_git.BlobReader, fixed: PolicyResult | None, loader: SpecLoader
    ) -> None:
        self._blobs, self._fixed, self._loader = blobs, fixed, loader
        self._parsed: dict[str, PolicyResult] = {}
        self.used: dict[str, Policy] = {}

    def at(self, base: str) -> PolicyResult:
        result = self._fixed or self._read(base)
        if result.policy is not None:
            self.used.setdefault(result.digest, result.policy)
        return result

    def _read(self, base: str) -> PolicyResult:
        found = self._blobs.blob(base, CONFIG_PATH)
        if found is None or found[1] is None:
            return default_policy()
        blob, text = found[0], found[1]
        if blob not in self._parsed:
            source = f"{CONFIG_PATH} at {base[:12]}"
            self._parsed[blob] = parse_policy(text, source, self._loader)
        return self._parsed[blob]


class _CachedReader:
    """Files at a ref through the blob reader, one text object per blob: a CODEOWNERS file
    unchanged over many changes is the same string, so its parse cache answers at once."""

    def __init__(self, blobs: backtest_git.BlobReader) -> None:
        self._blobs = blobs
        self._texts: dict[str, str | None] = {}

    def __call__(self, ref: str, paths: Iterable[str]) -> dict[str, str | None]:
        out: dict[str, str | None] = {}
        for path in dict.fromkeys(paths):
            found = self._blobs.blob(ref, path)
            out[path] = None if found is None else self._texts.setdefault(*found)
        return out


def fixed_policy(req: BacktestRequest) -> PolicyResult | None:
    """``--config FILE`` parsed, when given; it judges every change of the window."""
    if req.config_file is None:
        return None
    return parse_policy(read_text(req.config_file), str(req.config_file), _loader(req))


def _loader(req: BacktestRequest) -> SpecLoader:
    return checkout_loader(dict(req.specs))


def run_backtest(
    req: BacktestRequest, fixed: PolicyResult | None, progress: Progress | None = None
) -> BacktestRun:
    repo = local_git.repo_root(req.repo)
    tip = backtest_window.resolve_tip(repo, req.branch)
    picked = backtest_window.select(repo, tip, req.window)
    window = backtest_window.changes(repo, picked)
    blobs = backtest_git.BlobReader(repo)
    try:
        policies, read = _Policies(blobs, fixed, _loader(req)), _CachedReader(blobs)
        results: list[ChangeResult] = []
        pairs = [(c.commit, c.base) for c in window]
        for change, (_, diff) in zip(window, backtest_git.diffs(repo, pairs), strict=True):
            results.append(_classify(change, diff, policies.at(change.base), read))
            if progress is not None:
                progress(len(results), len(window))
    finally:
        blobs.close()
    return BacktestRun(tuple(results), _buckets(policies.used.values()), tip)


def _classify(change: Change, diff: str, result: PolicyResult, read: _CachedReader) -> ChangeResult:
    number, title = pull_number(change.subject), change_title(change.subject, change.message)
    head = (change.commit, number, title, change.timestamp)
    if result.policy is None:
        # As in the App: no tier is decided under a policy that does not validate.
        reasons = tuple(Reason("config", p.render()) for p in result.problems)
        return ChangeResult(*head, tier=None, size=None, reasons=reasons, ai_assisted=False)
    changes = parse_unified_diff(diff)
    # The first parent is both where the diff starts and the base branch's tip of the day.
    rng = local_git.Range(change.base, change.commit, change.base, change.commit, change.base)
    context = gather_context(read, rng, changes, result.policy)
    meta = PullMeta(commit_messages=change.messages)
    evaluation = evaluate(changes, context, meta, result.policy)
    facts, decision = evaluation.facts, evaluation.decision
    size = cast(dict[str, object], decision_json(facts, decision)["size"])
    return ChangeResult(
        *head,
        tier=decision.tier.value,
        size=size,
        reasons=decision.reasons,
        ai_assisted=facts.ai_assisted,
    )


def _buckets(policies: Iterable[Policy]) -> tuple[str, ...]:
    """Every bucket label of the policies used, each policy's in order of its lower bounds."""
    labels: dict[str, None] = {}
    for policy in policies:
        ordered = sorted(policy.size.buckets.items(), key=lambda item: item[1])
        labels.update(dict.fromkeys(label for label, _ in ordered))
    return tuple(labels) or tuple(Policy().size.buckets)
