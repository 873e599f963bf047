"""Progress of a long backtest on stderr: a bar on a terminal, else a line now and then.

Nothing is shown for a window that takes less than ``quiet`` seconds, so short runs and
pipelines stay silent.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

BAR_WIDTH = 30


class ProgressReport:
    def __init__(
        self,
        stream: TextIO,
        clock: Callable[[], float] = time.monotonic,
        quiet: float = 2.0,
        every: float = 5.0,
    ) -> None:
        self._stream, self._clock = stream, clock
        self._start = clock()
        self._quiet, self._every = quiet, every
        self._tty = stream.isatty()
        self._last: float | None = None
        self._shown = False

    def update(self, done: int, total: int) -> None:
        now = self._clock()
        if now - self._start < self._quiet:
            return
        gap = 0.1 if self._tty else self._every
        if self._last is not None and now - self._last < gap and done < total:
            return
        self._last, self._shown = now, True
        if self._tty:
            self._stream.write("\r" + _bar(done, total))
        else:
            self._stream.write(f"backtest: {done}/{total} changes classified\n")
        self._stream.flush()

    def finish(self) -> None:
        if self._shown and self._tty:
            self._stream.write("\n")
            self._stream.flush()


def _bar(done: int, total: int) -> str:
    share = done / total if total else 1.0
    filled = int(share * BAR_WIDTH)
    return f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total} changes {share:4.0%}"
