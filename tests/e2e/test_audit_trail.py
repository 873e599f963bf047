"""The durable audit trail end to end: real serve and worker processes write every record to
PostgreSQL, the web process's through the workers, and `audit verify` finds the chain intact."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator

import pytest
from redis import Redis

from tests.e2e.harness import Processes, audit_records, payload, wait_until
from tests.e2e.test_app import entry, open_pull
from tests.ghsim import GitHubSimulator
from tests.pgtools import reset_schema, with_schema

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def trail_url(audit_server_url: str) -> Iterator[str]:
    from tests.builders import worker_index

    schema = f"review_tiers_e2e_{worker_index()}"
    reset_schema(audit_server_url, schema)
    yield with_schema(audit_server_url, schema)
    reset_schema(audit_server_url, schema, create=False)


@pytest.fixture(scope="module")
def app_settings(trail_url: str) -> dict[str, str]:
    return {"REVIEW_TIERS_AUDIT_DATABASE_URL": trail_url}


def cli(app: Processes, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "audit", *args],
        env=app.env,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def exported(app: Processes) -> list[dict[str, object]]:
    done = cli(app, "export")
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_every_record_reaches_the_database_in_the_streams_order(
    sim: GitHubSimulator, app: Processes
) -> None:
    open_pull(sim, app, 120, [entry("src/app.py", 2)])
    closed = payload("pull_request.closed", pull_request__number=120)
    assert app.deliver("pull_request", closed).status_code == 202
    wait_until(
        lambda: [r["outcome"] for r in audit_records(app.env["REDIS_URL"], 120)][-1] == "closed",
        20,
        "the close in the stream",
    )
    # The close was queued by the web process; a worker's upkeep writes it within a sweep.
    wait_until(
        lambda: len(exported(app)) == len(audit_records(app.env["REDIS_URL"])), 40, "the trail"
    )
    assert exported(app) == audit_records(app.env["REDIS_URL"])
    assert Redis.from_url(app.env["REDIS_URL"]).llen("review-tiers:audit:pending") == 0
    done = cli(app, "verify")
    assert done.returncode == 0 and done.stdout.startswith("audit chain intact: "), done.stderr
