"""What one evaluation asked for and what it did: its run's inputs and its audit record."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from bot.core.actions import CheckState
from bot.core.evaluate import Evaluation
from bot.core.grants import GRANTED
from bot.core.models import Mode
from bot.core.render import Progress
from bot.core.specs import SpecText
from bot.evaluation.label_grants import LabelGrants


@dataclass(frozen=True)
class RunInfo:
    delivery_id: str
    # Who asked for each coalesced event: None for ordinary events, a login for a recheck by
    # comment (which needs write access). One ordinary event is enough to evaluate.
    actors: tuple[str | None, ...] = (None,)
    # Where the check run links reason codes (README: REVIEW_TIERS_DOCS_URL); "": no links.
    docs_url: str = ""
    # REVIEW_TIERS_MODE: shadow puts every evaluation in shadow mode, whatever the policy says.
    mode: Mode = Mode.ENFORCE


@dataclass
class Record:
    """The audit record of one evaluation (README "Audit log")."""

    delivery_id: str
    repository: str
    pull_number: int
    deliveries: list[str] = field(default_factory=list)
    outcome: str = "evaluated"
    head_sha: str = ""
    base_sha: str = ""
    config: str = ""
    config_hash: str = ""
    tier: str | None = None
    computed_tier: str | None = None
    reasons: list[dict[str, str]] = field(default_factory=list)
    facts: dict[str, object] = field(default_factory=dict)
    requirements: list[dict[str, object]] = field(default_factory=list)
    overrides: list[dict[str, object]] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    retry: bool = False
    retry_after: float | None = None
    # The check the run converged the head to; empty when it wrote none (e.g. skipped).
    check_status: str = ""
    check_conclusion: str | None = None
    # enforce, or shadow (README "Adopting review-tiers"): then which settings asked for it.
    mode: str = Mode.ENFORCE.value
    shadow_by: list[str] = field(default_factory=list)
    # The spec files the policy extends, as read: {"repo", "path", "sha"} each.
    specs: list[dict[str, str]] = field(default_factory=list)
    # Approvals of the evaluated head: {"id", "submitted_at"} each (rubber-stamp metrics).
    approvals: list[dict[str, object]] = field(default_factory=list)


def note_specs(record: Record, specs: Sequence[SpecText]) -> None:
    """Name the spec files the policy was built from (the worker records its dependents)."""
    record.specs = [{"repo": s.ref.repo, "path": s.ref.path, "sha": s.sha} for s in specs]


def converged(record: Record, state: CheckState) -> None:
    """Note the check the run converged the head to."""
    record.check_status, record.check_conclusion = state.status, state.conclusion


def fill(
    record: Record,
    evaluation: Evaluation,
    grants: LabelGrants,
    progress: tuple[Progress, ...],
    generation_context: bool = False,
) -> None:
    """Copy a decided evaluation's tier, reasons, facts, requirements and overrides;
    ``generation_context``: the description has the policy's generation-context section."""
    facts, decision = evaluation.facts, evaluation.decision
    record.tier, record.computed_tier = decision.tier.value, decision.computed_tier.value
    record.reasons = [{"code": r.code, "message": r.message} for r in decision.reasons]
    record.facts = {
        "size": {"label": facts.size.label, "lines": facts.size.lines, "files": facts.size.files},
        "invariants": [t.id for t in facts.invariants],
        "interfaces": [t.id for t in facts.interfaces],
        "owners": list(facts.owners),
        "ai_assisted": facts.ai_assisted,
        "truncated": facts.truncated,
        "generation_context_missing": decision.missing_generation_context,
        "generation_context": generation_context,
    }
    groups = {group.name for group in decision.groups}
    record.requirements = [
        {
            "name": p.name,
            "obtained": p.obtained,
            "required": p.required,
            "kind": "approval" if p.name in groups else "check",
        }
        for p in progress
    ]
    tiers = {o.label: o.tier.value for o in grants.overrides}
    record.overrides = [
        {**asdict(g), "tier": tiers.get(g.label), "honoured": g.state == GRANTED}
        for g in grants.settled
    ]
