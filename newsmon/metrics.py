"""Pipeline metrics shared by the stream stages, and the per-process /metrics endpoint.

Labels are bounded: `stage` is one of the stage names, `reason` one of the error reasons the code defines,
`type`/`status`/`lang`/`kind` are the record enums. The connector's own metrics live in connectors/metrics.py.
"""

from __future__ import annotations

import logging

from prometheus_client import Counter, Histogram, start_http_server

from newsmon.settings import MetricsSettings

LOGGER = logging.getLogger(__name__)

RECORDS_IN = Counter("newsmon_stage_records_in_total", "Records a stage consumed.", ["stage"])
RECORDS_OUT = Counter("newsmon_stage_records_out_total", "Records a stage produced.", ["stage"])
STAGE_ERRORS = Counter("newsmon_stage_errors_total", "Records a stage could not process.", ["stage", "reason"])
DEAD_LETTERS = Counter("newsmon_dead_letters_total", "Records sent to the dead-letter topic.", ["stage", "reason"])
PROCESSING_SECONDS = Histogram(
    "newsmon_stage_processing_seconds", "Time a stage spent on one record.", ["stage"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
DUPLICATES = Counter("newsmon_dedup_duplicates_total", "Articles found to be copies.", ["method"])
EVENTS_EXTRACTED = Counter("newsmon_events_extracted_total", "Events extracted.", ["type", "status", "lang"])
ALERTS_EMITTED = Counter("newsmon_alerts_emitted_total", "Alerts published.", ["kind", "type"])
FETCH_TO_ALERT_SECONDS = Histogram(
    "newsmon_fetch_to_alert_seconds", "Seconds from page fetched to alert published.",
    buckets=(0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0),
)


def serve_metrics(settings: MetricsSettings) -> None:
    """Serve this process's /metrics (no-op when the port is 0)."""
    if settings.port == 0:
        return
    start_http_server(settings.port, addr=settings.host)
    LOGGER.info("metrics endpoint up", extra={"url": f"http://{settings.host}:{settings.port}/metrics"})
