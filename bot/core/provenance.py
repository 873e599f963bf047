"""Decide whether a pull request is AI-assisted: trailers, labels and bot authors."""

from __future__ import annotations

from bot.core.config import AiPolicy
from bot.core.models import PullMeta, Reason
from bot.core.patterns import MAX_LINE_BYTES, Hit, compile_pattern, first_hit


def classify_provenance(meta: PullMeta, policy: AiPolicy) -> tuple[Reason, ...]:
    """Reasons the PR counts as AI-assisted; empty when it does not."""
    reasons: list[Reason] = []
    trailer = _first_trailer(meta.commit_messages, policy.trailers)
    if trailer is not None and trailer.pattern is not None:
        reasons.append(
            Reason("ai-trailer", f"a commit carries the trailer {trailer.line.strip()!r}")
        )
    elif trailer is not None:
        # A line too long to search may hide a trailer: fail closed rather than cut it short.
        bound = f"{MAX_LINE_BYTES // 1024} KiB"
        message = f"a commit message line of {trailer.size} bytes is over the {bound} trailer"
        reasons.append(
            Reason("truncated", f"{message} patterns are run on: counted as AI-assisted")
        )
    labels = sorted(set(meta.labels) & set(policy.labels))
    if labels:
        reasons.append(Reason("ai-label", f"the pull request has the label {labels[0]!r}"))
    if meta.author and meta.author in policy.bots:
        reasons.append(Reason("ai-author", f"the author {meta.author} is a configured bot"))
    return tuple(reasons)


def _first_trailer(messages: tuple[str, ...], patterns: tuple[str, ...]) -> Hit | None:
    """Each pattern is matched, case-insensitively, against one message line at a time."""
    if not patterns:
        return None
    compiled = [compile_pattern(p, ignore_case=True) for p in patterns]
    lines = (line for message in messages for line in message.split("\n"))
    return first_hit(lines, compiled)


def has_section(body: str, heading: str) -> bool:
    """True when the PR body contains the heading line followed by some text."""
    lines = body.splitlines()
    for index, line in enumerate(lines):
        if line.strip().lower() == heading.strip().lower():
            rest = lines[index + 1 :]
            following = [ln for ln in rest if ln.strip()]
            return bool(following) and not following[0].lstrip().startswith("#")
    return False
