"""The pipeline: raw-pages → clean → articles → dedup → articles.deduped → extract → events → alerts.

Each stage's agent module exposes `install(runtime)`, which builds its named agent (a class holding the
stage's topics, tables and steps, e.g. `CleanAgent`) and attaches its `process` method to the app.
"""

from __future__ import annotations

import faust
from newsmon.streams.alerts import agent as alerts_agent
from newsmon.streams.app import create_app
from newsmon.streams.clean import agent as clean_agent
from newsmon.streams.dedup import agent as dedup_agent
from newsmon.streams.extract import agent as extract_agent
from newsmon.streams.runtime import StageRuntime

from newsmon.settings import Settings

STAGES = (clean_agent, dedup_agent, extract_agent, alerts_agent)


def build_pipeline(settings: Settings, bootstrap_servers: str) -> tuple[faust.App, StageRuntime]:
    app = create_app(settings, bootstrap_servers)
    runtime = StageRuntime(app, settings)
    for stage in STAGES:
        stage.install(runtime)
    return app, runtime
