"""Metrics of several web processes served from one port: each process counts its deliveries
in files of a directory of its own (the Prometheus client's multiprocess mode) and the parent
adds them up, next to the queue depth it reads from Redis itself."""

from __future__ import annotations

import glob
import os
import shutil
import tempfile
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, values
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import Collector

from bot.ops.metrics import Metrics

DIRECTORY_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"


class SharedMetrics:
    """The parent's side: a private directory the children write to, and the registry the
    metrics port serves (the children's families, summed, and the parent's queue depth)."""

    def __init__(self, parent: Metrics) -> None:
        self.directory = tempfile.mkdtemp(prefix="review-tiers-metrics-")
        self.registry = CollectorRegistry()
        self.registry.register(parent.queue_depth)
        own = {"review_tiers_queue_depth"}  # read by the parent, not written by the children
        self.registry.register(_Children(self.directory, own))

    def child_metrics(self, rubber_stamp_minutes: float) -> Metrics:
        """In a child, after the fork: metrics whose values live in the shared directory."""
        os.environ[DIRECTORY_VARIABLE] = self.directory
        values.ValueClass = values.MultiProcessValue()  # type: ignore[no-untyped-call]
        return Metrics(rubber_stamp_minutes=rubber_stamp_minutes)

    def process_ended(self, pid: int) -> None:
        """A child's live gauges go with it; its counters still count."""
        mark_process_dead(pid, self.directory)  # type: ignore[no-untyped-call]

    def remove(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)


class _Children(Collector):
    def __init__(self, directory: str, skip: set[str]) -> None:
        self.directory = directory
        self.skip = skip

    def collect(self) -> Iterator[Metric]:
        # A child starting up creates its files empty, then sizes them: not read yet.
        paths = glob.glob(os.path.join(self.directory, "*.db"))
        files = [path for path in paths if _sized(path)]
        families = MultiProcessCollector.merge(files, accumulate=True)  # type: ignore[no-untyped-call]
        return (family for family in families if family.name not in self.skip)


def _sized(path: str) -> bool:
    try:
        return os.path.getsize(path) > 0
    except FileNotFoundError:  # a live gauge of a child that ended meanwhile
        return False
