"""The Grafana dashboard: committed JSON equals the generator's output, and its queries name real metrics."""

from __future__ import annotations

import json

import newsmon.connectors.metrics  # noqa: F401 - registers the connector's metrics
import yaml
from prometheus_client import REGISTRY
from prometheus_client.metrics_core import Metric

import newsmon.metrics  # noqa: F401 - registers the stage metrics
from newsmon.lag_metrics import ConsumerLagCollector
from tests.deploy.deploy_files import (
    DASHBOARD_FILE,
    DEPLOY,
    METRIC_NAME,
    PROMETHEUS_DIR,
    dashboard_queries,
    load_generator,
)

SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_sum", "_count"), "gauge": ("",)}


def exposed_series_names() -> set[str]:
    """Names of the series newsmon's processes can expose (with no traffic, labelled metrics show none)."""
    families: list[Metric] = [*REGISTRY.collect(), *ConsumerLagCollector("unused:9092", "g", []).collect()]
    return {family.name + suffix for family in families for suffix in SUFFIXES.get(family.type, ("",))}


def test_committed_dashboard_matches_generator():
    assert DASHBOARD_FILE.read_text(encoding="utf-8") == load_generator().render(), (
        "deploy/grafana/dashboards/newsmon.json is stale: run `python deploy/grafana/generate.py`"
    )


def test_every_metric_in_queries_and_rules_exists():
    rules = (PROMETHEUS_DIR / "rules.yml").read_text(encoding="utf-8")
    used = {name for _title, expr, _instant in dashboard_queries() for name in METRIC_NAME.findall(expr)}
    used |= set(METRIC_NAME.findall(rules))
    assert used - exposed_series_names() == set()


def test_panels_read_the_datasource_variable_whose_default_is_the_provisioned_one():
    provisioned = yaml.safe_load((DEPLOY / "grafana/provisioning/datasources/prometheus.yml").read_text())
    uids = {source["uid"] for source in provisioned["datasources"]}
    board = json.loads((DEPLOY / "grafana/dashboards/newsmon.json").read_text(encoding="utf-8"))
    (variable,) = board["templating"]["list"]
    assert variable["name"] == "datasource" and variable["type"] == "datasource"
    assert variable["query"] == "prometheus" and variable["current"]["value"] in uids
    panels = [panel for panel in board["panels"] if panel["type"] != "row"]
    sources = {json.dumps(p["datasource"]) for p in panels} | {
        json.dumps(t["datasource"]) for p in panels for t in p["targets"]
    }
    assert sources == {json.dumps({"type": "prometheus", "uid": "${datasource}"})}
