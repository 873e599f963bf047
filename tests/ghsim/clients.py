"""Clients for tests that talk to a running simulator: PyGithub, raw HTTP and an app key pair."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import github
import requests
from cryptography.hazmat.primitives import serialization as ser
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.ghsim.simulator import GitHubSimulator


def pygithub(sim: GitHubSimulator, auth: github.Auth.Auth | None = None) -> github.Github:
    """PyGithub pointed at ``sim`` with an installation token unless ``auth`` is given."""
    # PyGithub sleeps 0.25 s between requests and 1 s between writes, and retries 5xx with
    # back-off, unless told otherwise; lazy objects skip GETs (e.g. of a commit) not described.
    return github.Github(
        auth=auth or github.Auth.Token(sim.issue_token()),
        base_url=sim.url,
        retry=None,
        seconds_between_requests=0,
        seconds_between_writes=0,
        per_page=100,
        lazy=True,
    )


def raw(sim: GitHubSimulator, method: str, path: str, **kwargs: Any) -> requests.Response:
    """One HTTP request to ``sim`` with a fresh installation token; ``kwargs`` go to requests."""
    headers = {"Authorization": f"token {sim.issue_token()}", **kwargs.pop("headers", {})}
    return requests.request(method, f"{sim.url}{path}", headers=headers, timeout=5, **kwargs)


def app_key_pair() -> tuple[str, str]:
    """A fresh RSA key pair for a test app, as PEM text: (private, public)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(ser.Encoding.PEM, ser.PrivateFormat.PKCS8, ser.NoEncryption())
    public = key.public_key().public_bytes(ser.Encoding.PEM, ser.PublicFormat.SubjectPublicKeyInfo)
    return private.decode(), public.decode()


@contextmanager
def checked_simulator(**options: Any) -> Iterator[GitHubSimulator]:
    """A serving simulator that fails the test if any request or reply broke the description.

    Tests that send invalid requests on purpose clear the lists after checking them.
    """
    with GitHubSimulator.serve(**options) as sim:
        yield sim
        assert sim.invalid_requests == [], sim.invalid_requests
        assert sim.invalid_responses == [], sim.invalid_responses
