"""Delivery of alerts to the configured sinks: one kafka-python consumer per sink, in its own thread, reading
every partition of the sink's alert topics and committing its position under its own group id. The threads run
in one process per deployment, `newsmon deliver` (or, with `alerts.deliver_in_worker`, the single worker): two
processes with the same sink would both deliver every alert, the consumer being assigned, not a group member.

A sink that is down only stalls its own consumer: the pipeline's agents never wait for it. Each record is
delivered (with retries and backoff), or dead-lettered with the reason, before its offset is committed, so a
restart loses nothing; the sent-ledger of acknowledged `alert_id`s makes sure a restart (or the same alert on
a type topic and a rule topic) does not send an acknowledged alert again. A new sink group starts at the
oldest alert still on the topics, so alerts published before the sink first joined are delivered too.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from kafka import KafkaConsumer, KafkaProducer
from kafka.structs import OffsetAndMetadata, TopicPartition
from newsmon.connectors.sinks.ledger import SentLedger
from newsmon.connectors.sinks.payloads import BODIES
from newsmon.connectors.sinks.webhook import RetryPolicy, WebhookSink
from pydantic import ValidationError

from newsmon import metrics
from newsmon.records import Alert, DeadLetter
from newsmon.settings import Settings
from newsmon.settings.alerts import DEFAULT_RULE, SinkSettings
from newsmon.topics import DEAD_LETTER, Topics

LOGGER = logging.getLogger(__name__)
STAGE = "delivery"
# How long a stopping `newsmon deliver` waits for its sinks to close their consumers: below the 15 s after
# which newsmon.shell.processes.stop_all (and compose's stop_grace_period, 30 s) kill it.
STOP_SECONDS = 10.0


def sink_topics(settings: Settings, sink: SinkSettings) -> list[str]:
    """Full names of the alert topics a sink reads."""
    topics = Topics(settings.kafka.topic_prefix)
    names = []
    for rule in sink.rules:
        names += topics.alert_names() if rule == DEFAULT_RULE else [topics.rule_alert_topic(rule)]
    return list(dict.fromkeys(names))


def sink_group(settings: Settings, sink: SinkSettings) -> str:
    return f"{settings.worker.app_id}.sink.{sink.name}"


class SinkLoop:
    """Reads a sink's alert topics and delivers each alert once; `run` until `stop` is set."""

    def __init__(self, settings: Settings, bootstrap_servers: str, sink: SinkSettings) -> None:
        self._settings = settings
        self._bootstrap = bootstrap_servers
        self._sink = sink
        self._dead_letter_topic = Topics(settings.kafka.topic_prefix).name(DEAD_LETTER)
        self._ledger_path = Path(settings.state_dir) / "sinks" / f"{sink.name}.sqlite"
        self._body = BODIES[sink.format]

    def run(self, stop: threading.Event) -> None:
        sink = self._sink
        webhook = WebhookSink(
            str(sink.url),
            secret=sink.secret,
            timeout_seconds=sink.timeout_seconds,
            rate_per_second=sink.rate_per_second,
            retry=RetryPolicy(sink.max_attempts, sink.backoff_initial_seconds, sink.backoff_max_seconds),
        )
        ledger = SentLedger(self._ledger_path)
        ledger.prune(older_than_seconds=2 * self._settings.alerts.retention_days * 86400)
        # Assigned, not subscribed: the group only stores the committed position. A member of a consumer group
        # would have to poll within max_poll_interval while a receiver is down and retried for minutes, and
        # after a kill -9 the restarted member would wait out the dead one's rebalance timeout.
        consumer = KafkaConsumer(
            bootstrap_servers=self._bootstrap,
            group_id=sink_group(self._settings, sink),
            client_id=f"newsmon-sink-{sink.name}",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=50,
        )
        consumer.assign(
            [
                TopicPartition(topic, partition)
                for topic in sink_topics(self._settings, sink)
                for partition in sorted(consumer.partitions_for_topic(topic) or ())
            ]
        )
        producer = KafkaProducer(bootstrap_servers=self._bootstrap, acks="all", linger_ms=0)
        LOGGER.info(
            "sink delivery started", extra={"sink": sink.name, "group": sink_group(self._settings, sink)}
        )
        try:
            while not stop.is_set():
                for tp, records in consumer.poll(timeout_ms=500).items():
                    done = None
                    for record in records:
                        if not self._handle(record, webhook, ledger, producer, stop):
                            break  # stopping: this record is neither delivered nor committed
                        done = record.offset
                    if done is not None:
                        consumer.commit({tp: OffsetAndMetadata(done + 1, None, -1)})
                    if stop.is_set():
                        break
        finally:
            consumer.close(autocommit=False)
            producer.close()
            webhook.close()
            ledger.close()

    def _handle(
        self, record, webhook: WebhookSink, ledger: SentLedger, producer: KafkaProducer, stop: threading.Event
    ) -> bool:
        """Deliver or dead-letter one record; False only when stopping before it was settled."""
        name = self._sink.name
        try:
            alert = Alert.from_bytes(record.value)
        except (ValidationError, ValueError) as exc:
            self._dead_letter(producer, record, "undecodable", f"not a valid Alert: {exc}")
            return True
        if alert.alert_id in ledger:
            return True
        outcome = webhook.deliver(self._body(alert), alert.alert_id, stop)
        if outcome.attempts > 1:
            metrics.SINK_RETRIES.labels(name).inc(outcome.attempts - 1)
        if outcome.delivered:
            ledger.add(alert.alert_id)
            metrics.SINK_DELIVERIES.labels(name, "delivered").inc()
            return True
        if outcome.reason == "stopped":
            return False
        metrics.SINK_DELIVERIES.labels(name, "rejected" if outcome.reason == "http_4xx" else "failed").inc()
        self._dead_letter(
            producer,
            record,
            f"webhook_{outcome.reason}",
            f"sink {name}: {outcome.attempts} attempt(s), last: {outcome.error}",
        )
        return True

    def _dead_letter(self, producer: KafkaProducer, record, reason: str, error: str) -> None:
        key = record.key.decode("utf-8", errors="backslashreplace") if record.key is not None else None
        LOGGER.error(
            "alert dead-lettered by sink",
            extra={
                "sink": self._sink.name,
                "reason": reason,
                "error": error,
                "topic": record.topic,
                "partition": record.partition,
                "offset": record.offset,
            },
        )
        metrics.DEAD_LETTERS.labels(STAGE, reason).inc()
        letter = DeadLetter(
            stage=STAGE,
            reason=reason,
            error=error[:2000],
            source_topic=record.topic,
            source_partition=record.partition,
            source_offset=record.offset,
            key=key,
            payload=record.value.decode("utf-8", errors="backslashreplace"),
            failed_at=datetime.now(UTC),
        )
        # Waited for: the offset is committed next, and a dead letter must not be lost with it.
        producer.send(
            self._dead_letter_topic, key=key.encode() if key else None, value=letter.to_bytes()
        ).get(30)


