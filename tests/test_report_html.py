"""The report's HTML page in headless Chromium: its charts and tables hold the JSON's numbers,
nothing on it comes from the network, and it renders at laptop size (a screenshot)."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from typing import Any

from tests.test_backtest_html import browse
from tests.test_report import Shop, run_report, seed_pulls, shop

__all__ = ["shop"]  # the fixture


class Page(HTMLParser):
    """The charts' bars (their hover text) and the summary cells of the rendered DOM."""

    def __init__(self) -> None:
        super().__init__()
        self.charts: list[list[str]] = []
        self.cells: dict[str, str] = {}
        self._key: str | None = None
        self._bar = False
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "svg" and "chart" in (named.get("class") or ""):
            self.charts.append([])
        if tag != "title":
            self._bar = tag == "rect" and named.get("class") == "bar"
        if tag in ("script", "link", "img", "iframe") or named.get("src"):
            self.external.append(tag)
        key = named.get("data-total") or named.get("data-depth")
        self._key = key if tag == "td" and key else None

    def handle_data(self, data: str) -> None:
        if self._bar:
            self.charts[-1].append(data)
            self._bar = False
        if self._key is not None:
            self.cells[self._key] = data
            self._key = None


def test_the_html_page_draws_the_json_numbers(shop: Shop, monkeypatch, tmp_path) -> None:
    seed_pulls(shop)
    report = json.loads(run_report(shop, monkeypatch, tmp_path, "json").read_text())
    page = run_report(shop, monkeypatch, tmp_path, "html")
    assert "<script" not in page.read_text()
    dom = Page()
    dom.feed(browse(page, "--dump-dom"))
    (repo,) = report["repositories"]
    weeks, depth = dom.charts
    week = repo["tiers_by_week"][0]["week"]
    assert sorted(weeks) == sorted(
        f"{week} {t}: {repo['tiers_by_week'][0][t]}" for t in ("L1", "L2", "L3")
    )
    assert depth == ["L2: 100", "L3: 0"]
    assert {k: dom.cells[k] for k in ("L2", "L3")} == {"L2": "100.0", "L3": "0.0"}
    expected: dict[str, Any] = {
        **{f"evaluated-{t}": str(c["evaluated"]) for t, c in repo["tiers"].items()},
        **{f"merged-{t}": str(c["merged"]) for t, c in repo["tiers"].items()},
        "rubber-stamp-rate": "25.0",
        "ai-assisted-share": "40.0",
        "generation-context-coverage": "50.0",
        "first-review-L1": "n/a",
        "first-review-L2": "900",
        "first-review-L3": "3600",
        "invariant-money-is-integer-cents": "20.0",
    }
    assert {k: v for k, v in dom.cells.items() if k not in ("L2", "L3")} == expected
    assert not dom.external
    shot = tmp_path / "report.png"
    browse(page, "--window-size=1366,768", f"--screenshot={shot}")
    raw = shot.read_bytes()
    assert raw[:8] == b"\x89PNG\r\n\x1a\n"
    assert (int.from_bytes(raw[16:20], "big"), int.from_bytes(raw[20:24], "big")) == (1366, 768)
    assert len(raw) > 20_000  # a blank page compresses to a few hundred bytes
