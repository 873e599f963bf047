"""The backtest's HTML page as a browser shows it: headless Chromium renders the page (a
screenshot) and dumps its DOM, which must hold the charts and the same totals as the JSON."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from bot.cli import main
from tests.backtest_history import History, build_history

INSTALL = "install it with `apt-get install -y chromium` (README, Develop and test)"


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> History:
    return build_history(tmp_path_factory.mktemp("history") / "repo")


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.fail(f"headless Chromium is needed to check the HTML page: {INSTALL}")
    return found


def browse(page: Path, *flags: str) -> str:
    cmd = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    done = subprocess.run(
        [*cmd, *flags, page.as_uri()], capture_output=True, text=True, timeout=180, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


class Page(HTMLParser):
    """What the test reads from the rendered DOM: charts, their bars, totals and tables."""

    def __init__(self) -> None:
        super().__init__()
        self.charts: list[list[str]] = []  # the hover text of each bar, per chart
        self.totals: dict[str, int] = {}
        self.sizes: dict[str, int] = {}
        self.external: list[str] = []
        self._cell: tuple[str, str] | None = None
        self._bar = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "svg" and "chart" in (named.get("class") or ""):
            self.charts.append([])
        if tag != "title":  # a bar's hover text is the <title> inside its <rect>
            self._bar = tag == "rect" and named.get("class") == "bar"
        if tag in ("script", "link", "img", "iframe") or named.get("src"):
            self.external.append(tag)
        if tag == "td" and "data-total" in named:
            self._cell = ("total", named["data-total"] or "")
        if tag == "td" and "data-size" in named:
            self._cell = ("size", named["data-size"] or "")

    def handle_data(self, data: str) -> None:
        if self._bar:
            self.charts[-1].append(data)
            self._bar = False
        if self._cell is not None:
            kind, key = self._cell
            (self.totals if kind == "total" else self.sizes)[key] = int(data)
            self._cell = None


def render(history: History, capsys, tmp_path: Path, *extra: str) -> tuple[dict, Path]:
    root = str(history.repo.root)
    assert main(["backtest", "--repo", root, "--format", "json", *extra]) == 0
    result = json.loads(capsys.readouterr().out)
    page = tmp_path / "backtest.html"
    assert (
        main(["backtest", "--repo", root, "--format", "html", "--output", str(page), *extra]) == 0
    )
    return result, page


def test_the_page_renders_charts_and_the_json_totals(history: History, capsys, tmp_path) -> None:
    result, page = render(history, capsys, tmp_path)
    dom = Page()
    dom.feed(browse(page, "--dump-dom"))
    summary = result["summary"]
    tier_mix, sizes = dom.charts
    assert _per_series(tier_mix) == {
        **{tier: n for tier, n in summary["tiers"].items() if n},
        "none": summary["invalid_config"],
    }
    assert _per_series(sizes) == summary["sizes"]
    assert dom.totals == {
        "changes": summary["changes"],
        **{f"tier-{tier}": n for tier, n in summary["tiers"].items()},
        "invalid-config": summary["invalid_config"],
        "ai-assisted": summary["ai_assisted"],
    }
    assert dom.sizes == summary["sizes"]
    assert not dom.external


def _per_series(tips: list[str]) -> dict[str, int]:
    """Sum the bars' "<period> <series>: <count>" (or "<series>: <count>") by series."""
    out: dict[str, int] = {}
    for tip in tips:
        label, count = tip.rsplit(": ", 1)
        series = label.split()[-1]
        out[series] = out.get(series, 0) + int(count)
    return out


def test_the_page_needs_nothing_from_the_network(history: History, capsys, tmp_path) -> None:
    _, page = render(history, capsys, tmp_path)
    text = page.read_text()
    assert "<script" not in text
    assert re.findall(r"https?://[^\"' ]+", text) == ["http://www.w3.org/2000/svg"] * 2


def test_a_screenshot_at_laptop_size(history: History, capsys, tmp_path) -> None:
    _, page = render(history, capsys, tmp_path)
    shot = tmp_path / "backtest.png"
    browse(page, "--window-size=1366,768", f"--screenshot={shot}")
    raw = shot.read_bytes()
    assert raw[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(raw[16:20], "big"), int.from_bytes(raw[20:24], "big")
    assert (width, height) == (1366, 768)
    assert len(raw) > 20_000  # a blank page compresses to a few hundred bytes


def test_an_empty_window_is_a_page_that_says_so(history: History, capsys, tmp_path) -> None:
    result, page = render(history, capsys, tmp_path, "--since", "2031-01-01")
    assert result["changes"] == []
    dom = Page()
    dom.feed(browse(page, "--dump-dom"))
    assert dom.charts == [] and dom.totals["changes"] == 0
    assert "No changes in the window" in page.read_text()
