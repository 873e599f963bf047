"""A private PostgreSQL schema per test, and a TCP proxy that can cut the App off from the server.

The tests use a real PostgreSQL: REVIEW_TIERS_TEST_DATABASE_URL, else the local server's `test`
database. Each test process works in a schema of its own (named after its xdist worker), dropped
after each test, so parallel processes never see each other's tables.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from urllib.parse import quote, urlsplit

import psycopg

from tests.builders import free_port, worker_index

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"


def server_url() -> str:
    return os.environ.get("REVIEW_TIERS_TEST_DATABASE_URL", DEFAULT_URL)


def schema_name() -> str:
    # The process id too: test runs of other checkouts may share the server and its database.
    return f"review_tiers_test_{worker_index()}_{os.getpid()}"


def with_schema(url: str, schema: str) -> str:
    """``url`` with every session's search path set to ``schema``."""
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}options={quote(f'-csearch_path={schema}')}"


def reset_schema(url: str, schema: str, create: bool = True) -> None:
    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        if create:
            conn.execute(f"CREATE SCHEMA {schema}")


def via(url: str, port: int) -> str:
    """``url`` pointed at 127.0.0.1:``port`` instead of its own host and port."""
    parts = urlsplit(url)
    user = f"{parts.username}@" if parts.username else ""
    return parts._replace(netloc=f"{user}127.0.0.1:{port}").geturl()


class CuttableProxy:
    """Forwards loopback TCP connections to the server until cut: a cut closes every open
    connection and refuses new ones, as a database that went away; restore listens again."""

    def __init__(self, host: str, port: int) -> None:
        self.upstream = (host, port)
        self.port = free_port()
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self._listener: socket.socket | None = None

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        listener.settimeout(0.1)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def cut(self) -> None:
        with self._lock:
            listener, self._listener = self._listener, None
            open_sockets, self._sockets = self._sockets, []
        if listener is not None:
            listener.close()
        for sock in open_sockets:
            _close(sock)

    def _accept(self, listener: socket.socket) -> None:
        while self._listener is listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            upstream = socket.create_connection(self.upstream, timeout=5)
            for sock in (client, upstream):
                sock.settimeout(None)
            with self._lock:
                self._sockets += [client, upstream]
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pump, args=(src, dst), daemon=True).start()


def _pump(src: socket.socket, dst: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while data := src.recv(65536):
            dst.sendall(data)
    _close(src)
    _close(dst)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()


def tamper(url: str, statement: str) -> None:
    """Run ``statement`` on the audit table as someone with write access who turned its
    append-only triggers off first."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ALTER TABLE review_tiers_audit DISABLE TRIGGER USER")
        conn.execute(statement.encode())
        conn.execute("ALTER TABLE review_tiers_audit ENABLE TRIGGER USER")
