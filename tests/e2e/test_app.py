"""The App end to end: real signed deliveries, serve and worker processes, Redis, the simulator."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
import requests

from tests.builders import file_entry
from tests.e2e.harness import OWNER, REPO, SECRET, Processes, audit_records, payload, wait_until
from tests.ghsim import GitHubSimulator
from tests.ghsim.traffic import SECONDARY_RATE_LIMIT_BODY

pytestmark = pytest.mark.e2e


def entry(path: str, added: int, text: str = "x = 1") -> dict[str, Any]:
    return file_entry(path, added, text, numbered=True)


def evaluations(app: Processes, number: int) -> int:
    return len(audit_records(app.env["REDIS_URL"], number))


def wait_evaluations(app: Processes, number: int, count: int) -> list[dict[str, Any]]:
    wait_until(lambda: evaluations(app, number) >= count, 30, f"evaluation {count} of #{number}")
    return audit_records(app.env["REDIS_URL"], number)


def pull_event(number: int, action: str, head_sha: str, **extra: Any) -> dict[str, Any]:
    # The simulated pull requests target main unless a test says otherwise.
    fields = {"pull_request__base__ref": "main", **extra}
    return payload(
        f"pull_request.{action}",
        pull_request__number=number,
        pull_request__state="open",
        pull_request__head__sha=head_sha,
        **fields,
    )


def open_pull(
    sim: GitHubSimulator,
    app: Processes,
    number: int,
    files: list[dict[str, Any]],
    head: str | None = None,
) -> str:
    head = head or f"{number:040x}"
    sim.add_pull(
        OWNER,
        REPO,
        number,
        author="dev",
        head_sha=head,
        files=files,
        commits=[{"sha": head, "message": "Change things"}],
    )
    assert app.deliver("pull_request", pull_event(number, "opened", head)).status_code == 202
    wait_evaluations(app, number, 1)
    return head


def our_check(sim: GitHubSimulator, head: str):
    runs = [r for r in sim.check_runs(OWNER, REPO, head) if r.name == "review-tiers"]
    assert len(runs) == 1, runs
    return runs[0]


def latest_check(sim: GitHubSimulator, head: str):
    runs = [r for r in sim.check_runs(OWNER, REPO, head) if r.name == "review-tiers"]
    return max(runs, key=lambda r: r.id)


def labels(sim: GitHubSimulator, number: int) -> set[str]:
    return set(sim.pull(OWNER, REPO, number).labels)


def test_invariant_pr_gets_l3_requests_and_check(sim: GitHubSimulator, app: Processes) -> None:
    head = open_pull(sim, app, 101, [entry("billing/ledger.py", 3, "amount = float(x)")])
    assert labels(sim, 101) == {"tier/L3", "size/XS"}
    pull = sim.pull(OWNER, REPO, 101)
    assert set(pull.requested_teams) >= {"architects", "payments"}
    check = our_check(sim, head)
    assert check.status == "in_progress"
    assert "money-is-integer-cents" in check.output["summary"]
    assert "0/1 approvals" in check.output["summary"]
    assert not sim.pull(OWNER, REPO, 101).comments


def test_approvals_complete_then_push_reopens(sim: GitHubSimulator, app: Processes) -> None:
    head = open_pull(sim, app, 102, [entry("billing/ledger.py", 3, "amount = float(x)")])
    for sha in (head,):
        for ctx in ("lint", "test"):
            sim.add_check_run(OWNER, REPO, sha, ctx)
    reviews = {}
    for user in ("arch", "payer"):
        reviews[user] = sim.add_review(OWNER, REPO, 102, user, "APPROVED", commit_id=head)
        review = payload(
            "pull_request_review.submitted",
            pull_request__number=102,
            pull_request__state="open",
            pull_request__head__sha=head,
        )
        assert app.deliver("pull_request_review", review).status_code == 202
    wait_until(lambda: our_check(sim, head).conclusion == "success", 30, "a successful check")
    # A dismissed approval reopens the requirement: a new run, since a completed one stays.
    sim.dismiss_review(OWNER, REPO, 102, reviews["arch"].id)
    dismissed = payload(
        "pull_request_review.dismissed",
        pull_request__number=102,
        pull_request__state="open",
        pull_request__head__sha=head,
    )
    app.deliver("pull_request_review", dismissed)
    wait_until(lambda: latest_check(sim, head).status == "in_progress", 30, "a reopened check")
    new_head = "f" * 40
    sim.push(OWNER, REPO, 102, new_head)
    app.deliver("pull_request", pull_event(102, "synchronize", new_head))
    wait_until(lambda: [r for r in sim.check_runs(OWNER, REPO, new_head)], 30, "a new check")
    assert our_check(sim, new_head).status == "in_progress"


def test_sticky_comment_lifecycle(sim: GitHubSimulator, app: Processes) -> None:
    open_pull(sim, app, 103, [entry("src/app.py", 450)])

    def comments() -> list:
        return list(sim.pull(OWNER, REPO, 103).comments)

    assert len(comments()) == 1 and "Please split" in comments()[0].body
    first_id = comments()[0].id
    sim.push(OWNER, REPO, 103, "a" * 40, files=[entry("src/app.py", 470)])
    app.deliver("pull_request", pull_event(103, "synchronize", "a" * 40))
    wait_evaluations(app, 103, 2)
    assert [c.id for c in comments()] == [first_id] and "470" in comments()[0].body
    sim.push(OWNER, REPO, 103, "b" * 40, files=[entry("src/app.py", 20)])
    app.deliver("pull_request", pull_event(103, "synchronize", "b" * 40))
    wait_evaluations(app, 103, 3)
    assert comments() == []


def test_redelivery_and_repeat_make_no_writes(sim: GitHubSimulator, app: Processes) -> None:
    head = open_pull(sim, app, 104, [entry("src/app.py", 5)])
    before = len(sim.writes())
    event = pull_event(104, "synchronize", head)
    assert app.deliver("pull_request", event, delivery="fixed-delivery-id").status_code == 202
    wait_evaluations(app, 104, 2)
    # A replay of a delivery answered 202 (same GUID) is answered 200 and queues nothing.
    repeat = app.deliver("pull_request", event, delivery="fixed-delivery-id")
    assert repeat.json() == {"status": "ignored", "reason": "duplicate delivery"}
    # The id header is not signed: the same signed body under a new id is a replay too.
    renamed = app.deliver("pull_request", event, delivery="renamed-delivery-id")
    assert renamed.json() == {"status": "ignored", "reason": "duplicate delivery"}
    app.deliver("pull_request", event)  # another event with the same content, a new id
    records = wait_evaluations(app, 104, 3)
    assert len(sim.writes()) == before
    assert [r["actions"] for r in records[1:]] == [[], []]
    assert [r["deliveries"] for r in records].count(["fixed-delivery-id"]) == 1


def test_override_by_writer_refused_by_maintainer_honoured(
    sim: GitHubSimulator, app: Processes
) -> None:
    head = open_pull(sim, app, 105, [entry("billing/ledger.py", 3, "float(x)")])
    sim.add_label(OWNER, REPO, 105, "tier-override/L2", actor="writer")
    labeled = {"label__name": "tier-override/L2"}  # the signed delivery names the label
    app.deliver("pull_request", pull_event(105, "labeled", head, sender__login="writer", **labeled))
    wait_evaluations(app, 105, 2)
    assert "tier-override/L2" not in labels(sim, 105)
    body = sim.pull(OWNER, REPO, 105).comments[0].body
    assert "@writer" in body and "`write`" in body
    sim.add_label(OWNER, REPO, 105, "tier-override/L2", actor="lead")
    app.deliver("pull_request", pull_event(105, "labeled", head, sender__login="lead", **labeled))
    records = wait_evaluations(app, 105, 3)
    assert labels(sim, 105) >= {"tier/L2", "tier-override/L2"}
    assert "lead" in our_check(sim, head).output["summary"]
    assert records[-1]["overrides"][0]["actor"] == "lead" and records[-1]["tier"] == "L2"


def test_recheck_label_and_comment(sim: GitHubSimulator, app: Processes) -> None:
    head = open_pull(sim, app, 106, [entry("src/app.py", 5)])
    sim.add_label(OWNER, REPO, 106, "review-tiers/recheck", actor="dev")
    app.deliver("pull_request", pull_event(106, "labeled", head))
    wait_evaluations(app, 106, 2)
    wait_until(lambda: "review-tiers/recheck" not in labels(sim, 106), 10, "the label removed")
    comment = payload(
        "issue_comment.created",
        issue__number=106,
        issue__pull_request={"url": "x"},
        comment__body="/review-tiers recheck",
    )
    comment["comment"]["user"]["login"] = "dev"
    assert app.deliver("issue_comment", comment).status_code == 202
    wait_evaluations(app, 106, 3)


def test_invalid_config_fails_the_check(sim: GitHubSimulator, app: Processes) -> None:
    sim.add_repo(OWNER, "broken")
    sim.set_file(
        OWNER,
        "broken",
        "main",
        ".github/review-tiers.yml",
        "version: 1\nsize:\n  soft_limit: {lines: many}\n",
    )
    sim.add_pull(OWNER, "broken", 1, author="dev", head_sha="c" * 40, files=[entry("a.py", 1)])
    event = pull_event(
        1, "opened", "c" * 40, repository__name="broken", repository__full_name=f"{OWNER}/broken"
    )
    app.deliver("pull_request", event)
    wait_until(lambda: sim.check_runs(OWNER, "broken", "c" * 40), 30, "a check on broken")
    check = sim.check_runs(OWNER, "broken", "c" * 40)[0]
    assert check.conclusion == "failure"
    assert "size.soft_limit.lines" in check.output["summary"]
    assert "line 3" in check.output["summary"]


def test_a_burst_of_fifty_synchronize_events(sim: GitHubSimulator, app: Processes) -> None:
    head = open_pull(sim, app, 107, [entry("src/app.py", 5)])
    final = "e" * 40
    sim.push(OWNER, REPO, 107, final, files=[entry("docs/guide.md", 3)])
    event = pull_event(107, "synchronize", final)
    for _ in range(50):
        assert app.deliver("pull_request", event).status_code == 202
    wait_until(lambda: [r for r in sim.check_runs(OWNER, REPO, final)], 30, "the final check")
    wait_until(lambda: labels(sim, 107) == {"tier/L1", "size/XS"}, 30, "the final labels")
    # Let any follow-up finish before counting.
    wait_until(lambda: not app_busy(app), 30, "the queue to drain")
    assert 1 <= evaluations(app, 107) - 1 <= 2
    assert head != final


def app_busy(app: Processes) -> bool:
    from redis import Redis
    from rq import Queue

    redis = Redis.from_url(app.env["REDIS_URL"])
    queue = Queue("review-tiers", connection=redis)
    # Held and retried jobs wait in the due set, not in rq's scheduled registry.
    return bool(len(queue) or redis.zcard("rt:due") or queue.started_job_registry.count)


@pytest.mark.parametrize(
    ("headers", "body", "status"),
    [
        ({"X-Hub-Signature-256": "sha256=" + "0" * 64}, b'{"zen": "x"}', 401),
        ({"X-Hub-Signature-256": ""}, b'{"zen": "x"}', 401),
        ({"X-Hub-Signature-256": "", "X-Hub-Signature": "sha1=" + "0" * 40}, b"{}", 401),
    ],
    ids=["bad", "missing", "sha1-only"],
)
def test_bad_signatures_are_refused(app: Processes, headers, body, status) -> None:
    response = app.deliver("ping", body, headers=headers)
    assert response.status_code == status


def test_malformed_and_oversized_bodies(app: Processes) -> None:
    assert app.deliver("pull_request", b"{not json").status_code == 400
    big = b'{"pad": "' + b"x" * (25 * 1024 * 1024) + b'"}'
    response = app.deliver("pull_request", big)
    assert response.status_code == 413
    assert requests.get(f"{app.url}/healthz", timeout=5).json() == {"status": "ok"}


def test_every_log_line_is_json(app: Processes) -> None:
    lines = app.log_lines()
    assert lines
    for line in lines:
        json.loads(line)


def test_request_counts_for_a_twenty_file_pull(
    sim: GitHubSimulator, app: Processes, record_property
) -> None:
    sim.reset_log()
    files = [entry(f"src/module_{i}.py", 5) for i in range(20)]
    head = open_pull(sim, app, 108, files)
    first = traffic(sim)
    sim.reset_log()
    app.deliver("pull_request", pull_event(108, "synchronize", head))
    wait_evaluations(app, 108, 2)
    again = traffic(sim)
    record_property("first_evaluation_reads_writes", first)
    record_property("re_evaluation_reads_writes", again)
    print(f"\n20-file PR: first evaluation {first}; re-evaluation {again}")
    assert first["writes"] == 3  # check run, labels, one review request
    assert again["writes"] == 0
    assert again["reads"] <= first["reads"] <= 25


def traffic(sim: GitHubSimulator) -> dict[str, int]:
    """Reads and writes to the REST API, apart from minting installation tokens."""
    api = [r for r in sim.requests if not r.path.startswith("/app")]
    return {
        "reads": sum(1 for r in api if r.method == "GET"),
        "not_modified": sum(1 for r in api if r.status == 304),
        "writes": sum(1 for r in api if r.method != "GET"),
        "token_mints": sum(1 for r in sim.requests if r.path.startswith("/app")),
    }


def test_audit_export(sim: GitHubSimulator, app: Processes) -> None:
    open_pull(sim, app, 110, [entry("src/app.py", 2)])
    done = subprocess.run(
        [sys.executable, "-m", "bot", "audit", "export", "--since", "2000-01-01"],
        env=app.env,
        capture_output=True,
        text=True,
        check=True,
    )
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert records and all(r["deliveries"] and "tier" in r for r in records)
    assert 110 in {r["pull_number"] for r in records}
    bad = subprocess.run(
        [sys.executable, "-m", "bot", "audit", "export", "--since", "yesterday"],
        env=app.env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode == 1 and "not an ISO date" in bad.stderr


def scrape(url: str) -> dict[str, float]:
    """Prometheus text as {series: value}, summed over label sets per metric name."""
    totals: dict[str, float] = {}
    for line in requests.get(url, timeout=5).text.splitlines():
        if not line or line.startswith("#"):
            continue
        series, value = line.rsplit(" ", 1)
        name = series.split("{", 1)[0]
        totals[name] = totals.get(name, 0.0) + float(value)
    return totals


def test_metrics_cover_every_family(sim: GitHubSimulator, app: Processes) -> None:
    head = open_pull(sim, app, 109, [entry("src/app.py", 5)])
    sim.add_label(OWNER, REPO, 109, "tier-override/L1", actor="lead")
    labeled = pull_event(109, "labeled", head, sender__login="lead", label__name="tier-override/L1")
    app.deliver("pull_request", labeled)  # debounced: still queued when scraped
    web = scrape(f"http://127.0.0.1:{app.env['REVIEW_TIERS_WEB_METRICS_PORT']}/metrics")
    assert requests.get(f"{app.url}/metrics", timeout=5).status_code == 404
    assert web["review_tiers_deliveries_total"] > 0
    assert web["review_tiers_queue_depth"] > 0
    wait_evaluations(app, 109, 2)
    workers: dict[str, float] = {}
    for port in app.worker_metrics_ports:
        for name, value in scrape(f"http://127.0.0.1:{port}/metrics").items():
            workers[name] = workers.get(name, 0.0) + value
    for family in (
        "review_tiers_evaluation_seconds_count",
        "review_tiers_github_requests_total",
        "review_tiers_github_rate_limit_remaining",
        "review_tiers_tiers_decided_total",
        "review_tiers_overrides_total",
        "review_tiers_evaluations_total",
    ):
        assert workers.get(family, 0) > 0, family


def test_log_lines_carry_ids_and_no_secrets(
    sim: GitHubSimulator, app: Processes, keys: tuple[str, str]
) -> None:
    open_pull(sim, app, 111, [entry("src/app.py", 2)])
    lines = app.log_lines()
    records = [json.loads(line) for line in lines]  # every line is JSON
    in_jobs = [r for r in records if r.get("job_id")]
    assert in_jobs
    for record in in_jobs:
        for field in ("delivery_id", "installation_id", "repository", "pull_number"):
            assert record.get(field) not in (None, ""), (field, record)
    secret_parts = [SECRET, *keys[0].strip().splitlines()[1:-1]]
    tokens = [r["message"] for r in records if "ghs_" in json.dumps(r)]
    assert tokens == []
    joined = "\n".join(lines)
    assert not [part for part in secret_parts if part in joined]


def test_rate_limit_reschedules_and_then_converges(sim: GitHubSimulator, app: Processes) -> None:
    head = "d" * 40
    sim.add_pull(OWNER, REPO, 112, author="dev", head_sha=head, files=[entry("src/app.py", 4)])
    sim.inject(
        "GET",
        r"/pulls/112$",
        status=403,
        times=1,
        body=SECONDARY_RATE_LIMIT_BODY,
        headers={"retry-after": "1"},
    )
    app.deliver("pull_request", pull_event(112, "opened", head))
    wait_evaluations(app, 112, 1)  # after the re-scheduled retry
    pulls = [r for r in sim.requests if r.method == "GET" and r.path.endswith("/pulls/112")]
    assert [r.status for r in pulls][:2] == [403, 200]
    assert our_check(sim, head).status == "in_progress"
    retry_lines = [ln for ln in app.log_lines() if '"outcome": "retry"' in ln and "112" in ln]
    assert retry_lines
