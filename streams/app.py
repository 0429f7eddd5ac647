"""Builds the Faust app from the settings, and nothing else: stages attach their agents in
streams.pipeline."""

from __future__ import annotations

import faust
from newsmon.streams.consumer import Transport

from newsmon.broker import is_embedded_broker
from newsmon.settings import Settings


def create_app(settings: Settings, bootstrap_servers: str) -> faust.App:
    worker = settings.worker
    app = faust.App(
        worker.app_id,
        broker=[f"kafka://{server}" for server in bootstrap_servers.split(",")],
        store="rocksdb://",
        datadir=str(settings.state_dir / "worker"),
        # Every stage is idempotent instead (see streams.runtime). The embedded broker has no transactions;
        # on Apache Kafka, Faust's exactly_once left the alert records outside its transactions and lost
        # alerts after a kill -9 (measured, README "Idempotence without transactions").
        processing_guarantee="at_least_once",
        # Sends are held until the offset of the message that caused them is committed, so a worker that dies
        # mid-record publishes nothing for it, and the redelivered record publishes it once.
        stream_publish_on_commit=True,
        broker_commit_interval=worker.commit_interval_seconds,
        stream_buffer_maxsize=worker.stream_buffer_records,
        topic_partitions=settings.kafka.partitions,
        topic_replication_factor=settings.kafka.replication_factor,
        topic_allow_declare=True,
        table_cleanup_interval=60.0,
        web_enabled=False,
        # Small group timeouts: a restarted or added worker rejoins in seconds rather than a minute.
        broker_rebalance_timeout=worker.rebalance_timeout_seconds,
        broker_session_timeout=worker.session_timeout_seconds,
        broker_heartbeat_interval=1.0,
        broker_max_poll_interval=worker.max_poll_interval_seconds,
        # The size policy (newsmon.limits) keeps every record below this: aiokafka's 1 MB default refused
        # large articles at commit time, which crashed the worker on every restart.
        producer_max_request_size=settings.limits.max_message_bytes,
    )
    # Faust has no setting for its consumers' long-poll time (hard-coded 1500 ms), trusts the broker's end
    # offsets, may commit past a message in flight and has no idempotent producer outside transactions; our
    # transport corrects these (streams.consumer).
    app.transport = Transport(
        app.conf.broker_consumer,
        app,
        fetch_max_wait_ms=worker.fetch_max_wait_ms,
        bootstrap_servers=bootstrap_servers,
        embedded_broker=is_embedded_broker(bootstrap_servers),
    )
    return app
