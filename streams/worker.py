"""`newsmon worker`: the Faust worker running every stage, with its process pool and /metrics."""

from __future__ import annotations

import logging

import faust
from newsmon.streams.pipeline import build_pipeline

from newsmon.lag_metrics import start_lag_metrics
from newsmon.metrics import serve_metrics
from newsmon.settings import Settings

LOGGER = logging.getLogger(__name__)


def run_worker(settings: Settings, bootstrap_servers: str) -> None:
    """Run until SIGINT/SIGTERM (Faust's worker installs the handlers and exits the process when done)."""
    app, runtime = build_pipeline(settings, bootstrap_servers)
    serve_metrics(settings.metrics)
    start_lag_metrics(settings, bootstrap_servers)

    @app.on_before_shutdown.connect
    async def _stop_pool(_app: faust.App, **_kwargs: object) -> None:
        runtime.shutdown()

    LOGGER.info(
        "worker starting",
        extra={
            "bootstrap_servers": bootstrap_servers,
            "processes": settings.worker.processes,
            "app_id": settings.worker.app_id,
        },
    )
    worker = faust.Worker(app, loglevel=settings.log_level, override_logging=False, quiet=True)
    # No spinner: its finish writes "\b\x1b[?25h" to stdout, terminal or not, which lands at the start of
    # the next JSON log line wherever both streams go to one file (newsmon run, a terminal).
    worker.spinner = None
    worker.execute_from_commandline()
