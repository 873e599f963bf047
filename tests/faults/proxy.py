"""A loopback HTTP proxy in front of the GitHub simulator that fails a seeded share of requests.

The workers' ``GITHUB_API_URL`` points here. Each request is, with probability ``rate``, answered
with one fault instead of being forwarded: 502, 500, a 403 secondary rate limit or a 429 (both
with ``retry-after``), a long delay before forwarding, or a dropped connection (closed without
an answer). Faults never reach the simulator, so a failed write has no effect there; a slowdown
rule delays matching requests (one pull request's, say) to keep an evaluation busy.
"""

from __future__ import annotations

import http.client
import json
import random
import re
import threading
import time
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from tests.ghsim.traffic import SECONDARY_RATE_LIMIT_BODY

KINDS = ("502", "500", "403-secondary", "429", "delay", "drop")
# Per-connection headers, and the two send_response() writes itself.
HOP_HEADERS = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "content-length", "date", "server"}
)
JSON_TYPE = "application/json; charset=utf-8"
UPSTREAM_TIMEOUT = 60.0


@dataclass
class Slowdown:
    """Requests whose path matches wait ``seconds`` before anything else happens to them."""

    path: re.Pattern[str]
    seconds: float


@dataclass(frozen=True)
class Reply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


class FaultProxy:
    """Forwards to ``upstream`` and injects faults; ``counts`` tallies what it did."""

    def __init__(
        self, upstream: str, seed: int = 0, *, delay_seconds: float = 12.0, retry_after: int = 2
    ) -> None:
        parts = urlsplit(upstream)
        if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError(f"the fault proxy forwards to loopback only, not {upstream}")
        self.upstream = (parts.hostname, parts.port or 80)
        self.delay_seconds = delay_seconds
        self.budget = 50_000  # requests; beyond it every connection is dropped
        self.retry_after = retry_after
        self.rate = 0.0
        self.kinds: tuple[str, ...] = KINDS
        self.slowdowns: list[Slowdown] = []
        self.counts: Counter[str] = Counter()
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the proxy is not serving; call start() first")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> FaultProxy:
        server = _Server(("127.0.0.1", 0), _Handler)
        server.proxy = self
        self._server = server
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def set_faults(self, rate: float, kinds: tuple[str, ...] = KINDS) -> None:
        """Fail ``rate`` (0 to 1) of the requests from now on, with kinds drawn from ``kinds``."""
        unknown = set(kinds) - set(KINDS)
        if unknown or not 0.0 <= rate <= 1.0:
            raise ValueError(f"bad fault settings: rate {rate}, unknown kinds {sorted(unknown)}")
        with self._lock:
            self.rate, self.kinds = rate, kinds

    def slow(self, path_regex: str, seconds: float) -> Slowdown:
        rule = Slowdown(re.compile(path_regex), seconds)
        with self._lock:
            self.slowdowns.append(rule)
        return rule

    def unslow(self, rule: Slowdown) -> None:
        with self._lock:
            self.slowdowns.remove(rule)

    def choose(self, path: str) -> tuple[str | None, float]:
        """The fault for one request (None: forward it) and the slowdown it waits first."""
        with self._lock:
            self.counts["requests"] += 1
            if self.counts["requests"] > self.budget:
                self.counts["over budget"] += 1
                return "drop", 0.0
            wait = sum(rule.seconds for rule in self.slowdowns if rule.path.search(path))
            kind = None
            if self.rate and self._rng.random() < self.rate:
                kind = self._rng.choice(self.kinds)
                self.counts[f"fault:{kind}"] += 1
            if wait:
                self.counts["slowed"] += 1
            return kind, wait

    def forward(self, method: str, path: str, headers: list[tuple[str, str]], body: bytes) -> Reply:
        conn = http.client.HTTPConnection(*self.upstream, timeout=UPSTREAM_TIMEOUT)
        try:
            sent = {k: v for k, v in headers if k.lower() not in HOP_HEADERS}
            conn.request(method, path, body=body or None, headers=sent)
            answer = conn.getresponse()
            payload = answer.read()
            kept = [(k, v) for k, v in answer.getheaders() if k.lower() not in HOP_HEADERS]
        finally:
            conn.close()
        with self._lock:
            self.counts["forwarded"] += 1
        return Reply(answer.status, kept, payload)

    def fault_reply(self, kind: str) -> Reply:
        """What GitHub answers in each failure; rate limits carry the wait they ask for."""
        if kind in ("403-secondary", "429"):
            body: dict[str, str] = dict(SECONDARY_RATE_LIMIT_BODY)
            extra = [("retry-after", str(self.retry_after))]
            return Reply(403 if kind == "403-secondary" else 429, extra, json.dumps(body).encode())
        message = "Bad Gateway" if kind == "502" else "Server Error"
        return Reply(int(kind), [], json.dumps({"message": message}).encode())


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    proxy: FaultProxy

    def handle_error(self, request: object, client_address: object) -> None:
        """A client that went away (a killed worker, a timeout) is part of the scenario."""
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[arg-type]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as GitHub's API serves PyGithub's session
    # A reply goes out as headers then body: with Nagle's algorithm the body waits for the
    # client's delayed ACK (about 40 ms) on a kept-alive connection, which GitHub does not add.
    disable_nagle_algorithm = True
    server: _Server

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PATCH = do_PUT = do_DELETE = do_GET

    def log_message(self, format: str, *args: object) -> None:
        return None  # the proxy's counts and the simulator's log record every request

    def _handle(self) -> None:
        proxy = self.server.proxy
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        kind, wait = proxy.choose(self.path)
        time.sleep(wait)
        if kind == "drop":
            self.close_connection = True  # closed with no status line, as a reset peer does
            return
        if kind == "delay":
            time.sleep(proxy.delay_seconds)
        if kind in (None, "delay"):
            reply = proxy.forward(self.command, self.path, list(self.headers.items()), body)
        else:
            reply = proxy.fault_reply(kind)
        self._send(reply, kind not in (None, "delay"))

    def _send(self, reply: Reply, faulted: bool) -> None:
        self.send_response(reply.status)
        for name, value in reply.headers:
            self.send_header(name, value)
        if faulted:
            self.send_header("Content-Type", JSON_TYPE)
        self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        if self.command != "HEAD" and reply.status not in (204, 304):
            self.wfile.write(reply.body)
