"""Write real GitHub webhook payloads, one file per event and action, as test fixtures.

Source: the npm package ``@octokit/webhooks-examples`` version 7.6.1, file
``api.github.com/index.json``. Regenerate with::

    cd "$(mktemp -d)" && npm pack @octokit/webhooks-examples@7.6.1
    tar xzf octokit-webhooks-examples-7.6.1.tgz
    python scripts/extract_webhook_examples.py package/api.github.com/index.json

For each wanted ``<event>.<action>`` the first example that carries an ``installation`` object is
taken (a GitHub App always receives one), else the first example. The package has no
``pull_request.edited`` example, so that one is derived from the ``pull_request.reopened``
payload with the ``changes`` object GitHub documents for edits; its ``title.from`` is the only
invented value. Nor has it a ``merge_group.destroyed`` example: that one is the
``merge_group.checks_requested`` payload with the action and the ``reason`` GitHub documents for
a group that was merged. ``push`` is a tag's deletion; ``push.branch`` is the first push of
commits to a branch sent to an installation.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from pathlib import Path
from typing import Any

DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "tests/fixtures/webhooks"

WANTED: tuple[str, ...] = (
    "check_run.completed",
    "check_run.rerequested",
    "check_suite.completed",
    "installation.created",
    "installation.deleted",
    "installation_repositories.added",
    "installation_repositories.removed",
    "issue_comment.created",
    "merge_group.checks_requested",
    "ping",
    "pull_request.closed",
    "pull_request.labeled",
    "pull_request.opened",
    "pull_request.ready_for_review",
    "pull_request.reopened",
    "pull_request.synchronize",
    "pull_request.unlabeled",
    "pull_request_review.dismissed",
    "pull_request_review.submitted",
    "push",
    "status",
)
DERIVED_EDIT_SOURCE = "pull_request.reopened"
DERIVED_DESTROYED_SOURCE = "merge_group.checks_requested"


def pick_example(events: dict[str, Any], wanted: str) -> dict[str, Any]:
    """Return the example for ``<event>[.<action>]``, preferring one sent to an installation."""
    event, _, action = wanted.partition(".")
    candidates = [
        ex for ex in events[event]["examples"] if not action or ex.get("action") == action
    ]
    if not candidates:
        raise LookupError(f"no example for {wanted}")
    with_installation = [ex for ex in candidates if "installation" in ex]
    chosen: dict[str, Any] = (with_installation or candidates)[0]
    return chosen


def derive_edited(reopened: dict[str, Any]) -> dict[str, Any]:
    """Turn a real ``reopened`` payload into an ``edited`` one (title changed)."""
    edited = copy.deepcopy(reopened)
    edited["action"] = "edited"
    edited["changes"] = {"title": {"from": f"{reopened['pull_request']['title']} (old title)"}}
    # Keep GitHub's key order: ``changes`` follows ``number`` in real edit payloads.
    order = ["action", "number", "changes"]
    return {k: edited[k] for k in order} | {k: v for k, v in edited.items() if k not in order}


def derive_destroyed(requested: dict[str, Any]) -> dict[str, Any]:
    """Turn a real ``checks_requested`` payload into a ``destroyed`` one (the group merged)."""
    rest = {k: copy.deepcopy(v) for k, v in requested.items() if k != "action"}
    return {"action": "destroyed", "reason": "merged"} | rest


def extract(index: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Map each fixture name to its payload."""
    events = {entry["name"]: entry for entry in index}
    payloads = {name: pick_example(events, name) for name in WANTED}
    payloads["pull_request.edited"] = derive_edited(payloads[DERIVED_EDIT_SOURCE])
    payloads["merge_group.destroyed"] = derive_destroyed(payloads[DERIVED_DESTROYED_SOURCE])
    payloads["push.branch"] = branch_push(events)
    return payloads


def branch_push(events: dict[str, Any]) -> dict[str, Any]:
    """The first push of commits to a branch sent to an installation (``push`` is a tag's)."""
    for example in events["push"]["examples"]:
        if example["ref"].startswith("refs/heads/") and "installation" in example:
            found: dict[str, Any] = example
            return found
    raise LookupError("no push to a branch")


def main(argv: list[str] | None = None) -> int:
    """Read the examples index and write one fixture file per wanted payload."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="path to api.github.com/index.json")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    index = json.loads(args.source.read_text(encoding="utf-8"))
    args.output.mkdir(parents=True, exist_ok=True)
    for name, payload in sorted(extract(index).items()):
        path = args.output / f"{name}.json"
        path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {path} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