def start_sinks(settings: Settings, bootstrap_servers: str, stop: threading.Event) -> list[threading.Thread]:
    """One daemon thread per configured sink (daemon: a killed process takes them along, the ledger and the
    committed offsets carry on)."""
    threads = []
    for sink in settings.alerts.sinks:
        thread = threading.Thread(
            target=SinkLoop(settings, bootstrap_servers, sink).run,
            args=(stop,),
            name=f"sink-{sink.name}",
            daemon=True,
        )
        thread.start()
        threads.append(thread)
    return threads


class SinkFailed(Exception):
    """A sink's thread ended while delivery was not stopping (its consumer or producer raised)."""


def deliver_until_stopped(settings: Settings, bootstrap_servers: str, stop: threading.Event) -> None:
    """`newsmon deliver`: run every configured sink until `stop` is set (or the caller's signal exception),
    then let each settle its current record. Raises SinkFailed when a sink's thread dies: the process exits
    and its supervisor restarts it, resuming at the committed offsets, rather than leave that sink silent."""
    threads = start_sinks(settings, bootstrap_servers, stop)
    try:
        while not stop.wait(0.5):
            dead = [thread.name for thread in threads if not thread.is_alive()]
            if dead:
                raise SinkFailed(f"sink thread(s) ended: {', '.join(dead)}")
    finally:
        stop.set()
        deadline = time.monotonic() + STOP_SECONDS
        for thread in threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
