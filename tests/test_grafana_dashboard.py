"""deploy/grafana/review-tiers.json: a Grafana dashboard whose every query names a metric the
App exports, with the structure Grafana needs to import it."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.ops.metrics import Metrics

DASHBOARD = Path(__file__).resolve().parent.parent / "deploy" / "grafana" / "review-tiers.json"
SUFFIXES = {
    "counter": ("_total",),
    "gauge": ("",),
    "histogram": ("_bucket", "_count", "_sum"),
    "summary": ("_count", "_sum", ""),
}
PROMQL_WORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset"}
PROMQL_WORDS |= {"and", "or", "unless", "inf", "nan"}


def exported_names() -> set[str]:
    """Every series name the App's registry (web and worker build the same one) can expose."""
    names = set()
    for family in Metrics().registry.collect():
        names |= {family.name + suffix for suffix in SUFFIXES[family.type]}
    return names


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression reads: identifiers that are not functions,
    keywords, label matchers, groupings, strings or durations."""
    expr = re.sub(r"label_values\(([^,()]+),\s*\w+\)", r"\1", expr)  # Grafana's variable query
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    expr = re.sub(r"\{[^}]*\}", "", expr)
    expr = re.sub(r"\[[^\]]*\]", "", expr)
    expr = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", expr)
    found = re.findall(r"(?<![\w:$.])([A-Za-z_:][\w:]*)(?![\w:])(?!\s*\()", expr)
    return {name for name in found if name.lower() not in PROMQL_WORDS}


def expressions(node: object) -> Iterator[str]:
    """Every ``expr`` (and query variable definition) anywhere in the dashboard."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("expr", "definition") and isinstance(value, str):
                yield value
            else:
                yield from expressions(value)
    elif isinstance(node, list):
        for item in node:
            yield from expressions(item)


def unknown_metrics(dashboard: object) -> set[str]:
    exported = exported_names()
    return {n for e in expressions(dashboard) for n in metric_names(e)} - exported


@pytest.fixture
def dashboard() -> dict[str, object]:
    data = json.loads(DASHBOARD.read_text())
    assert isinstance(data, dict)
    return data


def test_every_query_names_an_exported_metric(dashboard: dict[str, object]) -> None:
    assert len(list(expressions(dashboard))) >= 9
    assert unknown_metrics(dashboard) == set()


def test_a_panel_naming_a_missing_metric_fails(dashboard: dict[str, object]) -> None:
    panels = dashboard["panels"]
    assert isinstance(panels, list)
    panels[0]["targets"][0]["expr"] = 'sum(rate(review_tiers_no_such_total{tier="L3"}[5m]))'
    assert unknown_metrics(dashboard) == {"review_tiers_no_such_total"}


def test_names_are_read_from_promql_not_from_labels_or_functions() -> None:
    expr = (
        'sum by (tier) (increase(a_total{repository=~"x_total"}[$__rate_interval])) '
        "/ clamp_min(sum without (job) (b_bucket), 1) > bool 0"
    )
    assert metric_names(expr) == {"a_total", "b_bucket"}


def test_the_dashboard_reads_every_review_metric(dashboard: dict[str, object]) -> None:
    used = {n for e in expressions(dashboard) for n in metric_names(e)}
    for family in Metrics().review.__dict__.values():
        if hasattr(family, "_name"):
            assert f"{family._name}_total" in used


def test_structure_grafana_imports(dashboard: dict[str, object]) -> None:
    assert isinstance(dashboard["schemaVersion"], int) and dashboard["schemaVersion"] >= 36
    assert dashboard["uid"] and dashboard["title"]
    templating = dashboard["templating"]
    assert isinstance(templating, dict)
    variables = {v["name"]: v for v in templating["list"]}
    assert variables["datasource"]["type"] == "datasource"
    assert variables["datasource"]["query"] == "prometheus"
    panels = dashboard["panels"]
    assert isinstance(panels, list) and panels
    ids = [p["id"] for p in panels]
    assert len(ids) == len(set(ids))
    for panel in panels:
        grid = panel["gridPos"]
        assert {"h", "w", "x", "y"} <= grid.keys()
        assert grid["x"] + grid["w"] <= 24
        assert panel["datasource"]["uid"] == "${datasource}"
        assert panel["targets"] and all(t["expr"] and t["refId"] for t in panel["targets"])
