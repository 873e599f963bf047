"""Shared pytest fixtures."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.builders import ScratchRepo, free_port, worker_index

if TYPE_CHECKING:
    from redis import Redis

    from bot.gh.client import PyGithubPort
    from tests.ghsim.simulator import GitHubSimulator


@pytest.fixture(scope="session")
def keys() -> tuple[str, str]:
    """One RSA key pair for the test App, as PEM text: (private, public)."""
    from tests.ghsim.clients import app_key_pair

    return app_key_pair()


@pytest.fixture
def scratch(tmp_path: Path) -> ScratchRepo:
    """A git repository with one commit on `main` (a README)."""
    repo = ScratchRepo(tmp_path / "repo")
    repo.write("README.md", "# project\n")
    repo.commit("initial")
    return repo


def _reachable(url: str) -> bool:
    from redis import Redis
    from redis.exceptions import RedisError

    try:
        return bool(Redis.from_url(url, socket_connect_timeout=1).ping())
    except RedisError:
        return False


@pytest.fixture(scope="session")
def redis_server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Redis: REDIS_URL, else 127.0.0.1:6379, else one started from `redis-server`.

    Never skips: tests that need Redis fail loudly when none can be had.
    """
    import os

    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379")
    if _reachable(url):
        yield url
        return
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail(f"no Redis at {url} and no redis-server binary to start one")
    port = free_port()
    workdir = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(workdir)],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while not _reachable(url):
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("redis-server did not start")
        time.sleep(0.05)
    yield url
    proc.terminate()
    proc.wait(5)


# A database of its own per test process, flushed around each test that uses it (at most four
# processes: databases 1-4; end-to-end modules use 8-11).
TEST_DB = 1 + worker_index()


@pytest.fixture
def redis_url(redis_server_url: str) -> Iterator[str]:
    from redis import Redis

    base = redis_server_url.rstrip("/")
    if base.count("/") > 2:  # the URL names a database already: use ours instead
        base = base.rsplit("/", 1)[0]
    url = f"{base}/{TEST_DB}"
    client = Redis.from_url(url)
    client.flushdb()
    yield url
    client.flushdb()
    client.close()


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[Redis]:
    from redis import Redis

    client = Redis.from_url(redis_url)
    yield client
    client.close()


@pytest.fixture(scope="session")
def audit_server_url() -> str:
    """A real PostgreSQL for the durable audit trail; never skips: unreachable is a failure."""
    import psycopg

    from tests.pgtools import reset_schema, schema_name, server_url

    url = server_url()
    try:
        reset_schema(url, schema_name(), create=False)
    except psycopg.Error as err:
        pytest.fail(f"no PostgreSQL at {url} (set REVIEW_TIERS_TEST_DATABASE_URL): {err}")
    return url


@pytest.fixture
def audit_db_url(audit_server_url: str) -> Iterator[str]:
    """A URL whose sessions work in this test process's own, empty schema; dropped after."""
    from tests.pgtools import reset_schema, schema_name, with_schema

    reset_schema(audit_server_url, schema_name())
    yield with_schema(audit_server_url, schema_name())
    reset_schema(audit_server_url, schema_name(), create=False)


@pytest.fixture
def port(
    request: pytest.FixtureRequest, sim: GitHubSimulator, keys: tuple[str, str], redis_client: Redis
) -> Iterator[PyGithubPort]:
    """The App's GitHub adapter against the module's simulator (its ``sim`` fixture), as
    installation 1 of the module's ``APP_ID``; a module may define its own ``port`` instead."""
    from bot.gh.client import PyGithubPort
    from bot.ops.settings import AppSettings

    app_id = request.module.APP_ID
    settings = AppSettings(app_id=app_id, private_key=keys[0], webhook_secret="s", api_url=sim.url)
    adapter = PyGithubPort(settings, redis_client, 1)
    yield adapter
    adapter.close()
