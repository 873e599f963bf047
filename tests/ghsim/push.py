"""Push deliveries as GitHub sends them, built on the real ``push.branch`` payload (from
``@octokit/webhooks-examples``, MIT; see scripts/extract_webhook_examples.py) and pointed at a
simulated repository: its id, default branch, installation and the branch's new tip."""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.ghsim.state import Store, tip_sha

TEMPLATE = Path(__file__).resolve().parent.parent / "fixtures/webhooks/push.branch.json"


@dataclass(frozen=True)
class Pushed:
    """What a push changed, as its listed commits name it."""

    added: Sequence[str] = ()
    modified: Sequence[str] = ()
    removed: Sequence[str] = ()
    commits: int = 1  # how many commits it lists; the changes are on the last one
    forced: bool = False


def push_payload(
    store: Store, owner: str, name: str, branch: str, pushed: Pushed | None = None
) -> dict[str, Any]:
    pushed = pushed or Pushed()
    template = json.loads(TEMPLATE.read_text(encoding="utf-8"))
    repo = store.repo(owner, name)
    payload = copy.deepcopy(template)
    after = tip_sha(repo, branch) if branch in repo.files else "0" * 40
    payload.update(ref=f"refs/heads/{branch}", after=after, forced=pushed.forced)
    payload["compare"] = (
        f"https://github.com/{repo.full_name}/compare/{payload['before']}...{after}"
    )
    payload["installation"]["id"] = store.repo_installation[(repo.owner, repo.name)]
    shown = payload["repository"]
    shown.update(id=repo.id, name=repo.name, full_name=repo.full_name)
    shown.update(default_branch=repo.default_branch, private=repo.private)
    shown["owner"]["login"] = repo.owner
    commits = []
    for index in range(pushed.commits):
        commit = copy.deepcopy(template["commits"][0])
        last = index == pushed.commits - 1
        commit.update(id=f"{index:040x}" if not last else after, added=[], modified=[], removed=[])
        if last:
            commit.update(
                added=list(pushed.added),
                modified=list(pushed.modified),
                removed=list(pushed.removed),
            )
        commits.append(commit)
    payload["commits"], payload["head_commit"] = commits, commits[-1] if commits else None
    return payload
