"""The README's example check summary and sticky comment, rendered by the real pipeline."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from bot.core.check_matching import CheckObservations, SeenRun
from bot.core.grants import Anchor
from bot.evaluation.pipeline import evaluate_pull
from bot.evaluation.ports import LabelEvent, PullInfo, RepoRef, ReviewInfo
from bot.evaluation.record import RunInfo
from tests.builders import file_entry
from tests.fakes import FakeGrantStore, FakePort

STARTED = "2024-05-02T10:39:50Z"
SPEC_CONFIG = Path(__file__).parent / "fixtures" / "configs" / "spec-example.yml"


def example_port() -> FakePort:
    """An AI-assisted pull request that touches the billing invariant and is too large."""
    port = FakePort()
    port.pulls[42] = PullInfo(
        number=42,
        state="open",
        draft=False,
        author="dev",
        title="Refund flow",
        body="",
        head_sha="9f1c2e",
        base_ref="main",
        base_sha="1a2b3c",
        labels=("tier-override/L1",),
        requested_users=(),
        requested_teams=(),
    )
    port.files[42] = [
        file_entry("billing/refunds.py", 260, "refund = float(amount) * rate"),
        file_entry("web/refunds/view.tsx", 180, "return <Refund />"),
        file_entry("package-lock.json", 900, '"version": "1.0.0",'),
    ]
    # The head version of the file the invariant reads: its lines are lexed to skip comments.
    port.contents[("9f1c2e", "billing/refunds.py")] = "refund = float(amount) * rate\n" * 260
    port.commits[42] = ("Add refunds\n\nCo-authored-by: Claude <noreply@anthropic.com>",)
    port.contents[("main", ".github/review-tiers.yml")] = SPEC_CONFIG.read_text()
    port.contents[("main", ".github/CODEOWNERS")] = "/billing/ @acme/payments\n/web/ @acme/web\n"
    port.teams = {"acme/architects": ("ada",), "acme/payments": ("pat",)}
    port.reviews[42] = [ReviewInfo("pat", "APPROVED", "9f1c2e")]
    lint = SeenRun(3101, "lint", 15368, "github-actions", 77, "completed", "success")
    test = SeenRun(3102, "test", 15368, "github-actions", 77, "in_progress", None)
    port.seen_checks["9f1c2e"] = CheckObservations(
        (replace(lint, completed_at="2024-05-02T10:41:07Z"), replace(test, started_at=STARTED)),
    )
    port.label_actors[42] = [LabelEvent("tier-override/L1", "sam")]
    port.roles = {"sam": "write"}
    return port


def render_examples(docs_url: str = "") -> tuple[str, str]:
    """(check summary, sticky comment) as GitHub would show them; ``docs_url`` as the App's
    REVIEW_TIERS_DOCS_URL (the README shows the summary without it)."""
    port = example_port()
    store = FakeGrantStore()  # the signed labeled delivery's claim: sam, on the head commit
    store.claim(42, "tier-override/L1", Anchor("9f1c2e", "main"), "sam", "example-delivery")
    run = RunInfo("example", docs_url=docs_url)
    evaluate_pull(port, RepoRef(1, "acme", "shop"), 42, run, store)
    summary = port.checks["9f1c2e"]["review-tiers"].output.summary
    comment = next(iter(port.comments[42].values()))
    return summary, comment
