"""`newsmon worker`: the Faust worker running every stage, with its process pool and /metrics."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import faust
from mode.utils.times import want_seconds
from newsmon.streams.pipeline import build_pipeline

from newsmon.broker_identity import cluster_id, lost_cluster, record_cluster
from newsmon.kafka_admin import create_missing_topics, delete_app_topics
from newsmon.lag_metrics import start_lag_metrics
from newsmon.metrics import serve_metrics
from newsmon.settings import Settings

LOGGER = logging.getLogger(__name__)


def tables_dir(settings: Settings) -> Path:
    """Faust's data directory: the RocksDB stores of every table, rebuilt from the changelog topics."""
    return settings.state_dir / "worker"


def _cluster_marker(settings: Settings) -> Path:
    # Beside the tables, not in them: removing the tables must not remove the record of what they were for.
    return settings.state_dir / "worker.cluster-id"


def rebuild_tables_for(settings: Settings, current_cluster: str) -> bool:
    """Remove the local table stores when they were built against another cluster (the broker lost its data:
    its changelogs are empty, and Faust would stop on every start with a ConsistencyError, finding the local
    stores ahead of them); returns whether it did. Faust then restores from the new cluster's changelogs."""
    marker = _cluster_marker(settings)
    lost = lost_cluster(marker, current_cluster)
    if lost is not None:
        LOGGER.warning(
            "the broker is a new cluster (its data is lost): the worker's local tables are rebuilt from it",
            extra={
                "previous_cluster_id": lost,
                "cluster_id": current_cluster,
                "tables": str(tables_dir(settings)),
            },
        )
        shutil.rmtree(tables_dir(settings), ignore_errors=True)
    record_cluster(marker, current_cluster)
    return lost is not None


def declare_changelogs(app: faust.App, settings: Settings, bootstrap_servers: str) -> None:
    """Create the tables' changelog topics before Faust starts. Faust declares them itself, but Kafka
    completes a creation after answering it, and the first assignment of a worker on a fresh Kafka, made right
    after, may miss a changelog: its table then refuses every write (PartitionsMismatch, the records
    dead-lettered) until the worker restarts. Measured on a new one-box Kafka: 30 events dead-lettered in its
    first 35 s."""
    configs = {}
    for table in app.tables.values():
        topic = table.changelog_topic
        policies = [name for name, on in (("compact", topic.compacting), ("delete", topic.deleting)) if on]
        configs[topic.get_topic_name()] = {
            **({"cleanup.policy": ",".join(policies)} if policies else {}),
            **({"retention.ms": str(int(want_seconds(topic.retention) * 1000))} if topic.retention else {}),
            **(topic.config or {}),
        }
    create_missing_topics(settings.kafka, bootstrap_servers, configs, wait_seconds=30.0)


def run_worker(settings: Settings, bootstrap_servers: str) -> None:
    """Run until SIGINT/SIGTERM (Faust's worker installs the handlers and exits the process when done)."""
    current_cluster = cluster_id(bootstrap_servers)
    if current_cluster is None:
        # kafka_for waited for the broker; one that went away since is an outage, which Faust rides out.
        LOGGER.warning("broker cluster id unknown at start: local tables kept as they are")
    elif rebuild_tables_for(settings, current_cluster):
        delete_app_topics(settings.kafka, bootstrap_servers, settings.worker.app_id)
    app, runtime = build_pipeline(settings, bootstrap_servers)
    declare_changelogs(app, settings, bootstrap_servers)
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
