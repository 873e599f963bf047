"""`review-tiers report` end to end: pull requests evaluated by the App against the simulator,
reviewed and merged at known times, give exactly the numbers they should, in JSON and HTML."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from redis import Redis

from bot.cli import main
from bot.evaluation.pipeline import evaluate_pull
from bot.evaluation.ports import RepoRef
from bot.evaluation.record import RunInfo
from bot.ops.audit import STREAM, AuditLog
from bot.ops.audit_pending import durable_trail
from bot.ops.settings import AppSettings
from bot.state.queueing import Dispatcher
from bot.worker.runtime import Runtime
from tests.builders import file_entry
from tests.e2e.harness import INSTALLATION, OWNER, REPO, seed_repository
from tests.ghsim import GitHubSimulator
from tests.ghsim.clients import checked_simulator

SECRET = "s" * 12
GENERATION_CONTEXT = "Adds a page.\n\n## Generation context\nPrompted with the issue text.\n"


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass
class Shop:
    sim: GitHubSimulator
    runtime: Runtime
    env: dict[str, str]

    def evaluate(self, number: int) -> datetime:
        """Evaluate the pull request as a worker does; returns its audit record's time."""
        port = self.runtime.port_for(INSTALLATION)
        repo = RepoRef(INSTALLATION, OWNER, REPO)
        record = evaluate_pull(port, repo, number, RunInfo(f"d-{number}"), self.runtime.grants)
        self.runtime.record(record, 0.1, port)
        return datetime.fromisoformat(list(self.runtime.audit.export())[-1]["at"])

    def review(self, number: int, user: str, at: datetime, opened: datetime) -> None:
        self.sim.add_review(OWNER, REPO, number, user, "APPROVED").submitted_at = iso(at)
        self.sim.pull(OWNER, REPO, number).created_at = iso(opened)


@pytest.fixture
def shop(keys: tuple[str, str], redis_url: str) -> Iterator[Shop]:
    with checked_simulator(app_public_key_pem=keys[1]) as sim:
        seed_repository(sim)
        redis = Redis.from_url(redis_url)
        settings = AppSettings(
            app_id=sim.app.id, private_key=keys[0], webhook_secret=SECRET, api_url=sim.url
        )
        runtime = Runtime(settings, redis, Dispatcher(redis), AuditLog(redis))
        env = {
            "GITHUB_APP_ID": str(sim.app.id),
            "GITHUB_PRIVATE_KEY": keys[0],
            "GITHUB_WEBHOOK_SECRET": SECRET,
            "GITHUB_API_URL": sim.url,
            "REDIS_URL": redis_url,
        }
        yield Shop(sim, runtime, env)


def open_pull(shop: Shop, number: int, change: dict[str, Any], **more: Any) -> None:
    head = str(number) * 40
    shop.sim.add_pull(OWNER, REPO, number, author="dev", head_sha=head, files=[change], **more)


def seed_pulls(shop: Shop) -> None:
    """Five pull requests with known reviews, pushes and merges."""
    sim, minute = shop.sim, timedelta(minutes=1)
    # 1: L3 (an invariant), approved by its owners, merged without the architects.
    open_pull(shop, 1, file_entry("billing/fees.py", 3, "fee = float(x)"))
    at = shop.evaluate(1)
    shop.review(1, "backer", at + 20 * minute, opened=at + 20 * minute - timedelta(hours=1))
    shop.review(1, "payer", at + 25 * minute, opened=at + 20 * minute - timedelta(hours=1))
    shop.evaluate(1)
    sim.merge(OWNER, REPO, 1, iso(at + 30 * minute))
    # 2: L2, a push, approved 30 seconds later (a rubber stamp), then merged.
    open_pull(shop, 2, file_entry("src/app.py", 20, numbered=True))
    at = shop.evaluate(2)
    shop.review(2, "backer", at + timedelta(seconds=30), opened=at + 30 / 60 * minute - 10 * minute)
    shop.evaluate(2)
    sim.merge(OWNER, REPO, 2, iso(at + 2 * minute))
    # 3: AI-assisted L2 without a generation context, approved 10 minutes after its push.
    open_pull(shop, 3, file_entry("src/other.py", 20, numbered=True), labels=["ai-assisted"])
    at = shop.evaluate(3)
    shop.review(3, "backer", at + 10 * minute, opened=at + 10 * minute - 20 * minute)
    # 4: AI-assisted L2 that keeps its generation context; no review yet.
    page = file_entry("src/page.py", 20, numbered=True)
    open_pull(shop, 4, page, labels=["ai-assisted"], body=GENERATION_CONTEXT)
    shop.evaluate(4)
    # 5: L1 documentation, merged.
    open_pull(shop, 5, file_entry("docs/guide.md", 3))
    at = shop.evaluate(5)
    sim.merge(OWNER, REPO, 5, iso(at + minute))


