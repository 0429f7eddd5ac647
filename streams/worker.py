"""`newsmon worker`: the Faust worker running every stage, with its process pool and /metrics."""

from __future__ import annotations

import logging

import faust
from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError
from newsmon.streams.pipeline import build_pipeline

from newsmon.lag_metrics import start_lag_metrics
from newsmon.metrics import serve_metrics
from newsmon.settings import Settings

LOGGER = logging.getLogger(__name__)


def run_worker(settings: Settings, bootstrap_servers: str) -> None:
    """Run until SIGINT/SIGTERM (Faust's worker installs the handlers and exits the process when done)."""
    app, runtime = build_pipeline(settings, bootstrap_servers)
    create_changelog_topics(app, bootstrap_servers)
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


def changelog_topics(app: faust.App) -> list[NewTopic]:
    """The changelog topic of every table, as Faust would declare it (its cleanup policy, retention and the
    table's topic configs)."""
    topics = []
    for table in app.tables.values():
        changelog = table.changelog_topic
        config = {}
        policies = [
            policy for policy, on in (("compact", changelog.compacting), ("delete", changelog.deleting)) if on
        ]
        if policies:
            config["cleanup.policy"] = ",".join(policies)
        if changelog.retention:
            config["retention.ms"] = str(int(changelog.retention * 1000))
        config.update({key: str(value) for key, value in (changelog.config or {}).items()})
        topics.append(
            NewTopic(
                changelog.get_topic_name(),
                changelog.partitions or app.conf.topic_partitions,
                changelog.replicas or app.conf.topic_replication_factor,
                topic_configs=config,
            )
        )
    return topics


def create_changelog_topics(app: faust.App, bootstrap_servers: str) -> None:
    """Create the tables' changelog topics before the worker subscribes to them.

    Faust declares them itself, but only once its consumer has joined the group: on a fresh Apache Kafka the
    consumer's metadata then lacks them until its next refresh (minutes), and every table write meanwhile
    raises PartitionsMismatch ("the changelog topic has 0 partitions"), which dead-lettered the first events
    of a new deployment (seen on Kafka 3.9.1 by tests/kafka/)."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id="newsmon-worker-admin")
    try:
        existing = set(admin.list_topics())
        for topic in changelog_topics(app):
            if topic.name in existing:
                continue
            try:
                admin.create_topics([topic])
            except TopicAlreadyExistsError:
                pass  # another worker created it between list and create
    finally:
        admin.close()
