"""App JWTs and the installation-token cache, against the simulator and a real Redis."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import jwt
import pytest
from redis import Redis

from bot.evaluation.ports import RepoRef
from bot.gh.auth import LOCK_KEY, TOKEN_KEY, InstallationTokens, app_jwt
from bot.gh.client import make_port
from bot.ops.errors import PermanentGitHubError, TransientGitHubError
from bot.ops.settings import AppSettings
from tests.ghsim import GitHubSimulator
from tests.ghsim.clients import app_key_pair, checked_simulator

APP_ID = 4242
MINT = "/app/installations/1/access_tokens"
KEY = TOKEN_KEY.format(installation_id=1)
REPO = RepoRef(1, "acme", "widgets")


@pytest.fixture
def sim(keys: tuple[str, str]) -> Iterator[GitHubSimulator]:
    with checked_simulator(app_id=APP_ID, app_public_key_pem=keys[1]) as sim:
        sim.add_repo("acme", "widgets")
        sim.add_pull("acme", "widgets", 7, author="alice", head_sha="a" * 40)
        yield sim


@pytest.fixture
def settings(sim: GitHubSimulator, keys: tuple[str, str]) -> AppSettings:
    return AppSettings(app_id=APP_ID, private_key=keys[0], webhook_secret="s", api_url=sim.url)


def test_app_jwt_claims(keys: tuple[str, str]) -> None:
    token = app_jwt(77, keys[0], now=1_700_000_000)
    assert jwt.get_unverified_header(token)["alg"] == "RS256"
    options = {"verify_exp": False, "verify_iat": False}
    claims = jwt.decode(token, keys[1], algorithms=["RS256"], options=options)
    assert claims == {"iat": 1_700_000_000 - 60, "exp": 1_700_000_000 + 540, "iss": "77"}


def test_app_jwt_defaults_to_now(keys: tuple[str, str]) -> None:
    claims = jwt.decode(app_jwt(77, keys[0]), keys[1], algorithms=["RS256"])
    assert claims["exp"] - time.time() <= 540 and claims["exp"] - claims["iat"] == 600


def test_token_minted_once_and_shared_by_ports(
    sim: GitHubSimulator, settings: AppSettings, redis_client: Redis, redis_url: str
) -> None:
    assert make_port(settings, redis_client, 1).fetch_pull(REPO, 7).author == "alice"
    assert make_port(settings, redis_client, 1).fetch_pull(REPO, 7).author == "alice"
    # Another worker: its own Redis connection, same cache.
    with Redis.from_url(redis_url) as other:
        token = InstallationTokens(settings, other).get(1)
    assert sim.count("POST", MINT) == 1
    assert redis_client.get(KEY) == token.encode()
    assert 3290 <= redis_client.ttl(KEY) <= 3300  # an hour, less the five-minute margin


def test_token_minted_again_once_the_cache_lapses(
    sim: GitHubSimulator, settings: AppSettings, redis_client: Redis
) -> None:
    tokens = InstallationTokens(settings, redis_client)
    first = tokens.get(1)
    redis_client.delete(KEY)  # what Redis does when the TTL runs out
    second = tokens.get(1)
    assert first != second and sim.count("POST", MINT) == 2
    assert tokens.get(1) == second and sim.count("POST", MINT) == 2


def test_token_about_to_expire_is_not_cached(
    sim: GitHubSimulator, settings: AppSettings, redis_client: Redis
) -> None:
    late = InstallationTokens(settings, redis_client, clock=lambda: time.time() + 3400)
    late.get(1)
    assert redis_client.get(KEY) is None
    late.get(1)
    assert sim.count("POST", MINT) == 2


def test_waits_for_the_worker_holding_the_lock(
    sim: GitHubSimulator, settings: AppSettings, redis_client: Redis
) -> None:
    redis_client.set(LOCK_KEY.format(installation_id=1), "another worker", px=5000)
    naps: list[float] = []

    def nap(seconds: float) -> None:
        naps.append(seconds)
        if len(naps) == 2:  # the other worker finishes minting
            redis_client.set(KEY, "ghs_from_the_other_worker", ex=60)

    tokens = InstallationTokens(settings, redis_client, sleep=nap)
    assert tokens.get(1) == "ghs_from_the_other_worker"
    assert naps == [0.05, 0.05] and sim.count("POST", MINT) == 0


def test_mints_its_own_when_the_lock_holder_is_slow(
    sim: GitHubSimulator, settings: AppSettings, redis_client: Redis
) -> None:
    redis_client.set(LOCK_KEY.format(installation_id=1), "stuck worker", px=5000)
    naps: list[float] = []
    token = InstallationTokens(settings, redis_client, sleep=naps.append).get(1)
    assert token.startswith("ghs_") and len(naps) == 5 and sim.count("POST", MINT) == 1
    assert redis_client.get(LOCK_KEY.format(installation_id=1)) == b"stuck worker"


def test_refused_token_is_forgotten(
    sim: GitHubSimulator, settings: AppSettings, redis_client: Redis
) -> None:
    port = make_port(settings, redis_client, 1)
    port.fetch_pull(REPO, 7)
    sim.authority.tokens.clear()  # revoked on GitHub's side
    with pytest.raises(TransientGitHubError, match="401"):
        port.fetch_pull(REPO, 7)
    assert port.fetch_pull(REPO, 7).number == 7
    assert redis_client.get(KEY) is not None and sim.count("POST", MINT) == 2


def test_lock_is_released_after_minting(settings: AppSettings, redis_client: Redis) -> None:
    InstallationTokens(settings, redis_client).get(1)
    assert redis_client.exists(LOCK_KEY.format(installation_id=1)) == 0


def test_unknown_installation_is_permanent(
    sim: GitHubSimulator, settings: AppSettings, redis_client: Redis
) -> None:
    with pytest.raises(PermanentGitHubError, match="404"):
        InstallationTokens(settings, redis_client).get(99)


def test_wrong_key_is_refused(sim: GitHubSimulator, redis_client: Redis) -> None:
    stranger = AppSettings(
        app_id=APP_ID, private_key=app_key_pair()[0], webhook_secret="s", api_url=sim.url
    )
    with pytest.raises(PermanentGitHubError, match="401"):
        InstallationTokens(stranger, redis_client).get(1)


def test_token_and_key_never_logged(
    settings: AppSettings, redis_client: Redis, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    token = InstallationTokens(settings, redis_client).get(1)
    make_port(settings, redis_client, 1).fetch_pull(REPO, 7)
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert token not in logged
    assert settings.private_key.splitlines()[1] not in logged
