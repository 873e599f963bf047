"""How the webhook server runs: waitress limits that idle or oversized requests cannot exhaust."""

from __future__ import annotations

import logging
import resource
from collections.abc import Mapping
from typing import Any

from bot.intake.web import MAX_BODY_BYTES

log = logging.getLogger("bot.service")

# Far above what GitHub opens at once, so idle or half-sent connections cannot fill the server.
CONNECTION_LIMIT = 1000
# A connection that sends nothing for this long is closed, whether it is between requests or
# stuck halfway through one (GitHub sends a whole delivery at once).
IDLE_TIMEOUT_SECONDS = 10
# How often idle connections are looked for: they close at most this much after the timeout.
CLEANUP_INTERVAL_SECONDS = 2
# A waitress channel holds its socket and, for a body or an answer too big for memory, up to
# two temporary files; the rest is headroom for Redis connections, the metrics server and logs.
FDS_PER_CONNECTION = 3
FD_RESERVE = 64
MAX_HEADER_BYTES = 64 * 1024  # GitHub's headers take a few hundred bytes
WORKER_THREADS = 8
MIN_THREADS = 2  # one answering while another waits on Redis
THREADS_VARIABLE = "REVIEW_TIERS_WEB_THREADS"


def server_options(processes: int = 1, environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Keyword arguments for ``waitress.serve``, for each of ``processes`` processes.

    The threads are shared out: fewer threads per process hand requests over faster (waitress
    queues each request for a thread, and every thread contends for the one interpreter).
    """
    threads = max(MIN_THREADS, WORKER_THREADS // processes)
    raw = (environ or {}).get(THREADS_VARIABLE, "").strip()
    if raw:
        if not raw.isdigit() or not 1 <= int(raw) <= 256:
            raise ValueError(
                f"{THREADS_VARIABLE} must be a whole number from 1 to 256, not {raw!r}"
            )
        threads = int(raw)
    # waitress warns each time a request waits for a thread: under load that is most of them.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    return {
        "threads": threads,
        "ident": "review-tiers",
        "connection_limit": connection_limit(),
        "channel_timeout": IDLE_TIMEOUT_SECONDS,
        "cleanup_interval": CLEANUP_INTERVAL_SECONDS,
        # waitress refuses a declared length >= this as soon as the headers are in, and stops
        # reading a chunked body once it reaches it: either way a 413 before the body is read.
        "max_request_body_size": MAX_BODY_BYTES + 1,
        "max_request_header_size": MAX_HEADER_BYTES,
        # select() cannot watch descriptors above 1024; poll() can.
        "asyncore_use_poll": True,
    }


def connection_limit() -> int:
    """CONNECTION_LIMIT, or fewer when the process cannot open enough file descriptors."""
    wanted = CONNECTION_LIMIT * FDS_PER_CONNECTION + FD_RESERVE
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        # Any process may raise its soft limit up to the hard one.
        ceiling = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (ceiling, hard))
        soft = ceiling
    if soft == resource.RLIM_INFINITY or soft >= wanted:
        return CONNECTION_LIMIT
    limit = max(1, (soft - FD_RESERVE) // FDS_PER_CONNECTION)
    log.warning(
        "open file limit %d allows only %d webhook connections (wanted %d); raise ulimit -n",
        soft,
        limit,
        CONNECTION_LIMIT,
    )
    return limit
