"""Decide whether a pull request is AI-assisted (SPEC §2 "AI provenance")."""

from __future__ import annotations

import re

from bot.core.config import AiPolicy
from bot.core.models import PullMeta, Reason


def classify_provenance(meta: PullMeta, policy: AiPolicy) -> tuple[Reason, ...]:
    """Reasons the PR counts as AI-assisted; empty when it does not."""
    reasons: list[Reason] = []
    trailer = _first_trailer(meta.commit_messages, policy.trailers)
    if trailer is not None:
        reasons.append(Reason("ai-trailer", f"a commit carries the trailer {trailer!r}"))
    labels = sorted(set(meta.labels) & set(policy.labels))
    if labels:
        reasons.append(Reason("ai-label", f"the pull request has the label {labels[0]!r}"))
    if meta.author and meta.author in policy.bots:
        reasons.append(Reason("ai-author", f"the author {meta.author} is a configured bot"))
    return tuple(reasons)


def _first_trailer(messages: tuple[str, ...], patterns: tuple[str, ...]) -> str | None:
    compiled = [re.compile(p, re.MULTILINE | re.IGNORECASE) for p in patterns]
    for message in messages:
        for regex in compiled:
            found = regex.search(message)
            if found is not None:
                line_end = message.find("\n", found.start())
                return message[found.start() : line_end if line_end >= 0 else None].strip()
    return None


def has_section(body: str, heading: str) -> bool:
    """True when the PR body contains the heading line followed by some text."""
    lines = body.splitlines()
    for index, line in enumerate(lines):
        if line.strip().lower() == heading.strip().lower():
            rest = lines[index + 1 :]
            following = [ln for ln in rest if ln.strip()]
            return bool(following) and not following[0].lstrip().startswith("#")
    return False
