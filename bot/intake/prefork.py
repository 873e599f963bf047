"""Several waitress processes on one listening socket: one per core, each with waitress's own
limits (idle and half-sent connections closed, oversized bodies refused before they are read),
watched by a parent that restarts a process that died and stops them all on SIGTERM.

Python runs one thread at a time per process, so one process cannot use a second core; the
kernel hands each new connection on the shared socket to whichever process accepts it first.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import time
from collections.abc import Callable, Iterable, Mapping
from types import FrameType
from typing import Any, NoReturn

log = logging.getLogger("bot.service")

PROCESSES_VARIABLE = "REVIEW_TIERS_WEB_PROCESSES"
BACKLOG = 1024  # waitress's own default
STOP_SECONDS = 8.0  # then what is left is killed: within a 10 s termination grace period
RESTART_DELAY_SECONDS = 1.0
WAIT_SECONDS = 0.1  # how often the parent looks for a child that ended
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def cores() -> int:
    """The cores this process may run on (a container's CPU set, not the host's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def count_from(environ: Mapping[str, str], name: str, default: int) -> int:
    """A positive whole number from ``name``, else ``default``; ValueError names the variable."""
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not 1 <= int(raw) <= 256:
        raise ValueError(f"{name} must be a whole number from 1 to 256, not {raw!r}")
    return int(raw)


def listen(host: str, port: int) -> socket.socket:
    """The one listening socket every process accepts from (bound before any fork)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(BACKLOG)
    return sock


class Parent:
    """Forks ``count`` children running ``child()``, restarts those that die, stops them all
    on SIGTERM or SIGINT. ``on_exit(pid)`` runs for every child that ended.

    The parent's handlers are in place before the first fork, and SIGTERM and SIGINT are
    blocked from each fork until the new child is known: a signal then reaches every child,
    and a child never runs the parent's handler. Stopping ends within STOP_SECONDS.
    """

    def __init__(
        self, count: int, child: Callable[[], None], on_exit: Callable[[int], None]
    ) -> None:
        self.count = count
        self.child = child
        self.on_exit = on_exit
        self.pids: set[int] = set()
        self.stopping = False
        self.deadline = 0.0
        self.previous: dict[int, Any] = {}

    def start(self) -> None:
        self.previous = {sig: signal.signal(sig, self._stop) for sig in STOP_SIGNALS}
        for _ in range(self.count):
            self._fork()

    def run(self) -> None:
        """Until stopped: wait for children, replacing any that ended."""
        while self.pids and not self.stopping:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if not pid:
                time.sleep(WAIT_SECONDS)  # a signal's handler runs meanwhile
                continue
            self._ended(pid, status)
            if not self.stopping:
                time.sleep(RESTART_DELAY_SECONDS)  # a child failing at once cannot spin
                self._fork()

    def stop(self) -> None:
        """SIGTERM every child, wait up to STOP_SECONDS from the first SIGTERM, then kill what
        is left; the signal handlers in place before start() are put back."""
        self._stop(signal.SIGTERM, None)
        while self.pids and time.monotonic() < self.deadline:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid:
                self._ended(pid, status)
            else:
                time.sleep(WAIT_SECONDS)
        self._signal_all(signal.SIGKILL)
        for pid in list(self.pids):
            self._ended(*os.waitpid(pid, 0))
        for sig, handler in self.previous.items():
            signal.signal(sig, handler)

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        if not self.stopping:
            log.info("stopping %d web processes", len(self.pids))
            self.stopping = True
            self.deadline = time.monotonic() + STOP_SECONDS
            self._signal_all(signal.SIGTERM)

    def _signal_all(self, signum: int) -> None:
        for pid in list(self.pids):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signum)

    def _ended(self, pid: int, status: int) -> None:
        if pid not in self.pids:
            return
        self.pids.discard(pid)
        self.on_exit(pid)
        code = os.waitstatus_to_exitcode(status)
        if not self.stopping:
            log.error("web process %d ended (exit %d); starting another", pid, code)

    def _fork(self) -> None:
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            if self.stopping:
                return
            pid = os.fork()
            if pid == 0:
                self._be_child(mask)
            self.pids.add(pid)
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # a signal held back runs now

    def _be_child(self, mask: Iterable[int]) -> NoReturn:
        """The child's life: its own handlers first, then the signals; never returns."""
        code = 1
        try:
            for sig in STOP_SIGNALS:
                signal.signal(sig, _exit_gracefully)
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
            self.child()
            code = 0
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else 0
        except BaseException:
            log.exception("web process failed")
        finally:
            logging.shutdown()
            os._exit(code)


def _exit_gracefully(signum: int, frame: FrameType | None) -> None:
    # waitress's loop ends on SystemExit: it stops accepting, closes its sockets and gives
    # the requests it is answering a few seconds to finish.
    raise SystemExit(0)


def serve_socket(app: Any, sock: socket.socket, options: Mapping[str, Any]) -> None:
    """Run waitress on an inherited listening socket until SIGTERM."""
    from waitress.server import create_server

    server = create_server(app, sockets=[sock], **options)
    server.run()


def close_all(socks: Iterable[socket.socket]) -> None:
    for sock in socks:
        sock.close()
