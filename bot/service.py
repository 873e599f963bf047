"""Start the App's processes: the webhook server and the rq worker, after start-up checks."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from redis import Redis
from redis.exceptions import RedisError

from bot.intake.deliveries import DeliveryBatch, accept
from bot.ops.audit import AuditLog
from bot.ops.errors import SettingsError
from bot.ops.logs import configure_logging
from bot.ops.metrics import Metrics
from bot.ops.redaction import redact_url, register_secret
from bot.ops.settings import AppSettings
from bot.state.queueing import QUEUE_NAME, Dispatcher
from bot.state.requests import Request
from bot.worker.runtime import Runtime, install
from bot.worker.workers import ContextWorker, supervise

log = logging.getLogger("bot.service")

if TYPE_CHECKING:
    from bot.intake.process_metrics import SharedMetrics


class StartupError(RuntimeError):
    """The process cannot start; the message is one line for the operator."""


def load_settings(environ: Mapping[str, str]) -> AppSettings:
    try:
        settings = AppSettings.from_env(environ)
    except SettingsError as err:
        raise StartupError(str(err)) from err
    for secret in settings.webhook_secrets:  # redacted by value from every output
        register_secret(secret)
    return settings


def redis_client(url: str) -> Redis:
    """A client of every process: connects within 3 s, checks an idle connection before use."""
    return Redis.from_url(url, socket_connect_timeout=3, health_check_interval=30)


def connect_redis(url: str) -> Redis:
    redis = redis_client(url)
    try:
        redis.ping()
    except RedisError as err:
        raise StartupError(f"Redis is unreachable at {redact_url(url)}: {err}") from err
    return redis


def make_intake(
    dispatcher: Dispatcher, audit_database_url: str = "", metrics: Metrics | None = None
) -> Callable[[str, str, Sequence[Request]], bool]:
    """The web process's queue writer: all requests of one delivery (its id, the SHA-256 of its
    signed body, its requests) are queued together with its grant claims and replay records, in
    one transaction; False, and nothing written, when the delivery was recorded before.

    A lifecycle delivery (a close, an installation's change) purges state once recorded, so a
    replay of an old close cannot purge a reopened pull request's events. Its audit records
    wait in Redis for the workers to write them to the durable trail, when one is configured.
    """
    from bot.ops.audit_pending import durable_trail
    from bot.state.lifecycle import end_state

    trail = durable_trail(dispatcher.redis, audit_database_url, writes=False)
    audit = AuditLog(dispatcher.redis, durable=trail)

    def intake(delivery_id: str, body_sha256: str, requests: Sequence[Request]) -> bool:
        batch = DeliveryBatch(delivery_id, body_sha256)
        for req in requests:
            batch.add(req)
        fresh = accept(dispatcher, batch)
        if fresh:
            for req in batch.endings:
                end_state(dispatcher, audit, req, metrics.review if metrics else None)
        return fresh

    return intake


def make_ready(redis: Redis) -> Callable[[], bool]:
    def ready() -> bool:
        try:
            return bool(redis.ping())
        except RedisError:
            return False

    return ready


def serve(host: str, port: int, environ: Mapping[str, str] = os.environ) -> None:
    """`review-tiers serve`: the intake under waitress in one process per core (see
    bot.intake.prefork), its metrics on a port of their own.

    REVIEW_TIERS_WEB_PROCESSES sets the number of processes (default: the cores this process
    may use); 1 serves from this very process. REVIEW_TIERS_WEB_THREADS sets the threads of
    each (default: WORKER_THREADS shared out between the processes, at least 2).
    """
    from bot.intake import prefork
    from bot.intake.serving import server_options

    settings = load_settings(environ)
    configure_logging(settings.log_level)
    redis = connect_redis(settings.redis_url)
    try:
        processes = prefork.count_from(environ, prefork.PROCESSES_VARIABLE, prefork.cores())
        options = server_options(processes, environ)
    except ValueError as err:
        raise StartupError(str(err)) from err
    dispatcher = Dispatcher(redis, settings.debounce_seconds)
    metrics = Metrics(rubber_stamp_minutes=settings.rubber_stamp_minutes)
    metrics.track_queue(dispatcher.depth)
    log.info(
        "serving webhooks on %s:%d with %d process(es)",
        host,
        port,
        processes,
        extra={"server": options},
    )
    if processes == 1:
        app = _web_app(settings, dispatcher, metrics)
        if settings.web_metrics_port:
            _serve_metrics(metrics, settings.web_metrics_port, "REVIEW_TIERS_WEB_METRICS_PORT")
        from waitress import serve as waitress_serve

        waitress_serve(app, host=host, port=port, **options)
        return
    _serve_processes(settings, prefork.listen(host, port), processes, options, metrics)


def _serve_processes(
    settings: AppSettings, sock: Any, processes: int, options: dict[str, Any], parent: Metrics
) -> None:
    """Fork the web processes onto ``sock``; this process serves their summed metrics."""
    from bot.intake.prefork import Parent, serve_socket
    from bot.intake.process_metrics import SharedMetrics

    shared = SharedMetrics(parent)

    def child() -> None:
        redis = redis_client(settings.redis_url)  # no ping: /readyz reports an absent Redis
        dispatcher = Dispatcher(redis, settings.debounce_seconds)
        metrics = shared.child_metrics(settings.rubber_stamp_minutes)
        serve_socket(_web_app(settings, dispatcher, metrics), sock, options)

    workers = Parent(processes, child, shared.process_ended)
    try:
        workers.start()  # the socket stays open here too: a replacement process needs it
        if settings.web_metrics_port:
            _serve_metrics(shared, settings.web_metrics_port, "REVIEW_TIERS_WEB_METRICS_PORT")
        workers.run()
    finally:
        workers.stop()
        shared.remove()


def _web_app(settings: AppSettings, dispatcher: Dispatcher, metrics: Metrics) -> Any:
    from bot.intake.web import create_app

    intake = make_intake(dispatcher, settings.audit_database_url, metrics)
    return create_app(settings, intake, make_ready(dispatcher.redis), metrics)


def work(burst: bool, environ: Mapping[str, str] = os.environ) -> None:
    """`review-tiers worker`: an rq worker, plus the thread that moves due jobs to the queue
    and re-queues stuck pull requests, and the one that mints installation tokens ahead of
    expiry (every worker runs them; none is special).

    Jobs run in the worker's own process (rq's SimpleWorker, no fork per job), so its
    metrics and its HTTP connections live as long as the worker. The worker stays up while
    Redis is away and carries on once it is back.
    """
    from rq import Queue

    from bot.worker.recovery import start_recovery  # PyGithub: only workers need it
    from bot.worker.scheduling import TokenRefresher, Upkeep

    settings = load_settings(environ)
    configure_logging(settings.log_level)
    redis = connect_redis(settings.redis_url)
    warn_on_app_identity(settings)
    runtime = Runtime.build(settings, redis)
    install(runtime)
    if settings.metrics_port:
        _serve_metrics(runtime.metrics, settings.metrics_port, "REVIEW_TIERS_METRICS_PORT")
    upkeep = Upkeep(runtime.dispatcher, chores=(runtime.audit.drain,))
    tokens = TokenRefresher()
    if burst:
        upkeep.once()
    else:
        upkeep.start()
        tokens.start()
        start_recovery(settings, runtime.dispatcher, runtime.metrics.observe_request)

    def make_worker() -> ContextWorker:
        worker = ContextWorker([Queue(QUEUE_NAME, connection=redis)], connection=redis)
        log.info("worker %s listening on queue %s", worker.name, QUEUE_NAME)
        return worker

    supervise(make_worker, burst, settings.log_level)
    upkeep.stopped.set()
    tokens.stopped.set()


def warn_on_app_identity(settings: AppSettings) -> None:
    """Log a warning when GitHub knows the App by another slug, or could not be asked."""
    from bot.gh.identity import check_app_identity

    warning = check_app_identity(settings)
    if warning is not None:
        log.warning(warning)


def _serve_metrics(metrics: Metrics | SharedMetrics, port: int, variable: str) -> None:
    from prometheus_client import start_http_server

    try:
        start_http_server(port, registry=metrics.registry)
    except OSError as err:
        raise StartupError(
            f"cannot serve metrics on port {port}: {err.strerror}; give each process on a "
            f"host its own {variable} (0 turns it off)"
        ) from err


def run_or_exit(func: Callable[..., None], *args: object) -> int:
    try:
        func(*args)
    except StartupError as err:
        print(f"review-tiers: {err}", file=sys.stderr)
        return 1
    return 0
