"""`newsmon worker`: the Faust worker running every stage, with its process pool and /metrics."""

from __future__ import annotations

import asyncio
import logging
import shutil
from collections.abc import Callable
from pathlib import Path

import faust
from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError
from newsmon.streams.pipeline import build_pipeline

from newsmon.broker_identity import cluster_id, lost_cluster, record_cluster
from newsmon.kafka_admin import delete_app_topics, forget_group
from newsmon.lag_metrics import start_lag_metrics
from newsmon.liveness import (
    ANSWER_BOUND_SECONDS,
    HEARTBEAT_INTERVAL_SECONDS,
    Fault,
    heartbeat_path,
    write_heartbeat,
)
from newsmon.metrics import serve_metrics
from newsmon.settings import Settings

LOGGER = logging.getLogger(__name__)

# How often a running worker asks the broker which cluster it is (a connection and one request, off the event
# loop): a new cluster, a broker that lost its data, is noticed within this.
CLUSTER_CHECK_SECONDS = 15.0


class ClusterChanged(RuntimeError):
    """The broker is no longer the cluster the worker's tables were built against."""


def tables_dir(settings: Settings) -> Path:
    """Faust's data directory: the RocksDB stores of every table, rebuilt from the changelog topics."""
    return settings.state_dir / "worker"


def _cluster_marker(settings: Settings) -> Path:
    # Beside the tables, not in them: removing the tables must not remove the record of what they were for.
    return settings.state_dir / "worker.cluster-id"


def rebuild_tables_for(
    settings: Settings, current_cluster: str, forget_broker_state: Callable[[], None]
) -> bool:
    """Remove the local table stores when they were built against another cluster (the broker lost its data:
    its changelogs are empty, and Faust would stop on every start with a ConsistencyError, finding the local
    stores ahead of them), and call `forget_broker_state` for what the worker left on the new cluster while
    it still ran on the lost one's state; returns whether it did. Faust then restores from the new cluster's
    changelogs. The new cluster is recorded last: a crash before leaves the whole rebuild to be done again."""
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
        forget_broker_state()
    record_cluster(marker, current_cluster)
    return lost is not None


def forget_broker_state(settings: Settings, bootstrap_servers: str) -> None:
    """Remove what a worker still running on a lost cluster's state left on the new one: its own topics
    (`delete_app_topics`) and its group's committed offsets, which are the lost cluster's positions and would
    make the next worker skip as many records of each partition of the new cluster (`forget_group`)."""
    delete_app_topics(settings.kafka, bootstrap_servers, settings.worker.app_id)
    stale = forget_group(
        bootstrap_servers, settings.worker.app_id, timeout=3 * settings.worker.session_timeout_seconds
    )
    if stale:
        LOGGER.warning(
            "the worker's group had offsets on the new cluster (the lost cluster's positions, committed by "
            "the worker that still ran on them): deleted, every topic is read from its beginning",
            extra={"offsets": stale},
        )


def run_worker(settings: Settings, bootstrap_servers: str) -> None:
    """Run until SIGINT/SIGTERM (Faust's worker installs the handlers and exits the process when done)."""
    current_cluster = cluster_id(bootstrap_servers)
    if current_cluster is None:
        # kafka_for waited for the broker; one that went away since is an outage, which Faust rides out.
        LOGGER.warning("broker cluster id unknown at start: local tables kept as they are")
    else:
        rebuild_tables_for(
            settings, current_cluster, lambda: forget_broker_state(settings, bootstrap_servers)
        )
    app, runtime = build_pipeline(settings, bootstrap_servers)
    if settings.worker.warm_up_pool:
        runtime.start_pool()
    create_changelog_topics(app, bootstrap_servers)
    attach_heartbeat(app, heartbeat_path(settings.state_dir))
    attach_cluster_watch(app, _cluster_marker(settings), bootstrap_servers)
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


def attach_heartbeat(app: faust.App, heartbeat: Path) -> None:
    """Write the worker's heartbeat (newsmon.liveness) every few seconds while it works: the timer runs only
    while the main event loop does, and writes only when the consumer thread answers in time and its consumer
    is a member of its group. `newsmon run` restarts a worker whose heartbeat stops. The worker logs its first
    heartbeat and each change: why it withholds it (before the first one too), and that it beats again. A
    worker restarted for silence whose log has neither line never ran the timer: Faust starts app timers only
    once its first table recovery has completed."""
    beaten = False
    fault: Fault | None = None

    async def heartbeat_while_working() -> None:
        nonlocal beaten, fault
        found = await app.consumer.liveness_fault(bound=ANSWER_BOUND_SECONDS)
        if found is not fault:
            if found is not None:
                LOGGER.warning("heartbeat withheld", extra={"reason": found.value, "beaten_before": beaten})
            elif beaten:
                LOGGER.info("the worker works again: heartbeat resumed", extra={"was": fault.value})
        fault = found
        if found is not None:
            return
        try:
            write_heartbeat(heartbeat)
        except OSError as exc:  # the state disk's fault, not the worker's: it goes on working
            LOGGER.warning("cannot write the heartbeat", extra={"path": str(heartbeat), "error": str(exc)})
            return
        if not beaten:
            LOGGER.info("first heartbeat written", extra={"path": str(heartbeat)})
        beaten = True

    app.timer(interval=HEARTBEAT_INTERVAL_SECONDS)(heartbeat_while_working)


def attach_cluster_watch(app: faust.App, marker: Path, bootstrap_servers: str) -> None:
    """Stop the worker (Faust crashes it: exit 1, nothing committed further) when the broker has become
    another cluster than the one its tables were built against, as after a restart of tansu, which keeps
    nothing. Running on, the worker would keep the lost cluster's state, among it the URL claims of the pages
    the connector publishes again, and Faust's recovery notices the loss only when a changelog offset had
    been stored before it. `newsmon run` starts the worker again; `rebuild_tables_for` rebuilds at that
    start."""

    async def stop_on_another_cluster() -> None:
        current = await asyncio.get_running_loop().run_in_executor(None, cluster_id, bootstrap_servers)
        lost = None if current is None else lost_cluster(marker, current)  # None: the broker is down
        if lost is not None:
            LOGGER.warning(
                "the broker's cluster changed under the running worker (its data is lost): stopping, to "
                "rebuild the tables at the next start",
                extra={"previous_cluster_id": lost, "cluster_id": current},
            )
            raise ClusterChanged(f"the broker is cluster {current}, the tables were built on {lost}")

    app.timer(interval=CLUSTER_CHECK_SECONDS)(stop_on_another_cluster)


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
