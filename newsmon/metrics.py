"""Pipeline metrics shared by the stream stages and the sinks, and the per-process /metrics endpoint.

Every metric, its labels and their bounded value sets are listed in deploy/METRICS.md; a label value is always
one of a set the code defines (stage names, error reasons, the record enums, configured sink names), never a
URL, key or free text. The connector's own metrics live in connectors/metrics.py, the consumer-lag collector
in newsmon/lag_metrics.py. Process metrics (CPU, memory, file descriptors) come from prometheus_client's
default process collector, registered on the default registry that serve_metrics exposes.
"""

from __future__ import annotations

import logging

from prometheus_client import Counter, Histogram, start_http_server

from newsmon.faults import FAULTS
from newsmon.records import WIRE_RECORDS
from newsmon.settings import MetricsSettings

LOGGER = logging.getLogger(__name__)

RECORDS_IN = Counter("newsmon_stage_records_in_total", "Records a stage consumed.", ["stage"])
RECORDS_OUT = Counter("newsmon_stage_records_out_total", "Records a stage produced.", ["stage"])
STAGE_ERRORS = Counter(
    "newsmon_stage_errors_total", "Records a stage could not process.", ["stage", "reason"]
)
DEAD_LETTERS = Counter(
    "newsmon_dead_letters_total", "Records sent to the dead-letter topic.", ["stage", "reason"]
)
PROCESSING_SECONDS = Histogram(
    "newsmon_stage_processing_seconds",
    "Time a stage spent on one record.",
    ["stage"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
# The dedup ratio is DUPLICATES by method over RECORDS_IN{stage="dedup_url"} (every article enters dedup
# there).
DUPLICATES = Counter("newsmon_dedup_duplicates_total", "Articles found to be copies.", ["method"])
EVENTS_EXTRACTED = Counter("newsmon_events_extracted_total", "Events extracted.", ["type", "status", "lang"])
# `type` decides the alert topic one-to-one (commitment → alerts.commitments, sanction → alerts.sanctions).
ALERTS_EMITTED = Counter("newsmon_alerts_emitted_total", "Alerts published.", ["kind", "type"])
FETCH_TO_ALERT_SECONDS = Histogram(
    "newsmon_fetch_to_alert_seconds",
    "Seconds from page fetched to alert published.",
    buckets=(0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 300.0),
)
# Sinks deliver alerts outside Kafka; `sink` is the configured sink's name, `outcome` one of delivered,
# failed (gave up: the alert goes to the dead-letter topic) or rejected (the receiver refused it for good).
SINK_DELIVERIES = Counter(
    "newsmon_sink_deliveries_total", "Alert deliveries by a sink, by final outcome.", ["sink", "outcome"]
)
SINK_RETRIES = Counter(
    "newsmon_sink_retries_total", "Delivery attempts a sink repeated after a failure.", ["sink"]
)
# The size policy (newsmon.limits): `kind` is a record kind (raw_page, article, event, alert, dead_letter, and
# the internal hops' records), `outcome` is truncated (cut to its kind's cap, then sent) or dead_lettered (too
# large even when cut: never produced, a reference to it goes to the dead-letter topic).
OVERSIZE_RECORDS = Counter(
    "newsmon_oversize_records_total",
    "Records above their size cap, by kind and outcome.",
    ["kind", "outcome"],
)
OVERSIZE_OUTCOMES = ("truncated", "dead_lettered")
# Faults of the environment (newsmon.faults): the stage (or `connector`) held its work and tried again later;
# they never dead-letter a record. A rate above zero is a health failure: a full disk, a broker away.
ENVIRONMENT_FAULTS = Counter(
    "newsmon_environment_faults_total",
    "Faults of the environment met by a stage: state store, Kafka, OS, serialization of our own output.",
    ["stage", "fault"],
)


def initialise_stage(stage: str) -> None:
    """Create a stage's series at zero when it starts, before its first record: a counter first scraped at its
    final value shows no increase, so a short burst would leave every rate() at 0."""
    RECORDS_IN.labels(stage)
    RECORDS_OUT.labels(stage)
    PROCESSING_SECONDS.labels(stage)
    initialise_faults(stage)


def initialise_faults(stage: str) -> None:
    """The environment-fault series of a stage (or of the connector) at zero."""
    for fault in FAULTS:
        ENVIRONMENT_FAULTS.labels(stage, fault)


def initialise_size_policy() -> None:
    """The oversize series of every public record kind at zero (once per process that produces records)."""
    for kind in WIRE_RECORDS:
        for outcome in OVERSIZE_OUTCOMES:
            OVERSIZE_RECORDS.labels(kind, outcome)


def serve_metrics(settings: MetricsSettings) -> None:
    """Serve this process's /metrics (no-op when the port is 0)."""
    if settings.port == 0:
        return
    start_http_server(settings.port, addr=settings.host)
    LOGGER.info("metrics endpoint up", extra={"url": f"http://{settings.host}:{settings.port}/metrics"})
