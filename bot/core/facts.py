"""Compute every fact the tier decision needs from a change, the repository and the PR."""

from __future__ import annotations

from bot.core.blast import classify_interfaces, classify_owner_areas, classify_owners
from bot.core.codeowners import codeowners_errors
from bot.core.config import Policy
from bot.core.gitattributes import parse_gitattributes
from bot.core.invariants import classify_invariants
from bot.core.models import ChangeSet, PullFacts, PullMeta, Reason, RepoContext
from bot.core.provenance import classify_provenance
from bot.core.size import classify_size


def compute_facts(
    changes: ChangeSet, context: RepoContext, meta: PullMeta, policy: Policy
) -> PullFacts:
    """Classify size, invariants, interfaces, owners and AI provenance of one change."""
    attributes = parse_gitattributes(context.gitattributes or "")
    size, size_notes = classify_size(changes.files, policy.size, attributes, context.contents)
    codeowners = context.codeowners if policy.codeowners else None
    owners_by_file = classify_owners(changes.files, codeowners)
    owners = sorted({o for file_owners in owners_by_file.values() for o in file_owners})
    ai_reasons = classify_provenance(meta, policy.ai)
    notes = list(size_notes)
    if changes.truncated:
        notes.append(
            Reason(
                "truncated",
                f"GitHub lists at most {len(changes.files)} files: later files were not seen",
            )
        )
    return PullFacts(
        files=tuple(f.path for f in changes.files),
        size=size,
        invariants=classify_invariants(changes.files, policy.invariants, context.contents),
        interfaces=classify_interfaces(changes.files, policy.interfaces, context.contents),
        owners=tuple(owners),
        owners_by_file=owners_by_file,
        ai_assisted=bool(ai_reasons),
        ai_reasons=ai_reasons,
        truncated=changes.truncated,
        notes=tuple(notes),
        previous_paths={f.path: f.previous_path for f in changes.files if f.previous_path},
        owner_areas=classify_owner_areas(changes.files, codeowners),
        codeowners_errors=codeowners_errors(context.codeowners_path, codeowners or ""),
        specs=policy.specs,
    )
