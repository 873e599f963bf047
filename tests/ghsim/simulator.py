"""The GitHub simulator: state, request log, fault injection and a loopback HTTP server."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from tests.ghsim.auth import Authority
from tests.ghsim.hooklog import Delivery
from tests.ghsim.openapi import Description
from tests.ghsim.seed import Seeding
from tests.ghsim.state import App, Store
from tests.ghsim.traffic import Fault, RateLimit, RequestRecord
from tests.ghsim.wsgi import make_wsgi_app

_DESCRIPTION: Description | None = None


def shared_description() -> Description:
    """Load the REST description once per process: parsing it is the slow part."""
    global _DESCRIPTION
    if _DESCRIPTION is None:
        _DESCRIPTION = Description.load()
    return _DESCRIPTION


class QuietHandler(WSGIRequestHandler):
    """Keeps the access log off stderr: ``sim.requests`` records every request instead."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


class GitHubSimulator(Seeding):
    """An in-memory GitHub REST API for one app, checked against GitHub's REST description."""

    def __init__(
        self,
        *,
        app_id: int = 4242,
        app_slug: str = "review-tiers",
        app_public_key_pem: str | None = None,
        validate_responses: bool = True,
    ) -> None:
        self.lock = threading.RLock()
        self.store = Store(App(id=app_id, slug=app_slug, name=app_slug))
        self.authority = Authority(app_id, app_public_key_pem)
        self.description = shared_description()
        self.validate_responses = validate_responses
        self.rate = RateLimit()
        self.graphql_rate = RateLimit(resource="graphql")  # GitHub's separate GraphQL budget
        self.faults: list[Fault] = []
        self.requests: list[RequestRecord] = []
        self.invalid_requests: list[tuple[str, str, list[str]]] = []
        self.invalid_responses: list[tuple[str, str, list[str]]] = []
        self.wsgi_app = make_wsgi_app(self)
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def app(self) -> App:
        return self.store.app

    @property
    def url(self) -> str:
        """Base URL to give PyGithub as ``base_url`` (no trailing slash, no path prefix)."""
        if self._server is None:
            raise RuntimeError("the simulator is not serving; call start() first")
        return f"http://127.0.0.1:{self._server.server_port}"

    def start(self) -> GitHubSimulator:
        """Serve on an ephemeral loopback port from a daemon thread."""
        self._server = make_server(
            "127.0.0.1", 0, self.wsgi_app, threaded=True, request_handler=QuietHandler
        )
        # A short poll interval keeps stop() fast; the default makes shutdown wait 0.5 s.
        server = self._server
        self._thread = threading.Thread(
            target=lambda: server.serve_forever(poll_interval=0.02), daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    @classmethod
    @contextmanager
    def serve(cls, **options: Any) -> Iterator[GitHubSimulator]:
        """``with GitHubSimulator.serve() as sim:`` runs a server for the block."""
        sim = cls(**options).start()
        try:
            yield sim
        finally:
            sim.stop()

    def issue_token(self, installation_id: int = 1) -> str:
        """An installation token without the JWT exchange, for tests that skip app auth."""
        with self.lock:
            return self.authority.issue(installation_id).token

    def inject(
        self,
        method: str | None,
        path_regex: str,
        status: int | None = 502,
        times: int = 1,
        headers: dict[str, str] | None = None,
        body: Any = None,
        delay: float = 0.0,
    ) -> Fault:
        """Make the next ``times`` matching requests fail with ``status`` (after ``delay`` s).

        With ``status=None`` the requests are only delayed, then served normally.
        """
        fault = Fault(method, re.compile(path_regex), status, times, headers or {}, body, delay)
        with self.lock:
            self.faults.append(fault)
        return fault

    def set_rate_limit(self, remaining: int, limit: int = 5000, reset_in: int = 3600) -> None:
        with self.lock:
            self.rate = RateLimit(limit=limit, remaining=remaining)
            self.rate.reset_at += reset_in - 3600

    def note_invalid(self, record: RequestRecord, problems: list[str]) -> None:
        with self.lock:
            self.invalid_requests.append((record.method, record.path, problems))

    def note_invalid_response(self, method: str, path: str, problems: list[str]) -> None:
        with self.lock:
            self.invalid_responses.append((method, path, problems))

    def count(self, method: str | None = None, path_prefix: str | None = None) -> int:
        """How many requests matched ``method`` and started with ``path_prefix``."""
        with self.lock:
            return sum(
                1
                for r in self.requests
                if (method is None or r.method == method.upper())
                and (path_prefix is None or r.path.startswith(path_prefix))
            )

    def writes(self) -> list[RequestRecord]:
        with self.lock:
            return [r for r in self.requests if r.is_write]

    def set_webhook(self, url: str, secret: str) -> None:
        """Where the App's deliveries go, and the secret that signs them."""
        self.store.hooks.target(url, secret)

    def deliver(
        self, event: str, payload: dict[str, Any] | bytes, guid: str | None = None
    ) -> Delivery:
        """Send one delivery to the webhook URL and log the attempt and its answer."""
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        return self.store.hooks.send(event, body, guid)

    def deliveries(self) -> list[Delivery]:
        """Every logged attempt, newest first, as ``GET /app/hook/deliveries`` lists them."""
        return self.store.hooks.newest_first()

    def settle_redeliveries(self, timeout: float = 15.0) -> None:
        self.store.hooks.settle(timeout)

    def reset_log(self) -> None:
        """Forget recorded requests and validation problems (state is kept)."""
        with self.lock:
            self.requests.clear()
            self.invalid_requests.clear()
            self.invalid_responses.clear()
