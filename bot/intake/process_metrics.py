"""Metrics of several web processes served from one port: each process counts its deliveries
in files of a directory of its own (the Prometheus client's multiprocess mode) and the parent
adds them up, next to the queue depth it reads from Redis itself.

When a child ends, the parent adds its counts to one file of ended processes and removes its
own files, so that a child failing again and again leaves no more files behind than one that
never ends: each scrape reads one file per live child plus one per kind of metric.
"""

from __future__ import annotations

import glob
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator

from prometheus_client import CollectorRegistry, values
from prometheus_client.metrics_core import Metric
from prometheus_client.mmap_dict import MmapedDict
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import Collector

from bot.ops.metrics import Metrics

DIRECTORY_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
# The kinds of file whose values add up across processes; a gauge's value leaves with its process.
SUMMED = ("counter", "histogram", "summary")
ENDED = "ended"  # in place of a pid: the counts of every child that ended


class SharedMetrics:
    """The parent's side: a private directory the children write to, and the registry the
    metrics port serves (the children's families, summed, and the parent's queue depth)."""

    def __init__(self, parent: Metrics) -> None:
        self.directory = tempfile.mkdtemp(prefix="review-tiers-metrics-")
        self.registry = CollectorRegistry()
        self.registry.register(parent.queue_depth)
        own = {"review_tiers_queue_depth"}  # read by the parent, not written by the children
        # Held while the files are read and while an ended child's are folded in, so that a
        # scrape never sees a count twice or not at all: counters never go down.
        self.lock = threading.Lock()
        self.registry.register(_Children(self.directory, own, self.lock))

    def child_metrics(self, rubber_stamp_minutes: float) -> Metrics:
        """In a child, after the fork: metrics whose values live in the shared directory."""
        os.environ[DIRECTORY_VARIABLE] = self.directory
        values.ValueClass = values.MultiProcessValue()  # type: ignore[no-untyped-call]
        return Metrics(rubber_stamp_minutes=rubber_stamp_minutes)

    def process_ended(self, pid: int) -> None:
        """A child's gauges go with it; its counts join those of the children that ended."""
        with self.lock:
            mark_process_dead(pid, self.directory)  # type: ignore[no-untyped-call]
            for kind in SUMMED:
                _fold(self._file(kind, str(pid)), self._file(kind, ENDED))
            for path in glob.glob(self._file("gauge_*", str(pid))):
                os.remove(path)

    def _file(self, kind: str, owner: str) -> str:
        return os.path.join(self.directory, f"{kind}_{owner}.db")

    def remove(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)


def _fold(source: str, total: str) -> None:
    """Add every value of the file ``source`` to the file ``total``, then remove ``source``."""
    if not os.path.exists(source):
        return
    if not _sized(source):  # ended while starting up: its file was never sized, holds nothing
        os.remove(source)
        return
    values_of = MmapedDict.read_all_values_from_file(source)  # type: ignore[no-untyped-call]
    into = MmapedDict(total)  # type: ignore[no-untyped-call]
    try:
        for key, value, timestamp, _ in values_of:
            summed, latest = into.read_value(key)  # type: ignore[no-untyped-call]
            into.write_value(key, summed + value, max(latest, timestamp))  # type: ignore[no-untyped-call]
    finally:
        into.close()  # type: ignore[no-untyped-call]
    os.remove(source)


class _Children(Collector):
    def __init__(self, directory: str, skip: set[str], lock: threading.Lock) -> None:
        self.directory = directory
        self.skip = skip
        self.lock = lock

    def collect(self) -> Iterator[Metric]:
        with self.lock:
            # A child starting up creates its files empty, then sizes them: not read yet.
            paths = glob.glob(os.path.join(self.directory, "*.db"))
            files = [path for path in paths if _sized(path)]
            families = MultiProcessCollector.merge(files, accumulate=True)  # type: ignore[no-untyped-call]
        return (family for family in families if family.name not in self.skip)


def _sized(path: str) -> bool:
    try:
        return os.path.getsize(path) > 0
    except FileNotFoundError:  # removed meanwhile, as the parent stops
        return False