def run_report(shop: Shop, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fmt: str) -> Path:
    for name, value in shop.env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("REVIEW_TIERS_AUDIT_DATABASE_URL", raising=False)
    out = tmp_path / f"report.{fmt}"
    today = datetime.now(UTC).date()
    window = ["--since", str(today - timedelta(days=1)), "--until", str(today + timedelta(days=1))]
    assert main(["report", *window, "--format", fmt, "--output", str(out)]) == 0
    return out


def test_the_report_counts_what_happened(shop: Shop, monkeypatch, tmp_path) -> None:
    seed_pulls(shop)
    report = json.loads(run_report(shop, monkeypatch, tmp_path, "json").read_text())
    oldest = next(iter(shop.runtime.audit.export()))["at"]
    assert report["window"]["oldest_audit_record"] == oldest.replace("+00:00", "Z")
    assert report["window"]["before_oldest_record"] is True
    (repo,) = report["repositories"]
    week = "{}-W{:02d}".format(*datetime.fromisoformat(oldest).isocalendar()[:2])
    assert repo == {
        "repository": f"{OWNER}/{REPO}",
        "tiers": {
            "L1": {"evaluated": 1, "merged": 1},
            "L2": {"evaluated": 3, "merged": 1, "review_depth": 1.0},
            "L3": {"evaluated": 1, "merged": 1, "review_depth": 0.0},
        },
        "rubber_stamp_rate": 0.25,
        "l3_merged_without_required_approval": [
            {
                "pull_number": 1,
                "url": f"{shop.sim.url}/_html/{OWNER}/{REPO}/pull/1",
                "missing": ["architecture review"],
            }
        ],
        "invariant_touch_rate": {"money-is-integer-cents": 0.2},
        "ai_assisted_share": 0.4,
        "generation_context_coverage": 0.5,
        "time_to_first_review_seconds": {"L1": None, "L2": 900, "L3": 3600},
        "tiers_by_week": [{"week": week, "L1": 1, "L2": 3, "L3": 1}],
    }


def test_the_report_stops_under_the_rate_limit_floor(shop: Shop, monkeypatch, capsys) -> None:
    for number in (1, 2):
        open_pull(shop, number, file_entry("src/app.py", 20, numbered=True))
        shop.evaluate(number)
    shop.sim.set_rate_limit(remaining=150)
    for name, value in shop.env.items():
        monkeypatch.setenv(name, value)
    assert main(["report"]) == 1
    assert "requests left this hour, under 200" in capsys.readouterr().err
    shop.sim.set_rate_limit(remaining=5000)
    assert main(["report"]) == 0


def test_a_repository_the_app_left_is_left_out(shop: Shop, monkeypatch, tmp_path) -> None:
    open_pull(shop, 1, file_entry("src/app.py", 20, numbered=True))
    shop.evaluate(1)
    shop.runtime.audit.append({**next(iter(shop.runtime.audit.export())), "repository": "x/gone"})
    report = json.loads(run_report(shop, monkeypatch, tmp_path, "json").read_text())
    assert [r["repository"] for r in report["repositories"]] == [f"{OWNER}/{REPO}"]
    today = datetime.now(UTC).date()
    argv = ["report", "--since", str(today), "--repo", "x/gone", "--output", str(tmp_path / "g")]
    assert main(argv) == 0
    assert json.loads((tmp_path / "g").read_text())["repositories"] == []
    assert main(["report", "--repo", "nothing"]) == 1


def test_the_durable_trail_is_read_when_configured(
    shop: Shop, audit_db_url: str, monkeypatch, tmp_path
) -> None:
    redis = shop.runtime.redis
    trail = durable_trail(redis, audit_db_url)
    assert trail is not None and trail.store is not None
    shop.runtime.audit = AuditLog(redis, durable=trail)
    open_pull(shop, 1, file_entry("src/app.py", 20, numbered=True))
    shop.evaluate(1)
    shop.runtime.audit.drain()
    trail.store.close()
    redis.delete(STREAM)  # trimmed away: only the durable trail still has the record
    shop.env["REVIEW_TIERS_AUDIT_DATABASE_URL"] = audit_db_url
    for name, value in shop.env.items():
        monkeypatch.setenv(name, value)
    today = datetime.now(UTC).date()
    assert main(["report", "--since", str(today), "--output", str(tmp_path / "r")]) == 0
    (repo,) = json.loads((tmp_path / "r").read_text())["repositories"]
    assert repo["tiers"]["L2"]["evaluated"] == 1
