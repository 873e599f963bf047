"""The web processes' shared metrics as the parent sees them while its children end one after
another (as in a crash loop): every count stays, and the files read at each scrape do not grow."""

from __future__ import annotations

import os
import threading

from bot.intake.process_metrics import SharedMetrics
from bot.ops.metrics import Metrics

QUEUED = {"event": "pull_request", "outcome": "queued"}


def run_child(shared: SharedMetrics, deliveries: int) -> int:
    """Fork a child that counts ``deliveries`` and one evaluation, and wait for it to end."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            metrics = shared.child_metrics(5.0)
            for _ in range(deliveries):
                metrics.deliveries.labels(*QUEUED.values()).inc()
            metrics.evaluation_seconds.observe(0.5)
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    return pid


def delivered(shared: SharedMetrics) -> float:
    return shared.registry.get_sample_value("review_tiers_deliveries_total", QUEUED) or 0.0


def test_a_scrape_while_a_child_creates_its_files_skips_them() -> None:
    shared = SharedMetrics(Metrics())
    try:
        pid = run_child(shared, 2)
        # A child just starting: its file exists, empty, until it sizes and maps it.
        open(os.path.join(shared.directory, f"counter_{pid + 1}.db"), "wb").close()
        assert delivered(shared) == 2
    finally:
        shared.remove()


def test_a_child_that_ended_while_starting_up_leaves_nothing_to_fold() -> None:
    shared = SharedMetrics(Metrics())
    try:
        pid = run_child(shared, 3)
        shared.process_ended(pid)
        # Stopped before it sized its file: the parent is told it ended all the same.
        open(os.path.join(shared.directory, f"counter_{pid + 1}.db"), "wb").close()
        shared.process_ended(pid + 1)
        assert delivered(shared) == 3
        assert sorted(os.listdir(shared.directory)) == ["counter_ended.db", "histogram_ended.db"]
    finally:
        shared.remove()


def test_children_that_ended_leave_their_counts_in_one_file() -> None:
    shared = SharedMetrics(Metrics())
    scraped: list[float] = []
    done = threading.Event()

    def scrape() -> None:  # the metrics port, read all along
        while not done.is_set():
            scraped.append(delivered(shared))

    scraper = threading.Thread(target=scrape)
    scraper.start()
    try:
        for number in range(1, 13):
            pid = run_child(shared, number)
            counted = delivered(shared)
            shared.process_ended(pid)
            assert delivered(shared) == counted == sum(range(1, number + 1))
        done.set()
        scraper.join(10)
        assert sorted(os.listdir(shared.directory)) == ["counter_ended.db", "histogram_ended.db"]
        get = shared.registry.get_sample_value
        assert get("review_tiers_evaluation_seconds_count") == 12
        assert get("review_tiers_evaluation_seconds_sum") == 6.0
        assert get("review_tiers_evaluation_seconds_bucket", {"le": "+Inf"}) == 12
        assert scraped == sorted(scraped), "a counter went down between two scrapes"
    finally:
        done.set()
        scraper.join(10)
        shared.remove()
