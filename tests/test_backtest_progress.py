"""Backtest progress on stderr: silent for a short run, a bar on a terminal, lines otherwise."""

from __future__ import annotations

import io

from bot.local.backtest_progress import ProgressReport


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def drive(stream: io.StringIO, seconds_per_change: float, total: int = 100) -> str:
    clock = Clock()
    report = ProgressReport(stream, clock)
    for done in range(1, total + 1):
        clock.now += seconds_per_change
        report.update(done, total)
    report.finish()
    return stream.getvalue()


def test_a_short_run_prints_nothing() -> None:
    assert drive(io.StringIO(), 0.01) == ""
    assert drive(Terminal(), 0.01) == ""


def test_a_long_run_into_a_file_prints_a_line_now_and_then() -> None:
    out = drive(io.StringIO(), 0.5).splitlines()
    assert out[0] == "backtest: 4/100 changes classified"  # after 2 s of silence
    assert out[-1] == "backtest: 100/100 changes classified"
    assert 5 <= len(out) <= 12  # 50 s: a line every 5 s, and the last


def test_a_long_run_on_a_terminal_redraws_one_bar() -> None:
    out = drive(Terminal(), 0.5)
    assert "\n" not in out.rstrip("\n") and out.endswith("\n")
    assert out.rsplit("\r", 1)[-1] == "[" + "#" * 30 + "] 100/100 changes 100%\n"
