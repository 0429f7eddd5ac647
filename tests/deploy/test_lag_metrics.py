"""The consumer-lag collector on the real broker: lag per topic and partition, and a failed read reported."""

from __future__ import annotations

import uuid

import pytest
from kafka import KafkaConsumer, KafkaProducer
from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import KafkaConnectionError
from kafka.structs import OffsetAndMetadata, TopicPartition
from prometheus_client import CollectorRegistry, generate_latest

from newsmon import lag_metrics
from newsmon.broker import free_port
from newsmon.lag import LagReader, consumed_topics
from newsmon.lag_metrics import READ_ERRORS, ConsumerLagCollector
from newsmon.settings import KafkaSettings, Settings
from newsmon.topics import ALERTS_COMMITMENTS, RAW_PAGES, Topics

pytestmark = pytest.mark.broker


def test_lag_per_partition_follows_commits(broker):
    bootstrap = broker.bootstrap_servers
    topic, group = f"lag-{uuid.uuid4().hex[:8]}", f"group-{uuid.uuid4().hex[:8]}"
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    admin.create_topics([NewTopic(topic, 2, 1)])
    admin.close()
    producer = KafkaProducer(bootstrap_servers=bootstrap)
    for _ in range(3):
        producer.send(topic, value=b"x", partition=0).get(timeout=10)
    producer.send(topic, value=b"y", partition=1).get(timeout=10)
    producer.close()
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=group, enable_auto_commit=False)
    consumer.commit({TopicPartition(topic, 0): OffsetAndMetadata(2, "", -1)})
    consumer.close()

    collector = ConsumerLagCollector(bootstrap, group, [topic])
    registry = CollectorRegistry()
    registry.register(collector)
    try:
        collector.refresh()
    finally:
        collector.close()

    exposition = generate_latest(registry).decode()
    assert f'newsmon_consumer_lag_records{{partition="0",topic="{topic}"}} 1.0' in exposition
    assert f'newsmon_consumer_lag_records{{partition="1",topic="{topic}"}} 1.0' in exposition


def test_failed_read_drops_the_snapshot_and_counts_an_error(monkeypatch: pytest.MonkeyPatch):
    def unreachable(bootstrap_servers: str) -> LagReader:
        raise KafkaConnectionError(bootstrap_servers)

    # kafka-python takes 30 s to give up on a closed port; the collector only sees the exception
    monkeypatch.setattr(lag_metrics, "LagReader", unreachable)
    collector = ConsumerLagCollector(f"127.0.0.1:{free_port()}", "group", ["topic"])
    before = READ_ERRORS._value.get()
    collector.refresh()
    assert READ_ERRORS._value.get() == before + 1
    assert [family.samples for family in collector.collect()] == [[]]


def test_consumed_topics_are_the_worker_inputs():
    settings = Settings(kafka=KafkaSettings(topic_prefix="p."))
    names = consumed_topics(settings)
    assert Topics("p.").name(RAW_PAGES) in names and Topics("p.").name(ALERTS_COMMITMENTS) not in names
