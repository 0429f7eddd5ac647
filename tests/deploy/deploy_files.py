"""Paths of the deployment files and readers shared by the tests in tests/deploy."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
COMPOSE_FILE = ROOT / "docker-compose.yml"
DASHBOARD_FILE = DEPLOY / "grafana" / "dashboards" / "newsmon.json"
PROMETHEUS_DIR = DEPLOY / "prometheus"
METRIC_NAME = re.compile(r"\b(?:newsmon|process)_[a-z_]+\b")


def load_generator() -> ModuleType:
    """deploy/grafana/generate.py, which is a script rather than a package module."""
    spec = importlib.util.spec_from_file_location(
        "newsmon_dashboard_generator", DEPLOY / "grafana" / "generate.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


def panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    """Every panel with queries, rows' nested panels included."""
    found = []
    for panel in dashboard["panels"]:
        found.extend(panels(panel) if panel.get("panels") else [])
        if panel.get("targets"):
            found.append(panel)
    return found


def dashboard_queries() -> list[tuple[str, str, bool]]:
    """(panel title / refId, PromQL, instant) of every query of the committed dashboard."""
    dashboard = json.loads(DASHBOARD_FILE.read_text(encoding="utf-8"))
    return [
        (f"{panel['title']} / {target['refId']}", target["expr"], bool(target.get("instant")))
        for panel in panels(dashboard)
        for target in panel["targets"]
    ]
