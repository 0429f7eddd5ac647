"""The pipeline: raw-pages → clean → articles → dedup → articles.deduped → extract → events → alerts.

Each stage package exposes `install(runtime)`, which attaches its agents and tables to the app.
"""

from __future__ import annotations

import faust

from newsmon.settings import Settings
from streams.alerts import agent as alerts_agent
from streams.app import create_app
from streams.clean import agent as clean_agent
from streams.dedup import agent as dedup_agent
from streams.extract import agent as extract_agent
from streams.runtime import StageRuntime

STAGES = (clean_agent, dedup_agent, extract_agent, alerts_agent)


def build_pipeline(settings: Settings, bootstrap_servers: str) -> tuple[faust.App, StageRuntime]:
    app = create_app(settings, bootstrap_servers)
    runtime = StageRuntime(app, settings)
    for stage in STAGES:
        stage.install(runtime)
    return app, runtime
