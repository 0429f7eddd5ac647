"""Topic administration on a real broker (newsmon.kafka_admin)."""

import logging
import uuid

import pytest
from kafka import KafkaAdminClient, KafkaConsumer
from kafka.structs import OffsetAndMetadata, TopicPartition

from newsmon.kafka_admin import ensure_topics, forget_group
from newsmon.settings import KafkaSettings
from newsmon.topics import Topics

pytestmark = [pytest.mark.broker, pytest.mark.brokers("tansu")]


def test_a_raised_partition_count_is_reported_for_topics_that_already_exist(broker, caplog):
    prefix = f"admin-{uuid.uuid4().hex[:8]}."
    created = ensure_topics(KafkaSettings(topic_prefix=prefix, partitions=2), broker.bootstrap_servers)
    assert set(created) == set(Topics(prefix).all_names())

    with caplog.at_level(logging.WARNING, logger="newsmon.kafka_admin"):
        again = ensure_topics(KafkaSettings(topic_prefix=prefix, partitions=4), broker.bootstrap_servers)

    assert again == []
    warned = {
        record.topic: (record.partitions, record.configured)
        for record in caplog.records
        if record.name == "newsmon.kafka_admin"
    }
    assert warned == {name: (2, 4) for name in Topics(prefix).all_names()}


def test_offsets_a_stale_worker_committed_on_a_new_cluster_are_forgotten(broker):
    """A commit from outside the group's membership (a worker still on the lost cluster's positions) is
    accepted; `forget_group` deletes it, so the next worker reads from the beginning."""
    prefix, group = f"admin-{uuid.uuid4().hex[:8]}.", f"group-{uuid.uuid4().hex[:8]}"
    (topic, *_) = ensure_topics(KafkaSettings(topic_prefix=prefix, partitions=2), broker.bootstrap_servers)
    stale = KafkaConsumer(
        bootstrap_servers=broker.bootstrap_servers, group_id=group, enable_auto_commit=False
    )
    try:
        stale.commit({TopicPartition(topic, 1): OffsetAndMetadata(80, "", -1)})
    finally:
        stale.close()
    assert forget_group(broker.bootstrap_servers, group, timeout=10.0) == {f"{topic}[1]": 80}
    admin = KafkaAdminClient(bootstrap_servers=broker.bootstrap_servers)
    try:
        assert admin.list_group_offsets({group: None}).get(group, {}) == {}
    finally:
        admin.close()
